"""Differential runner: every scenario against the reference binding and against ours.

    python3 compat/run.py [-v] [-j N] [NAME ...]      compare (NAME: scenario names or substrings)
    python3 compat/run.py --ref-only [NAME ...]       print the reference's records (ask the oracle)
    python3 compat/run.py --ours-only [NAME ...]      print ours

Each scenario (``compat/scenarios/*.py``) runs in its own interpreter, once with the reference
(``compat/.cache/reference-*``, built by build_reference.py) and once with ours (the repo
root), with a timeout. A run is its API records, the client's wire bytes per connection, its
exit status (a segfault shows as SIGSEGV), stdout, and the C-level stderr (log lines).
Differences listed in ``expected_differences.py`` are reported apart and not counted as
failures. The last line is ``compat: N/M scenarios identical``; the exit status is 1 on any
unexpected difference, 2 if the reference cannot be built.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCENARIOS = os.path.join(HERE, "scenarios")
DEFAULT_TIMEOUT = 20.0
sys.path.insert(0, HERE)


def build_reference():
    """Return the reference folder, or exit 2 when it cannot be built."""
    r = subprocess.run([sys.executable, os.path.join(HERE, "build_reference.py")],
                       stdout=subprocess.PIPE, text=True)
    folder = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    if r.returncode != 0 or not os.path.isdir(folder):
        print("compat: the reference binding could not be built (see above)")
        sys.exit(2)
    return folder


def scenario_files(names):
    files = sorted(glob.glob(os.path.join(SCENARIOS, "*.py")))
    if names:
        base = lambda f: os.path.basename(f)[:-3]
        wanted = set()
        for n in names:  # an exact name, else every scenario containing it
            wanted |= {f for f in files if base(f) == n} or {f for f in files if n in base(f)}
        files = [f for f in files if f in wanted]
    return files


def _timeout_of(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#\s*timeout:\s*([0-9.]+)", line)
            if m:
                return float(m.group(1))
    return DEFAULT_TIMEOUT


def _exit_text(code):
    if code == 0:
        return "0"
    if code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return "signal %d" % -code
    return "exit %d" % code


def run_one(path, impl_dir, impl_name):
    """Run one scenario with one implementation; return its run record (a dict)."""
    timeout = _timeout_of(path)
    with tempfile.TemporaryDirectory(prefix="compat-") as tmp:
        rec_path = os.path.join(tmp, "record.jsonl")
        env = dict(os.environ)
        env.update(PYTHONPATH=os.pathsep.join([impl_dir, HERE]), COMPAT_RECORD=rec_path,
                   COMPAT_IMPL=impl_name, COMPAT_IMPL_DIR=impl_dir, PYTHONDONTWRITEBYTECODE="1",
                   PYTHONUNBUFFERED="1", PYTHONHASHSEED="0")
        env.pop("PYTHONHOME", None)
        # cwd is a scratch folder so that neither the repo root nor anything else shadows ESL.
        proc = subprocess.Popen([sys.executable, path], env=env, cwd=tmp, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
            status = _exit_text(proc.returncode)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            status = "timeout after %gs" % timeout
        lines = []
        if os.path.exists(rec_path):
            with open(rec_path, encoding="utf-8") as f:
                lines = [json.loads(line) for line in f if line.strip()]
    entries = {}
    for obj in lines:
        key = obj.pop("k")
        entries[key] = obj
    text = lambda b: _normalize(b.decode("utf-8", "surrogateescape"), impl_dir)
    entries["stdout"] = {"text": text(out)}
    entries["stderr"] = {"text": text(err)}
    entries["exit"] = {"status": status}
    return entries


def _normalize(s, impl_dir):
    s = s.replace(HERE + os.sep, "<compat>/").replace(impl_dir + os.sep, "<ESL>/")
    return re.sub(r"0x[0-9a-fA-F]+", "0x?", s)


def _keys_in_order(ref, ours):
    """Reference order first, then keys only ours has; wire grouped by connection."""
    keys = list(ref) + [k for k in ours if k not in ref]
    api = [k for k in keys if not k.startswith("wire:") and k not in ("stdout", "stderr", "exit")]
    wire = sorted(k for k in keys if k.startswith("wire:"))
    return api + wire + ["exit", "stdout", "stderr"]


def compare(ref, ours):
    """Return the keys whose records differ, in display order."""
    return [k for k in _keys_in_order(ref, ours) if ref.get(k) != ours.get(k)]


def _short(value, limit=400):
    s = json.dumps(value, ensure_ascii=True, sort_keys=True)
    return s if len(s) <= limit else s[:limit] + "...(%d chars)" % len(s)


def _str_diff(a, b, width=70):
    """Show two strings around their first difference."""
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    start = max(0, i - 30)
    pre = "..." if start else ""
    return ("at char %d:\n        ref : %s%s\n        ours: %s%s"
            % (i, pre, json.dumps(a[start:start + width])[1:-1], pre, json.dumps(b[start:start + width])[1:-1]))


def show_key(key, ref, ours, indent="    "):
    """Return readable lines for one differing key."""
    a, b = ref.get(key), ours.get(key)
    out = []
    if a is None or b is None:
        out.append("%s%s: ref=%s ours=%s" % (indent, key, _short(a) if a is not None else "(missing)",
                                              _short(b) if b is not None else "(missing)"))
        return out
    fields = sorted(set(a) | set(b))
    if len(fields) == 1 and isinstance(a.get(fields[0]), str) and isinstance(b.get(fields[0]), str):
        out.append("%s%s: %s" % (indent, key, _str_diff(a[fields[0]], b[fields[0]])))
        return out
    if a.get("t") == b.get("t") == "ESLevent":
        out.append("%s%s (ESLevent):" % (indent, key))
        for f in fields:
            if a.get(f) != b.get(f):
                if isinstance(a.get(f), str) and isinstance(b.get(f), str):
                    out.append("%s  %s %s" % (indent, f, _str_diff(a[f], b[f])))
                else:
                    out.append("%s  %s: ref=%s ours=%s" % (indent, f, _short(a.get(f)), _short(b.get(f))))
        return out
    out.append("%s%s: ref=%s ours=%s" % (indent, key, _short(a), _short(b)))
    return out


def _crash_line(run):
    """The last line of an uncaught traceback on stderr, or None."""
    text = run.get("stderr", {}).get("text", "")
    if "Traceback (most recent call last)" not in text:
        return None
    lines = [l for l in text.splitlines() if l and not l.startswith((" ", "@@ "))]
    return lines[-1] if lines else None


def show_diff(keys, ref, ours, limit=15):
    """Readable lines for a scenario's differing keys: a few in full, missing runs summarised."""
    out = []
    shown = 0
    for side, run, other in (("ours", ours, ref), ("ref", ref, ours)):
        missing = [k for k in keys if k in other and k not in run]
        if missing:
            out.append("    %d record(s) missing in %s, from %r on" % (len(missing), side, missing[0]))
            crash = _crash_line(run)
            if crash:
                out.append("    %s raised: %s" % (side, crash))
    for k in keys:
        if k not in ref or k not in ours:
            continue
        if k == "stderr" and (_crash_line(ref) or _crash_line(ours)):
            out.append("    stderr: ref traceback: %s | ours traceback: %s" % (_crash_line(ref), _crash_line(ours)))
            continue
        if shown == limit:
            out.append("    ... and %d more difference(s)" % (len(keys) - limit))
            break
        out.extend(show_key(k, ref, ours))
        shown += 1
    return out


def _matches(pattern, key):
    import fnmatch
    return fnmatch.fnmatchcase(key, pattern)


def _expected_key(key, patterns, a, b):
    """True if ``key`` may differ: a pattern names it, or ``key::field`` patterns cover every differing field."""
    if any(_matches(p, key) for p in patterns if "::" not in p):
        return True
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    fields = [f for f in set(a) | set(b) if a.get(f) != b.get(f)]
    return all(any(_matches(p, "%s::%s" % (key, f)) for p in patterns) for f in fields)


def _subset(want, got):
    return isinstance(got, dict) and all(got.get(k) == v for k, v in want.items())


def judge(name, ref, ours, expected):
    """Split differences into (unexpected keys, expected keys, problems)."""
    diff = compare(ref, ours)
    spec = expected.get(name)
    if not spec:
        return diff, [], []
    keys = spec.get("keys", "*")
    if keys == "*":
        exp, unexp = diff, []
    else:
        exp = [k for k in diff if _expected_key(k, keys, ref.get(k), ours.get(k))]
        unexp = [k for k in diff if k not in exp]
    problems = []
    for key, want in spec.get("ours", {}).items():
        if not _subset(want, ours.get(key)):
            problems.append("%s: ours should be %s, is %s" % (key, _short(want), _short(ours.get(key))))
    return unexp, exp, problems


def print_record(name, entries):
    print("== %s" % name)
    for k in _keys_in_order(entries, {}):
        v = entries.get(k)
        if k in ("stdout", "stderr") and not v["text"].replace("@@ ", "").strip():
            continue
        if k == "stderr" and all(line.startswith("@@ ") for line in v["text"].splitlines()):
            continue  # only call markers, no output
        print("  %s: %s" % (k, json.dumps(v, ensure_ascii=False, sort_keys=True)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*")
    ap.add_argument("--ref-only", action="store_true")
    ap.add_argument("--ours-only", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=max(2, os.cpu_count() or 2))
    args = ap.parse_args(argv)

    files = scenario_files(args.names)
    if not files:
        print("compat: no scenario matches %s" % " ".join(args.names))
        return 1
    impls = []
    if not args.ours_only:
        impls.append(("ref", build_reference()))
    if not args.ref_only:
        impls.append(("ours", ROOT))

    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futs = {pool.submit(run_one, f, d, n): (os.path.basename(f)[:-3], n) for f in files for n, d in impls}
        for fut in concurrent.futures.as_completed(futs):
            results[futs[fut]] = fut.result()
    names = [os.path.basename(f)[:-3] for f in files]

    if args.ref_only or args.ours_only:
        for name in names:
            print_record(name, results[(name, impls[0][0])])
        return 0

    from expected_differences import EXPECTED

    ours_import = {results[(n, "ours")].get("import ESL", {}).get("msg") for n in names} - {None}
    if ours_import:
        print("ours: import ESL failed: %s" % "; ".join(sorted(ours_import)))
    identical, failed, expected_report = 0, [], []
    for name in names:
        ref, ours = results[(name, "ref")], results[(name, "ours")]
        if "import ESL" in ref:
            print("!! %s: the reference did not import: %s" % (name, ref["import ESL"]))
        unexp, exp, problems = judge(name, ref, ours, EXPECTED)
        if exp or name in EXPECTED:
            expected_report.append((name, exp, ref, ours))
        if unexp or problems:
            failed.append(name)
            print("DIFF %s" % name)
            if "import ESL" in ours:
                print("    ours did not import ESL (exit %s)" % ours["exit"]["status"])
                continue
            for line in show_diff(unexp, ref, ours):
                print(line)
            for p in problems:
                print("    " + p)
        else:
            identical += 1
            if args.verbose:
                print("same %s" % name)
    if expected_report:
        print("expected differences (not failures):")
        for name, keys, ref, ours in expected_report:
            reason = EXPECTED[name]["reason"]
            if not keys:
                print("  %s: no longer differs (%s)" % (name, reason))
                continue
            print("  %s: %s" % (name, reason))
            for k in keys:
                for line in show_key(k, ref, ours, indent="      "):
                    print(line)
    print("compat: %d/%d scenarios identical" % (identical, len(names)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
