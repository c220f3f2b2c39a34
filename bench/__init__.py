"""Benchmarks (not tests): ``make bench`` runs ``bench/run.py``, which prints figures and targets."""
