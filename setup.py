"""Packaging for ``esl-python``: the pure-Python ``ESL`` module (``import ESL``).

The distribution is called ``esl-python`` because ``python-ESL`` on PyPI is the SWIG/C binding we
replace; both install a top-level package named ``ESL``, so install only one of them per
environment.
"""
import os
import re

from setuptools import find_packages, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _version() -> str:
    """The one version number: ``ESL.__version__`` (read, not imported)."""
    with open(os.path.join(HERE, "ESL", "__init__.py"), encoding="utf-8") as fh:
        match = re.search(r'^__version__ = "([^"]+)"$', fh.read(), re.M)
    if not match:
        raise RuntimeError("ESL/__init__.py has no __version__")
    return match.group(1)


def _long_description() -> str:
    path = os.path.join(HERE, "README.md")
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as fh:
        return fh.read()


setup(
    name="esl-python",
    version=_version(),
    description=(
        "Pure-Python FreeSWITCH Event Socket Library: a drop-in replacement for the "
        "SWIG-built ESL module, with an embedded event-socket simulator"
    ),
    long_description=_long_description(),
    long_description_content_type="text/markdown",
    license="MIT",
    packages=find_packages(include=["ESL", "ESL.*"]),
    package_data={"ESL": ["py.typed"]},
    include_package_data=False,
    # py.typed must be a real file next to the modules (PEP 561), not inside a zip.
    zip_safe=False,
    # The code uses nothing newer than 3.8; `make pythons` runs the suite on every interpreter
    # found (CPython 3.8 to 3.13, PyPy 3.9).
    python_requires=">=3.8",
    install_requires=[],
    extras_require={"dev": ["pytest", "hypothesis", "sphinx"]},
    entry_points={"console_scripts": ["esl = ESL.cli:main"]},
    keywords="freeswitch esl event-socket telephony voip",
    classifiers=[
        "Development Status :: 4 - Beta",
        "Intended Audience :: Developers",
        "License :: OSI Approved :: MIT License",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.8",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Programming Language :: Python :: Implementation :: CPython",
        "Programming Language :: Python :: Implementation :: PyPy",
        "Topic :: Communications :: Telephony",
        "Typing :: Typed",
    ],
)
