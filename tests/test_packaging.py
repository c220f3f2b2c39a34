"""Cheap packaging checks, no build: `make package-check` builds and installs the real wheel."""

import configparser
import re
from pathlib import Path

import ai_models

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ai_models"


def setup_cfg():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return config


def test_every_data_file_of_the_package_is_listed_in_package_data():
    patterns = setup_cfg()["options.package_data"]["ai_models"].split()
    packaged = {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}
    data_files = {
        path
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert data_files, "the package has templates, static files and a snapshot"
    assert sorted(str(p.relative_to(ROOT)) for p in data_files - packaged) == []


def test_metadata_matches_the_tested_versions():
    metadata = setup_cfg()["metadata"]
    assert metadata["version"] == ai_models.__version__
    classifiers = set(metadata["classifiers"].split("\n"))
    # The CI legs: Django 5.2 LTS on Python 3.11, Django 6.1 on Python 3.12 (3.13 also supported).
    assert {"Framework :: Django :: 5.2", "Framework :: Django :: 6.1"} <= classifiers
    tested_pythons = {c.rsplit(" ", 1)[-1] for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert tested_pythons == {"3.11", "3.12", "3.13"}
    assert setup_cfg()["options"]["python_requires"] == ">=3.11"
    core_pin = (ROOT / "requirements" / "core.txt").read_text()
    assert "Django>=5.2,<5.3" in core_pin
