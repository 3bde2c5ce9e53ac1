"""Sphinx configuration for the esl-python documentation.

Build: ``make docs`` (= ``sphinx-build -W --keep-going -b html docs docs/_build/html``).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Document the checked-out code, whether or not the package is installed.
sys.path.insert(0, ROOT)

project = "esl-python"
author = "esl-python contributors"
copyright = "esl-python contributors"


def _version() -> str:
    with open(os.path.join(ROOT, "ESL", "__init__.py"), encoding="utf-8") as fh:
        match = re.search(r'^__version__ = "([^"]+)"$', fh.read(), re.M)
    return match.group(1) if match else "unknown"


release = version = _version()

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

root_doc = master_doc = "index"
exclude_patterns = ["_build"]
language = "en"
html_theme = "alabaster"
html_title = "esl-python %s" % release
html_static_path = []

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "description"
# The public names live in ESL.connection / ESL.event / ESL.log but are documented under the
# name users import them by (ESL.ESLconnection, ...).
add_module_names = True

# Modules that are still being written: while a module's file does not exist, a failed autodoc
# import of it is not an error. As soon as the file exists, any import failure breaks the
# build (-W), so the reference can never silently lose the real docstrings.
_PENDING = [m for m in ("connection", "event", "log", "sim", "cli")
            if not os.path.exists(os.path.join(ROOT, "ESL", m + ".py"))
            and not os.path.isdir(os.path.join(ROOT, "ESL", m))]
suppress_warnings = ["autodoc.import_object"] if _PENDING else []

# Pages about modules that do not exist yet stay out of the build, and out of index.rst's
# table of contents (see _drop_pending_pages below).
if not os.path.isdir(os.path.join(ROOT, "ESL", "cli")):
    exclude_patterns.append("cli.rst")
if not os.path.exists(os.path.join(ROOT, "ESL", "sim", "__main__.py")):
    exclude_patterns.append("simulator.rst")


def _drop_pending_pages(app, docname, source):
    if docname != "index":
        return
    for pattern in exclude_patterns:
        if pattern.endswith(".rst"):
            source[0] = source[0].replace("   %s\n" % pattern[:-4], "")


def setup(app):
    app.connect("source-read", _drop_pending_pages)
