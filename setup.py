"""For `scrapyd-deploy`, which builds the project's egg with `python setup.py bdist_egg`:
everything is declared in pyproject.toml (this file only hands it to setuptools)."""

from setuptools import setup

setup()
