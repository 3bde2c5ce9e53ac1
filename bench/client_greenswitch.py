"""Benchmark client for greenswitch (gevent, its own API): a minimal adapter, same tests.

Usage: ``python bench/client_greenswitch.py TEST PORT PARAMS_JSON`` with the greenswitch
virtualenv's python (run.py makes it under bench/.cache). Prints one ``RESULT {json}`` line,
or ``RESULT {"na": reason}`` for what greenswitch cannot do.

How the adapter maps the tests: events arrive in greenswitch's processing greenlet through a
``'*'`` handler (it parses every frame into a dict ``event.headers``); ``api`` is
``send('api status')``; ``bgapi`` is ``send('bgapi status')`` and the job's event comes to a
BACKGROUND_JOB handler; the slow consumer's handler does ``gevent.sleep`` (cooperative work, as
a gevent application would); the walk iterates ``event.headers`` (there is no
firstHeader/nextHeader). Not possible: JSON events (greenswitch url-decodes and splits every
body as plain headers, so a JSON body becomes one bogus header).
"""
import time

import gevent
import gevent.event
import gevent.queue
from greenswitch.esl import InboundESL

import clientlib
from clientlib import API_STATUS_BODY, END_SUBCLASS, SeqCheck, emit

TIMEOUT = 120  # a stuck run fails instead of hanging the whole benchmark


def connect(port):
    con = InboundESL(host="127.0.0.1", port=port, password="ClueCon")
    con.connect()
    return con


def stream(con, total, walk=False, kind="loopback"):
    chk = SeqCheck(total, kind)
    done = gevent.event.Event()
    state = {"headers": 0}

    def on_event(event):
        h = event.headers
        name = h.get("Event-Name")
        uid = h.get("Unique-ID")
        if uid is not None:
            chk.check(name, uid)
            if walk:
                n = 0
                for k in h:
                    h[k]
                    n += 1
                state["headers"] += n
        else:
            chk.misframed += 1

    con.register_handle("*", on_event)
    con.register_handle(END_SUBCLASS, lambda event: done.set())
    t0 = time.perf_counter()  # before subscribing: a library may read ahead
    con.send("event plain ALL")
    if not done.wait(TIMEOUT):
        raise SystemExit("greenswitch: no end of stream after %d s" % TIMEOUT)
    seconds = (chk.t_last or t0) - t0
    r = dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost)
    if walk:
        r["headers_per_event"] = state["headers"] / max(1, chk.good)
    return r


def api(con, calls):
    bad = 0
    t0 = time.perf_counter()
    for _ in range(calls):
        if con.send("api status").data != API_STATUS_BODY:
            bad += 1
    return dict(count=calls - bad, seconds=time.perf_counter() - t0, misframed=bad, lost=0)


def bgapi(con, burst, bursts):
    q = gevent.queue.Queue()
    con.register_handle("BACKGROUND_JOB", q.put)
    con.send("event plain BACKGROUND_JOB")
    good = bad = 0
    t0 = time.perf_counter()
    for _ in range(bursts):
        pending = set()
        for _ in range(burst):
            pending.add(con.send("bgapi status").headers.get("Job-UUID"))
        for _ in range(burst):
            e = q.get(timeout=TIMEOUT)
            job = e.headers.get("Job-UUID")
            # greenswitch's plain parser keeps the body text inside the headers dict: the
            # last header holds the body after it; we only check the job here.
            if job in pending:
                pending.discard(job)
                good += 1
            else:
                bad += 1
    return dict(count=good, seconds=time.perf_counter() - t0, misframed=bad,
                lost=burst * bursts - good)


def slow(con, consume, delay):
    base = clientlib.proc_status_kb("VmRSS")
    chk = SeqCheck(consume)
    done = gevent.event.Event()

    def on_event(event):
        if chk.good + chk.misframed >= consume:
            done.set()
            return
        chk.check(event.headers.get("Event-Name"), event.headers.get("Unique-ID"))
        gevent.sleep(delay)

    con.register_handle("*", on_event)
    t0 = time.perf_counter()  # before subscribing: a library may read ahead
    con.send("event plain ALL")
    done.wait(TIMEOUT)
    seconds = time.perf_counter() - t0
    hwm = clientlib.proc_status_kb("VmHWM")
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost,
                base_kb=base, growth_kb=hwm - base)


def main():
    test, port, p = clientlib.args()
    if p.get("format", "plain") != "plain":
        emit(na="no %s events: greenswitch parses every body as plain headers" % p["format"])
        return
    con = connect(port)
    if test == "stream":
        r = stream(con, p["events"], kind=p["kind"])
    elif test == "walk":
        r = stream(con, p["events"], walk=True)
    elif test == "api":
        r = api(con, p["calls"])
    elif test == "bgapi":
        r = bgapi(con, p["burst"], p["bursts"])
    elif test == "slow":
        r = slow(con, p["consume"], p["delay"])
    else:
        raise SystemExit("unknown test %r" % test)
    import greenswitch
    emit(module=greenswitch.__file__, **r)
    # stop() would wait for the greenlets; the process ends here anyway.
    con.sock.close()


if __name__ == "__main__":
    main()
