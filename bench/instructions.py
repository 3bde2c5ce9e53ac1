"""Client instructions per operation, counted by callgrind: steadier than time on a busy machine.

Usage: ``python3 bench/instructions.py [--tests plain,sip_json,api,...] [--libs ours,ref]
[--n N]``. For each test and library it runs the benchmark client (the one ``bench/run.py``
runs) under ``valgrind --tool=callgrind`` twice, once with N and once with 2N operations, and
prints the difference divided by N: the instructions the client process executes per event,
per call or per job, start-up excluded. Only user-space instructions count (not the kernel's
work in system calls, nor the time spent waiting for the server), so it compares the work of
the libraries, not their round-trip times. Needs valgrind; takes a few minutes.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import run

DEFAULT_TESTS = "plain,json,sip_plain,sip_json,xml,api,api_split,bgapi"


def count(python, path, script, action, port, params, out):
    """Instructions executed by one client run (callgrind's total)."""
    env = run.client_env(path)
    env["PYTHONHASHSEED"] = "0"         # the same dict layouts in both runs
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, python,
           os.path.join(run.HERE, script), action, str(port), json.dumps(params)]
    r = subprocess.run(cmd, env=env, cwd=run.HERE, stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, universal_newlines=True)
    if "RESULT " not in r.stdout:
        raise SystemExit("client failed: %s %s" % (action, params))
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit("no callgrind total in " + out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tests", default=DEFAULT_TESTS)
    ap.add_argument("--libs", default="ours,ref")
    ap.add_argument("--n", type=int, default=1000, help="operations in the shorter run")
    a = ap.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("bench/instructions.py needs valgrind")
    tests = [t for t in a.tests.split(",") if t]
    libs = [x for x in a.libs.split(",") if x]
    setups = {}
    for lib in libs:
        s = run.LIBRARIES[lib].setup()
        if isinstance(s, str):
            raise SystemExit("%s: %s" % (lib, s))
        setups[lib] = s
    n = a.n
    # Two servers: streams of n and of 2n events (a stream test's work is its stream's length).
    sizes = [dict(run.QUICK, stream=k, sip_stream=k, walk=k) for k in (n, 2 * n)]
    servers = [run.start_server(s) for s in sizes]
    tmp = tempfile.mkdtemp()
    try:
        print("%-10s %s" % ("test", "  ".join("%14s" % lib for lib in libs)
                            + ("   ref/ours" if {"ours", "ref"} <= set(libs) else "")))
        for test in tests:
            spec = run.TESTS[test]
            per = {}
            for lib in libs:
                python, path = setups[lib]
                totals = []
                for k, (proc, ports, _) in zip((n, 2 * n), servers):
                    params = spec.params(sizes[0 if k == n else 1])
                    if spec.action == "api":
                        params = {"calls": 3 * k}           # (a call is cheaper than an event)
                    elif spec.action == "bgapi":
                        params = {"burst": 10, "bursts": k // 10}
                    totals.append(count(python, path, run.LIBRARIES[lib].script, spec.action,
                                        ports[spec.profile], params,
                                        os.path.join(tmp, "%s-%s-%d" % (test, lib, k))))
                per[lib] = (totals[1] - totals[0]) / (3 * n if spec.action == "api" else n)
            line = "%-10s %s" % (test, "  ".join("%14s" % "{:,.0f}".format(per[lib]) for lib in libs))
            if "ours" in per and "ref" in per:
                line += "   %8.2fx" % (per["ref"] / per["ours"])
            print(line, flush=True)
        print("instructions per event (streams), call (api) or job (bgapi), client process "
              "only, N=%d" % n)
    finally:
        for proc, _, _ in servers:
            proc.stdin.close()
            proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
