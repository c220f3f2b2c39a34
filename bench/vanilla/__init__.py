"""A bench-only app: the catalog's columns in a real table, behind a plain ModelAdmin.

It is the baseline of the Browse-catalog page benchmark: what Django's admin costs for the
same rows when they live in the database (the way the old sync command kept them).
"""
