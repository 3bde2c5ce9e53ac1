"""Build the reference binding: PyPI ``python-ESL`` 1.4.18 (the real C library + SWIG wrapper).

Usage: ``python3 compat/build_reference.py`` prints the folder that holds ``ESL.py`` and
``_ESL*.so`` (put it on PYTHONPATH). Idempotent: when the built module already imports, it
does nothing else. Exit status is non-zero when the reference cannot be built.

Everything downloaded or built lives in ``compat/.cache`` (git-ignored). The C library is
built exactly as shipped; the only change is the SWIG options (``-classic`` is gone from
SWIG 4, so we pass the extension's own options without it).
"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

VERSION = "1.4.18"
SDIST = "python-ESL-%s.tar.gz" % VERSION
# sha256 of the sdist as served by PyPI; a different file is not the reference.
SDIST_SHA256 = "0e4d8dc636bcbe8e764f9f3b4a0533c356c0bcce551a37ad8f5f2658d5b7d4a4"
SWIG_OPTS = "-c++ -DMULTIPLICITY -threads -I."

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, ".cache")
SRC = os.path.join(CACHE, "src", "python-ESL-%s" % VERSION)
REF = os.path.join(CACHE, "reference-%s" % VERSION)

# A smoke test that touches the C library, run in a clean interpreter from a neutral cwd.
_SMOKE = (
    "import ESL, sys;"
    "e = ESL.ESLevent('CUSTOM', 'a::b');"
    "assert e.serialize() == 'Event-Name: CUSTOM\\nEvent-Subclass: a%3A%3Ab\\n\\n', e.serialize();"
    "assert ESL.__file__.startswith(sys.argv[1]), ESL.__file__"
)


def log(msg):
    print("build_reference: " + msg, file=sys.stderr, flush=True)


def works(folder, python=sys.executable):
    """Return True if ``import ESL`` from ``folder`` gives a working C-backed module."""
    if not glob.glob(os.path.join(folder, "_ESL*.so")) or not os.path.exists(os.path.join(folder, "ESL.py")):
        return False
    env = dict(os.environ, PYTHONPATH=folder)
    env.pop("PYTHONHOME", None)
    r = subprocess.run([python, "-c", _SMOKE, folder], env=env, cwd=tempfile.gettempdir(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        log("import test failed in %s:\n%s" % (folder, r.stdout.strip()))
    return r.returncode == 0


def ensure_tools():
    """Install swig and g++ through apt-get when missing (we run as root on Debian)."""
    missing = [pkg for tool, pkg in (("swig", "swig"), ("g++", "g++")) if shutil.which(tool) is None]
    if not missing:
        return
    if shutil.which("apt-get") is None:
        sys.exit("build_reference: need %s and no apt-get to install it" % " ".join(missing))
    log("installing " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True, env=env,
                   stdout=subprocess.DEVNULL)


def ensure_setuptools():
    r = subprocess.run([sys.executable, "-c", "import setuptools"], stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        log("installing setuptools into %s" % sys.executable)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "setuptools"], check=True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def download():
    """Return the path of the verified sdist in the cache, downloading it when needed."""
    path = os.path.join(CACHE, SDIST)
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        log("downloading python-ESL==%s" % VERSION)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        "-d", CACHE, "python-ESL==%s" % VERSION], check=True)
    digest = sha256(path)
    if digest != SDIST_SHA256:
        os.unlink(path)
        sys.exit("build_reference: %s has sha256 %s, expected %s (removed)" % (SDIST, digest, SDIST_SHA256))
    return path


def build(sdist):
    shutil.rmtree(SRC, ignore_errors=True)
    os.makedirs(os.path.dirname(SRC), exist_ok=True)
    with tarfile.open(sdist) as tar:
        tar.extractall(os.path.dirname(SRC))
    # SWIG 4 regenerates ESL.py over the shipped one; keep the shipped proxy (SWIG 3.0.9),
    # which is what PyPI users got and what spec/API.md calls 1.4.18.
    shutil.copy(os.path.join(SRC, "ESL.py"), os.path.join(SRC, "ESL_shipped.py"))
    staging = REF + ".new"
    shutil.rmtree(staging, ignore_errors=True)
    os.makedirs(staging)
    log("building _ESL with swig %s" % SWIG_OPTS)
    r = subprocess.run([sys.executable, "setup.py", "build_ext", "--swig-opts=" + SWIG_OPTS,
                        "--build-lib", staging, "--build-temp", os.path.join(SRC, "build-temp")],
                       cwd=SRC, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        sys.exit("build_reference: build failed:\n" + r.stdout[-4000:])
    shutil.copy(os.path.join(SRC, "ESL.py"), os.path.join(staging, "ESL_swig4.py"))
    shutil.copy(os.path.join(SRC, "ESL_shipped.py"), os.path.join(staging, "ESL.py"))
    proxy = "shipped (SWIG 3.0.9)"
    if not works(staging):
        # Keep what works: fall back to the proxy SWIG regenerated with the wrapper.
        shutil.copy(os.path.join(staging, "ESL_swig4.py"), os.path.join(staging, "ESL.py"))
        proxy = "regenerated (SWIG 4)"
        if not works(staging):
            sys.exit("build_reference: the built module does not import")
    swig = subprocess.run(["swig", "-version"], stdout=subprocess.PIPE, text=True).stdout.split()
    with open(os.path.join(staging, "BUILD_INFO.txt"), "w") as f:
        f.write("python-ESL %s sdist sha256 %s\nswig options: %s\nswig: %s\nproxy ESL.py: %s\npython: %s\n"
                % (VERSION, SDIST_SHA256, SWIG_OPTS, " ".join(swig[swig.index("Version"):][:2]) if "Version" in swig else "?",
                   proxy, sys.version.split()[0]))
    shutil.rmtree(REF, ignore_errors=True)
    os.rename(staging, REF)


def main():
    if not works(REF):
        try:
            ensure_tools()
            ensure_setuptools()
            build(download())
        except (OSError, subprocess.CalledProcessError) as exc:
            sys.exit("build_reference: cannot build the reference: %s" % exc)
    # Relative path for humans, absolute for scripts that capture stdout.
    print(REF)
    return 0


if __name__ == "__main__":
    sys.exit(main())
