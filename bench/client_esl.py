"""Benchmark client for any module with the SWIG ``ESL`` API (ours or the reference binding).

Usage: ``python3 bench/client_esl.py TEST PORT PARAMS_JSON``; PYTHONPATH decides which ``ESL``
is imported (run.py checks ``module`` in the result). Prints one ``RESULT {json}`` line.

Tests (what run.py calls a client's action): stream (throughput; params ``format`` plain, json
or xml and ``kind``, see clientlib.SeqCheck), api (sequential round trips), bgapi (bursts of
bgapi plus their BACKGROUND_JOB events), slow (a consumer 10x slower than the stream: RSS
growth), walk (every header of every event through firstHeader/nextHeader + getHeader).
"""
import time

import clientlib
from clientlib import API_STATUS_BODY, END_SUBCLASS, EVENT_NAME, SeqCheck, emit, xml_field

import ESL

END_SUBCLASS_URL = END_SUBCLASS.replace(":", "%3A")   # as an XML event carries it


def connect(port):
    con = ESL.ESLconnection("127.0.0.1", str(port), "ClueCon")
    if not con.connected():
        raise SystemExit("cannot connect to the benchmark server on port %d" % port)
    return con


def stream(con, fmt, total, kind):
    """Receive one stream, reading Event-Name and Unique-ID of every event."""
    chk = SeqCheck(total, kind)
    t0 = time.perf_counter()  # before subscribing: a library may read ahead
    con.events(fmt, "ALL")
    recv = con.recvEvent
    check = chk.check
    while True:
        e = recv()
        name = e.getHeader("Event-Name")
        uid = e.getHeader("Unique-ID")
        if uid is not None:
            check(name, uid)
        elif name == "CUSTOM" and e.getHeader("Event-Subclass") == END_SUBCLASS:
            break
        elif not con.connected():
            break
        else:
            chk.misframed += 1
    seconds = (chk.t_last or t0) - t0
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost)


def stream_xml(con, total, kind):
    """Receive one stream of XML events (handed over unparsed: the client reads the body)."""
    chk = SeqCheck(total, kind)
    t0 = time.perf_counter()
    con.events("xml", "ALL")
    recv = con.recvEvent
    check = chk.check
    while True:
        body = recv().getBody() or ""
        uid = xml_field(body, "Unique-ID")
        if uid is not None:
            check(xml_field(body, "Event-Name"), uid)
        elif xml_field(body, "Event-Subclass") == END_SUBCLASS_URL:
            break
        elif not con.connected():
            break
        else:
            chk.misframed += 1
    seconds = (chk.t_last or t0) - t0
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost)


def walk(con, total):
    """Stream plain events and read every header: firstHeader/nextHeader + getHeader."""
    chk = SeqCheck(total)
    headers = 0
    t0 = time.perf_counter()
    con.events("plain", "ALL")
    recv = con.recvEvent
    while True:
        e = recv()
        name = e.getHeader("Event-Name")
        if name == EVENT_NAME:
            chk.check(name, e.getHeader("Unique-ID"))
            get, nxt = e.getHeader, e.nextHeader
            h = e.firstHeader()
            while h is not None:
                get(h)
                headers += 1
                h = nxt()
        elif name == "CUSTOM" and e.getHeader("Event-Subclass") == END_SUBCLASS:
            break
        elif not con.connected():
            break
        else:
            chk.misframed += 1
    seconds = (chk.t_last or t0) - t0
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost,
                headers_per_event=headers / max(1, chk.good + chk.misframed))


def api(con, calls):
    bad = 0
    call = con.api
    t0 = time.perf_counter()
    for _ in range(calls):
        if call("status").getBody() != API_STATUS_BODY:
            bad += 1
    seconds = time.perf_counter() - t0
    return dict(count=calls - bad, seconds=seconds, misframed=bad, lost=0)


def bgapi(con, burst, bursts):
    con.events("plain", "BACKGROUND_JOB")
    good = bad = 0
    t0 = time.perf_counter()
    for _ in range(bursts):
        pending = set()
        for _ in range(burst):
            pending.add(con.bgapi("status").getHeader("Job-UUID"))
        for _ in range(burst):
            e = con.recvEvent()
            job = e.getHeader("Job-UUID")
            if e.getHeader("Event-Name") == "BACKGROUND_JOB" and job in pending \
                    and e.getBody() == API_STATUS_BODY:
                pending.discard(job)
                good += 1
            else:
                bad += 1
    seconds = time.perf_counter() - t0
    return dict(count=good, seconds=seconds, misframed=bad, lost=burst * bursts - good)


def slow(con, consume, delay):
    """Consume ``consume`` events with ``delay`` s of 'work' each; report the RSS growth."""
    base = clientlib.proc_status_kb("VmRSS")
    chk = SeqCheck(consume)
    t0 = time.perf_counter()
    con.events("plain", "ALL")
    for _ in range(consume):
        e = con.recvEvent()
        chk.check(e.getHeader("Event-Name"), e.getHeader("Unique-ID"))
        time.sleep(delay)
    seconds = time.perf_counter() - t0
    hwm = clientlib.proc_status_kb("VmHWM")
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost,
                base_kb=base, growth_kb=hwm - base)


def main():
    test, port, p = clientlib.args()
    con = connect(port)
    if test == "stream" and p["format"] == "xml":
        r = stream_xml(con, p["events"], p["kind"])
    elif test == "stream":
        r = stream(con, p["format"], p["events"], p["kind"])
    elif test == "walk":
        r = walk(con, p["events"])
    elif test == "api":
        r = api(con, p["calls"])
    elif test == "bgapi":
        r = bgapi(con, p["burst"], p["bursts"])
    elif test == "slow":
        r = slow(con, p["consume"], p["delay"])
    else:
        raise SystemExit("unknown test %r" % test)
    emit(module=ESL.__file__, **r)
    con.disconnect()


if __name__ == "__main__":
    main()
