"""`make bench`: our ESL (legacy, ESL.sync, ESL.asyncio), the C binding, greenswitch, genesis.

Usage: ``python3 bench/run.py [--rounds N] [--libs ours,sync,asyncio,ref,greenswitch,genesis]
[--tests ...] [--quick] [--check] [--pin] [--ours DIR] [--json FILE]``

One run starts bench/server.py (a separate process), then for each round and each test runs one
client process per library, rotating the order of the libraries every round, and prints medians,
min–max, ratios against the reference and the misframed/lost counts of every library. The last
line is ``ratios vs reference: plain=… json=… sip_plain=… …``. With ``--check`` the exit
status is 1 when a target is missed (never used by the test suite: timings are noisy).

Libraries (:data:`LIBRARIES`): ``ours`` (the repo root on PYTHONPATH), ``sync`` and
``asyncio`` (the same package's modern clients, ``ESL.sync`` and ``ESL.asyncio``; their ratios
are ``sync_*`` and ``asyncio_*`` in the last line, targets in :data:`MODERN_TARGETS`), ``ref``
(the folder
printed by ``compat/build_reference.py``), ``greenswitch`` and ``genesis`` (each ``pip
install``-ed into a throwaway virtualenv of its own under bench/.cache, never a dependency of
the package). A library that cannot be set up is reported and skipped. Tests: :data:`TESTS`; targets: :data:`TARGETS`. To add a client, add a row to
LIBRARIES (its setup function and client script); to add a test, a row to TESTS.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CACHE = os.path.join(HERE, ".cache")
GS_VENV = os.path.join(CACHE, "venv-greenswitch")
GS_REQ = "greenswitch==0.0.19"
GENESIS_VENV = os.path.join(CACHE, "venv-genesis")
GENESIS_REQ = "genesis==2026.10.18"
CLIENT_TIMEOUT = 180
# The server polls for the next command this long before blocking, so a request/reply test
# measures the client library rather than the server's wake-up latency.
SPIN = 0.001

# Sizes: each measurement takes ~1-3 s with the reference on a 2-core machine.
FULL = dict(stream=30000, sip_stream=10000, walk=10000, calls=20000, burst=100, bursts=100,
            slow_rate=10000, consume=2000)
QUICK = dict(stream=3000, sip_stream=1000, walk=1000, calls=2000, burst=50, bursts=10,
             slow_rate=10000, consume=300)


class Test:
    """One measurement: the server profile it uses, the client's action and its parameters
    (a function of the sizes), and how the report shows it."""

    def __init__(self, profile, action, params, title, unit):
        self.profile, self.action, self.params = profile, action, params
        self.title, self.unit = title, unit


def _stream(fmt, kind, size):
    return lambda s: {"events": s[size], "format": fmt, "kind": kind}


# In report order. Stream tests count events lost or misframed; their rate is good events/s.
TESTS = {
    "plain": Test("stream", "stream", _stream("plain", "loopback", "stream"),
                  "(a) plain events, loopback", "events/s"),
    "json": Test("stream", "stream", _stream("json", "loopback", "stream"),
                 "(b) JSON events, loopback", "events/s"),
    "sip_plain": Test("sip", "stream", _stream("plain", "sip", "sip_stream"),
                      "(a2) plain events, SIP calls", "events/s"),
    "sip_json": Test("sip", "stream", _stream("json", "sip", "sip_stream"),
                     "(b2) JSON events, SIP calls", "events/s"),
    "xml": Test("sip", "stream", _stream("xml", "sip", "sip_stream"),
                "(b3) XML events, SIP calls", "events/s"),
    "api": Test("stream", "api", lambda s: {"calls": s["calls"]},
                "(c) api(), reply in 1 send", "calls/s"),
    "api_split": Test("split", "api", lambda s: {"calls": s["calls"]},
                      "(c2) api(), reply in 2 sends", "calls/s"),
    "bgapi": Test("stream", "bgapi", lambda s: {"burst": s["burst"], "bursts": s["bursts"]},
                  "(d) bgapi+BACKGROUND_JOB", "jobs/s"),
    "slow": Test("slow", "slow",
                 lambda s: {"consume": s["consume"], "delay": 10.0 / s["slow_rate"]},
                 "(f) slow consumer RSS", "MB growth"),
    "walk": Test("walk", "walk", lambda s: {"events": s["walk"]},
                 "(g) full header walk", "events/s"),
}
STREAMS = [name for name, t in TESTS.items() if t.action == "stream"]
RSS = ("rss", "plain", "(e) peak RSS (plain run)", "MB peak")   # derived from the plain runs

# (ratio key, test, target or None, higher is better), in the order of the summary line.
TARGETS = (("plain", "plain", 2.0, True), ("json", "json", 2.0, True),
           ("sip_plain", "sip_plain", 2.0, True), ("sip_json", "sip_json", 2.0, True),
           ("xml", "xml", None, True), ("api", "api", 1.3, True),
           ("api_split", "api_split", 1.3, True), ("bgapi", "bgapi", 1.2, True),
           ("rss", "rss", 1.0, False), ("walk", "walk", 1.0, True))
# The modern clients (libraries "sync", "asyncio") against another library, in one run:
# (ratio key, test, library, against, target or None).
MODERN_TARGETS = (("sync_plain", "plain", "sync", "ref", 2.0),
                  ("sync_json", "json", "sync", "ref", None),
                  ("sync_api", "api", "sync", "ref", 1.0),
                  ("sync_bgapi", "bgapi", "sync", "ref", None),
                  ("asyncio_plain", "plain", "asyncio", "ref", 1.5),
                  ("asyncio_plain_vs_genesis", "plain", "asyncio", "genesis", 5.0),
                  ("asyncio_json", "json", "asyncio", "ref", None),
                  ("asyncio_api", "api", "asyncio", "ref", None),
                  ("asyncio_bgapi", "bgapi", "asyncio", "ref", None))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- setup

def setup_ref():
    """Return (python, PYTHONPATH) for the reference binding, or a reason string."""
    r = subprocess.run([sys.executable, os.path.join(ROOT, "compat", "build_reference.py")],
                       stdout=subprocess.PIPE, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        return "compat/build_reference.py failed (exit %d)" % r.returncode
    return sys.executable, r.stdout.strip().splitlines()[-1]


def setup_venv(venv, requirement, module):
    """Return (python, "") of a throwaway virtualenv holding ``requirement``, or a reason."""
    py = os.path.join(venv, "bin", "python")
    check = [py, "-c", "import " + module]
    if os.path.exists(py) and subprocess.run(check, stderr=subprocess.DEVNULL).returncode == 0:
        return py, ""
    log("bench: creating %s with %s" % (os.path.relpath(venv, ROOT), requirement))
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", venv], check=True)
        subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        requirement], check=True, stdout=subprocess.DEVNULL)
    except (OSError, subprocess.CalledProcessError) as exc:
        return "cannot install %s: %s" % (requirement, exc)
    if subprocess.run(check).returncode != 0:
        return "%s does not import" % module
    return py, ""


def setup_greenswitch():
    return setup_venv(GS_VENV, GS_REQ, "greenswitch.esl")


def setup_genesis():
    return setup_venv(GENESIS_VENV, GENESIS_REQ, "genesis")


def setup_ours(root=ROOT):
    env = client_env(root)
    r = subprocess.run([sys.executable, "-c", "import ESL; ESL.ESLconnection; ESL.ESLevent"],
                       env=env, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        return "import ESL failed: " + (r.stdout.strip().splitlines() or ["?"])[-1]
    return sys.executable, root


class Library:
    """A library under test: its label, ``setup()`` -> (python, PYTHONPATH) or a reason
    string, and the client script that drives it."""

    def __init__(self, label, setup, script):
        self.label, self.setup, self.script = label, setup, script


LIBRARIES = {
    "ours": Library("ours", lambda: setup_ours(OURS_ROOT[0]), "client_esl.py"),
    "sync": Library("ESL.sync", lambda: setup_ours(OURS_ROOT[0]), "client_sync.py"),
    "asyncio": Library("ESL.asyncio", lambda: setup_ours(OURS_ROOT[0]), "client_asyncio.py"),
    "ref": Library("reference", setup_ref, "client_esl.py"),
    "greenswitch": Library("greenswitch", setup_greenswitch, "client_greenswitch.py"),
    "genesis": Library("genesis", setup_genesis, "client_genesis.py"),
}
OURS_ROOT = [ROOT]      # --ours changes it


def client_env(pythonpath):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = pythonpath
    return env


# ----------------------------------------------------------------------------- running

def _pin(cpu):
    """A preexec_fn that pins the child to one CPU (None: no pinning)."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def pin_plan(enabled):
    """(server CPU, client CPU): separate cores when there are two or more, else no pinning."""
    if not enabled or not hasattr(os, "sched_setaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return cpus[-1], cpus[0]


def start_server(sizes, cpu=None):
    """Start bench/server.py; return (process, {profile: port}, {"profile/format": bytes})."""
    spec = {
        "stream": {"events": sizes["stream"], "formats": ["plain", "json"]},
        "sip": {"events": sizes["sip_stream"], "formats": ["plain", "json", "xml"],
                "kind": "sip"},
        "split": {"events": 0, "formats": [], "api_split": True},
        "walk": {"events": sizes["walk"], "formats": ["plain"]},
        # Enough paced events that the stream outlasts the slow consumer.
        "slow": {"events": sizes["consume"] * 15, "rate": sizes["slow_rate"], "formats": ["plain"]},
    }
    env = dict(os.environ, BENCH_SPIN=str(SPIN))
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), json.dumps(spec)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                            preexec_fn=_pin(cpu))
    line = proc.stdout.readline()
    sizes_line = proc.stdout.readline()
    if not line.startswith("PORTS ") or not sizes_line.startswith("BYTES "):
        proc.kill()
        raise SystemExit("bench: the server did not start")
    return proc, json.loads(line[6:]), json.loads(sizes_line[6:])


def run_client(lib, setup, test, ports, sizes, cpu=None):
    """Run one client process; return its result dict (with 'error' when it failed)."""
    python, path = setup
    spec = TESTS[test]
    env = client_env(path)
    params = spec.params(sizes)
    cmd = [python, os.path.join(HERE, LIBRARIES[lib].script), spec.action,
           str(ports[spec.profile]), json.dumps(params)]
    try:
        r = subprocess.run(cmd, env=env, cwd=HERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=CLIENT_TIMEOUT, preexec_fn=_pin(cpu))
    except subprocess.TimeoutExpired:
        return {"error": "timed out after %d s" % CLIENT_TIMEOUT}
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            res = json.loads(line[7:])
            break
    else:
        tail = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1]
        return {"error": tail}
    if path and "module" in res:
        want = os.path.join(path, "ESL")
        if not res["module"].startswith(want):
            return {"error": "imported the wrong ESL: %s" % res["module"]}
    return res


def value(test, res):
    """Return the measured number of one run: a rate, or the RSS growth in MB for 'slow'."""
    if test == "slow":
        return res["growth_kb"] / 1024.0
    return res["count"] / res["seconds"] if res["seconds"] > 0 else 0.0


# ----------------------------------------------------------------------------- report

def title_unit(test):
    if test == "rss":
        return RSS[2], RSS[3]
    return TESTS[test].title, TESTS[test].unit


def fmt_num(x, test):
    if test in ("slow", "rss"):
        return "%.1f" % x
    return "{:,.0f}".format(x)


def summarize(results, libs, tests, frame_bytes=None):
    """Return {test: {lib: {median, min, max, misframed, lost, runs, errors, na, ...}}}; a
    stream test also has ``mb_s`` (the median rate times the mean frame size)."""
    out = {}
    order = [t for t in TESTS if t in tests]
    if "plain" in order:
        order.insert(order.index("slow") if "slow" in order else len(order), "rss")
    frame_bytes = frame_bytes or {}
    for test in order:
        src = RSS[1] if test == "rss" else test
        out[test] = {}
        for lib in libs:
            runs = results.get((src, lib), [])
            good = [r for r in runs if "error" not in r and "na" not in r]
            s = {"errors": [r["error"] for r in runs if "error" in r],
                 "na": next((r["na"] for r in runs if "na" in r), None), "runs": len(good)}
            if good:
                vals = [r["vmhwm_kb"] / 1024.0 if test == "rss" else value(src, r) for r in good]
                s.update(median=statistics.median(vals), min=min(vals), max=max(vals),
                         misframed=sum(r["misframed"] for r in good),
                         lost=sum(r["lost"] for r in good),
                         hwm=statistics.median(r["vmhwm_kb"] / 1024.0 for r in good))
                if "headers_per_event" in good[0]:
                    s["headers_per_event"] = good[0]["headers_per_event"]
                if "dropped" in good[0]:
                    s["dropped"] = statistics.median(r["dropped"] for r in good)
                if test in STREAMS:
                    spec = TESTS[test]
                    size = frame_bytes.get("%s/%s" % (spec.profile, spec.params(FULL)["format"]))
                    if size:
                        s["kb_event"] = size / 1024.0
                        s["mb_s"] = s["median"] * size / 1e6
            out[test][lib] = s
    return out


def ratio(summary, test, lib="ours", base="ref"):
    row = summary.get(test, {})
    a, b = row.get(lib, {}).get("median"), row.get(base, {}).get("median")
    if a is None or not b:
        return None
    return a / b


def print_report(summary, libs, sizes, rounds, notes, socket_limit_mb, skipped):
    w = sys.stdout.write
    label = {lib: LIBRARIES[lib].label for lib in libs}
    w("\n%-38s %-12s %10s %19s %7s %9s %8s %9s\n" % (
        "test", "library", "median", "min-max", "vs ref", "misframed", "lost", "peak RSS"))
    w("-" * 118 + "\n")
    for test, row in summary.items():
        title = "%s, %s" % title_unit(test)
        for lib in libs:
            s = row[lib]
            if s["runs"] == 0:
                why = s["na"] and "n/a: " + s["na"] or (s["errors"] and "failed: " + s["errors"][0]) \
                    or skipped.get(lib, "not run")
                w("%-38s %-12s %s\n" % (title, label[lib], why))
            else:
                r = ratio(summary, test, lib)
                mm = "%s-%s" % (fmt_num(s["min"], test), fmt_num(s["max"], test))
                extra = ""
                if test == "walk" and "headers_per_event" in s:
                    extra = "  (%.0f headers/event)" % s["headers_per_event"]
                if "mb_s" in s:
                    extra = "  (%.1f MB/s, %.1f KB/event)" % (s["mb_s"], s["kb_event"])
                if test == "slow":
                    extra = "  bounded" if s["median"] <= socket_limit_mb else "  GROWS WITH THE STREAM"
                    if "dropped" in s:      # a modern client: its queue bounds memory instead
                        extra = "  bounded by max_queue (%d events dropped)" % s["dropped"]
                if s["errors"]:
                    extra += "  (%d failed runs: %s)" % (len(s["errors"]), s["errors"][0])
                rss = "" if test in ("rss", "slow") else "%.1f MB" % s["hwm"]
                w("%-38s %-12s %10s %19s %7s %9d %8d %9s%s\n" % (
                    title, label[lib], fmt_num(s["median"], test), mm,
                    "%.2fx" % r if r is not None else "-", s["misframed"], s["lost"], rss, extra))
            title = ""
        w("\n")
    w("medians of %d alternating rounds; misframed/lost are totals over all rounds.\n" % rounds)
    w("sizes: %s\n" % ", ".join("%s=%s" % kv for kv in sorted(sizes.items())))
    w("slow consumer: 'bounded' = RSS growth within the kernel's max TCP receive buffer (%.0f MB).\n"
      % socket_limit_mb)
    for n in notes:
        w("note: %s\n" % n)

    parts, verdicts, ok = [], [], True
    for key, test, target, higher in TARGETS:
        if test not in summary:
            continue
        r = ratio(summary, test)
        parts.append("%s=%s" % (key, "%.2fx" % r if r is not None else "n/a"))
        if target is None or r is None:
            continue
        met = r >= target if higher else r <= target
        ours = summary[test].get("ours", {})
        if test in STREAMS and ours.get("misframed", 1) + ours.get("lost", 1) != 0:
            met = False
        ok = ok and met
        verdicts.append("%s %s %.1fx: %s" % (key, ">=" if higher else "<=", target,
                                            "met" if met else "MISSED"))
    for key, test, lib, base, target in MODERN_TARGETS:
        r = ratio(summary, test, lib, base) if lib in libs and test in summary else None
        if r is None:
            continue
        parts.append("%s=%.2fx" % (key, r))
        if target is not None:
            met = r >= target
            mine = summary[test][lib]
            if test in STREAMS and mine.get("misframed", 1) + mine.get("lost", 1) != 0:
                met = False
            ok = ok and met
            verdicts.append("%s >= %.1fx: %s" % (key, target, "met" if met else "MISSED"))
    slow = summary.get("slow", {}).get("ours", {})
    if slow.get("runs"):
        met = slow["median"] <= socket_limit_mb
        ok = ok and met
        verdicts.append("slow consumer bounded: %s" % ("met" if met else "MISSED"))
    if verdicts:
        w("targets: " + "; ".join(verdicts) + "\n")
    w("ratios vs reference: " + " ".join(parts) + "\n")
    sys.stdout.flush()
    return ok


def socket_limit_mb():
    try:
        with open("/proc/sys/net/ipv4/tcp_rmem") as f:
            return int(f.read().split()[2]) / (1024.0 * 1024.0)
    except (OSError, ValueError, IndexError):
        return 6.0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--libs", default="ours,sync,asyncio,ref,greenswitch,genesis",
                    help="comma-separated, from: " + ",".join(LIBRARIES))
    ap.add_argument("--tests", default=",".join(TESTS),
                    help="comma-separated, from: " + ",".join(TESTS))
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the harness")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--json", help="also write every raw result to this file")
    ap.add_argument("--ours", metavar="DIR", default=ROOT,
                    help="measure the ESL package under DIR as 'ours' (default: this repo)")
    ap.add_argument("--pin", action="store_true",
                    help="pin the server and the clients to separate CPUs (steadier on an idle "
                         "machine, worse when other work competes for the CPUs)")
    a = ap.parse_args(argv)
    libs = [x for x in a.libs.split(",") if x]
    tests = [x for x in a.tests.split(",") if x]
    for x in libs:
        if x not in LIBRARIES:
            ap.error("unknown library %r" % x)
    for x in tests:
        if x not in TESTS:
            ap.error("unknown test %r" % x)
    sizes = QUICK if a.quick else FULL

    notes, setups, skipped = [], {}, {}
    OURS_ROOT[0] = os.path.abspath(a.ours)
    # The reference first: building it may take minutes, and nothing else is measured then.
    for lib in sorted(libs, key=lambda x: x != "ref"):
        s = LIBRARIES[lib].setup()
        if isinstance(s, str):
            notes.append("%s skipped: %s" % (LIBRARIES[lib].label, s))
            skipped[lib] = "skipped: " + s
            log("bench: %s skipped: %s" % (LIBRARIES[lib].label, s))
        else:
            setups[lib] = s
    active = [x for x in libs if x in setups]
    if not active:
        raise SystemExit("bench: no library to measure")
    if "ours" in active and OURS_ROOT[0] != ROOT:
        notes.append("ours = the ESL package under %s" % OURS_ROOT[0])
    if "greenswitch" in active:
        notes.append("greenswitch: events via its '*' handler; the slow consumer yields with "
                     "gevent.sleep; the walk iterates its headers dict (no firstHeader/nextHeader)")

    server_cpu, client_cpu = pin_plan(a.pin)
    if server_cpu is not None:
        notes.append("server pinned to CPU %d, clients to CPU %d" % (server_cpu, client_cpu))
    server, ports, frame_bytes = start_server(sizes, server_cpu)
    results = {}
    t_start = time.monotonic()
    try:
        for rnd in range(a.rounds):
            for test in tests:
                k = rnd % len(active)
                for lib in active[k:] + active[:k]:
                    res = run_client(lib, setups[lib], test, ports, sizes, client_cpu)
                    results.setdefault((test, lib), []).append(res)
                    if "error" in res:
                        log("bench: round %d %s %s failed: %s" % (rnd + 1, test, lib, res["error"]))
            log("bench: round %d/%d done (%.0f s)" % (rnd + 1, a.rounds, time.monotonic() - t_start))
    finally:
        server.stdin.close()
        server.wait(10)

    if a.json:
        with open(a.json, "w") as f:
            json.dump([{"test": t, "lib": l, "runs": r} for (t, l), r in results.items()], f, indent=1)
    summary = summarize(results, libs, tests, frame_bytes)
    ok = print_report(summary, libs, sizes, a.rounds, notes, socket_limit_mb(), skipped)
    return 1 if a.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
