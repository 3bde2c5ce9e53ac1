"""Benchmark client for our modern blocking API, ``ESL.sync`` (same tests as client_esl.py).

Usage: ``python3 bench/client_sync.py TEST PORT PARAMS_JSON`` with this repo on PYTHONPATH.
Prints one ``RESULT {json}`` line. Events are read by iterating the connection (a reader
thread parses them; the loop reads ``Event-Name`` and ``Unique-ID`` through the mapping),
api calls are ``conn.api("status")`` (unchecked, as the other clients do not check either),
bgapi bursts wait on ``Job.result()`` (no subscription needed), the slow consumer runs with
the default ``max_queue`` (events beyond it are dropped, so it may count some as lost), the
walk reads every header through ``event.headers``.
"""
import time

import clientlib
from clientlib import API_STATUS_BODY, END_SUBCLASS, SeqCheck, emit

import ESL
from ESL.sync import connect


def stream(conn, fmt, total, kind):
    """Receive one stream, reading Event-Name and Unique-ID of every event."""
    chk = SeqCheck(total, kind)
    check = chk.check
    t0 = time.perf_counter()
    conn.subscribe("ALL", format=fmt)
    for event in conn:
        uid = event.get("Unique-ID")
        if uid is not None:
            check(event.get("Event-Name"), uid)
        elif event.get("Event-Subclass") == END_SUBCLASS:
            break
        else:
            chk.misframed += 1
    seconds = (chk.t_last or t0) - t0
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost)


def walk(conn, total):
    """Stream plain events and read every header of every event."""
    chk = SeqCheck(total)
    headers = 0
    t0 = time.perf_counter()
    conn.subscribe("ALL")
    for event in conn:
        uid = event.get("Unique-ID")
        if uid is not None:
            chk.check(event.get("Event-Name"), uid)
            for _name, _value in event.headers:
                headers += 1
        elif event.get("Event-Subclass") == END_SUBCLASS:
            break
        else:
            chk.misframed += 1
    seconds = (chk.t_last or t0) - t0
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost,
                headers_per_event=headers / max(1, chk.good + chk.misframed))


def api(conn, calls):
    bad = 0
    call = conn.api
    t0 = time.perf_counter()
    for _ in range(calls):
        if call("status", check=False) != API_STATUS_BODY:
            bad += 1
    seconds = time.perf_counter() - t0
    return dict(count=calls - bad, seconds=seconds, misframed=bad, lost=0)


def bgapi(conn, burst, bursts):
    good = bad = 0
    t0 = time.perf_counter()
    for _ in range(bursts):
        jobs = [conn.bgapi("status", check=False) for _ in range(burst)]
        for job in jobs:
            if job.result(timeout=60) == API_STATUS_BODY:
                good += 1
            else:
                bad += 1
    seconds = time.perf_counter() - t0
    return dict(count=good, seconds=seconds, misframed=bad, lost=burst * bursts - good)


def slow(conn, consume, delay):
    """Consume ``consume`` events with ``delay`` s of 'work' each; report the RSS growth."""
    base = clientlib.proc_status_kb("VmRSS")
    chk = SeqCheck(consume)
    t0 = time.perf_counter()
    conn.subscribe("ALL")
    for _ in range(consume):
        event = conn.recv(timeout=60)
        chk.check(event.get("Event-Name"), event.get("Unique-ID"))
        time.sleep(delay)
    seconds = time.perf_counter() - t0
    hwm = clientlib.proc_status_kb("VmHWM")
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost,
                base_kb=base, growth_kb=hwm - base, dropped=conn.dropped)


def main():
    test, port, p = clientlib.args()
    conn = connect("127.0.0.1", port, "ClueCon")
    if test == "stream":
        r = stream(conn, p["format"], p["events"], p["kind"])
    elif test == "walk":
        r = walk(conn, p["events"])
    elif test == "api":
        r = api(conn, p["calls"])
    elif test == "bgapi":
        r = bgapi(conn, p["burst"], p["bursts"])
    elif test == "slow":
        r = slow(conn, p["consume"], p["delay"])
    else:
        raise SystemExit("unknown test %r" % test)
    emit(module=ESL.__file__, **r)
    conn.close()


if __name__ == "__main__":
    main()
