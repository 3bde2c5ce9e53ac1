"""The package installs: `pip install .` and `pip install -e .` into fresh virtualenvs.

Each install goes into its own temporary venv and is then checked from a neutral working
directory, so the checkout's ./ESL cannot mask a broken install.
"""
import json
import os
import shutil
import subprocess
import venv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Runs inside the new venv: where ESL comes from, what was installed, the metadata.
_PROBE = r"""
import json, os, sys
import ESL
try:
    from importlib import metadata
except ImportError:
    metadata = None
pkg = os.path.dirname(os.path.abspath(ESL.__file__))
files = sorted(os.path.relpath(os.path.join(d, f), pkg)
               for d, _, fs in os.walk(pkg) for f in fs
               if f.endswith(".py") or f == "py.typed")
dist = metadata.distribution("esl-python") if metadata else None
print(json.dumps({
    "pkg": pkg,
    "files": files,
    "version": dist.version if dist else None,
    "esl_version": ESL.__version__,
    "requires_python": dist.metadata["Requires-Python"] if dist else None,
    "requires": (dist.requires or []) if dist else None,
    "scripts": [str(e) for e in dist.entry_points if e.group == "console_scripts"] if dist else None,
}))
"""


def _source_files():
    pkg = os.path.join(ROOT, "ESL")
    return sorted(os.path.relpath(os.path.join(d, f), pkg)
                  for d, _, fs in os.walk(pkg) for f in fs
                  if f.endswith(".py") or f == "py.typed")


def _bin(env_dir, name):
    sub = "Scripts" if os.name == "nt" else "bin"
    return os.path.join(env_dir, sub, name)


def _clean_source(tmp_path):
    """A copy of what the distribution is built from (top-level files and ESL/): setuptools
    builds in the source tree and never empties build/lib, so a checkout's build/ left by an
    earlier run would still ship modules that have since moved or gone."""
    src = tmp_path / "src"
    src.mkdir()
    for name in os.listdir(ROOT):
        if os.path.isfile(os.path.join(ROOT, name)):
            shutil.copy2(os.path.join(ROOT, name), str(src / name))
    shutil.copytree(os.path.join(ROOT, "ESL"), str(src / "ESL"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    return str(src)


def _install(tmp_path, *pip_args):
    env_dir = str(tmp_path / "venv")
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = _bin(env_dir, "python")
    # An editable install must point at the checkout; a regular one builds from a clean copy.
    cwd = ROOT if "-e" in pip_args else _clean_source(tmp_path)
    # An isolated build, as users get it: pip fetches the build backend named in pyproject.toml.
    subprocess.run([py, "-m", "pip", "install", "-q", "--no-deps", *pip_args],
                   cwd=cwd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = subprocess.run([py, "-c", _PROBE], cwd=str(tmp_path), check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    return env_dir, json.loads(out)


def test_pip_install_copies_every_module_and_py_typed(tmp_path):
    env_dir, info = _install(tmp_path, ".")
    assert info["pkg"].startswith(env_dir), info["pkg"]
    assert "site-packages" in info["pkg"]
    assert info["files"] == _source_files()
    assert "py.typed" in info["files"]
    assert info["requires_python"] == ">=3.8"
    assert info["version"] == info["esl_version"]      # one version number, from ESL/__init__.py
    # Standard library only at run time; the "dev" extra (pytest, hypothesis, sphinx) is optional.
    assert [r for r in info["requires"] if "extra ==" not in r] == []
    assert any("esl = ESL.cli:main" in s or ("esl" in s and "ESL.cli:main" in s)
               for s in info["scripts"]), info["scripts"]
    assert os.path.exists(_bin(env_dir, "esl"))


def test_pip_install_editable_points_at_the_checkout(tmp_path):
    _, info = _install(tmp_path, "-e", ".")
    assert os.path.realpath(info["pkg"]) == os.path.realpath(os.path.join(ROOT, "ESL"))
    assert "py.typed" in info["files"]

