"""Build shim for scrapyd-deploy, which runs ``python setup.py bdist_egg`` to pack the project.

Everything (name, packages, dependencies, the ``scrapy`` settings entry point Scrapyd reads)
is declared in pyproject.toml; without this file scrapyd-deploy would write its own setup.py
that packs every directory, tests included, under the name "project".
"""

from setuptools import setup

setup()
