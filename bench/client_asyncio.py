"""Benchmark client for the modern asyncio API, ``ESL.asyncio``: same tests as client_esl.py.

Usage: ``python3 bench/client_asyncio.py TEST PORT PARAMS_JSON``; PYTHONPATH decides which
``ESL`` is imported (run.py checks ``module`` in the result). Prints one ``RESULT {json}`` line.

Tests (client actions, as in client_esl.py): stream (params ``format`` plain, json or xml and
``kind``; XML events come parsed, like the others) is ``async for event in conn`` reading
``Event-Name`` and ``Unique-ID``; api is ``await conn.api("status")`` (unchecked, as in the
other clients); bgapi sends bursts of ``await conn.bgapi("status")`` and then awaits each job;
the walk reads every header of every event through ``event.headers`` (as client_sync.py does);
the slow consumer awaits ``asyncio.sleep`` per event with the default ``max_queue``, so what it
cannot keep up with is dropped (``dropped`` in the result) and memory is bounded by the queue.
"""
import asyncio
import time

import clientlib
from clientlib import API_STATUS_BODY, END_SUBCLASS, SeqCheck, emit

import ESL
from ESL.asyncio import connect


async def stream(conn, fmt, total, kind="loopback", walk=False):
    chk = SeqCheck(total, kind)
    check = chk.check
    headers = 0
    t0 = time.perf_counter()  # before subscribing: a library may read ahead
    await conn.subscribe("ALL", format=fmt)
    async for e in conn:
        name = e.get("Event-Name")
        uid = e.get("Unique-ID")
        if uid is not None:
            check(name, uid)
            if walk:
                for _name, _value in e.headers:
                    headers += 1
        elif name == "CUSTOM" and e.get("Event-Subclass") == END_SUBCLASS:
            break
        else:
            chk.misframed += 1
    seconds = (chk.t_last or t0) - t0
    r = dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost)
    if walk:
        r["headers_per_event"] = headers / max(1, chk.good + chk.misframed)
    return r


async def api(conn, calls):
    bad = 0
    call = conn.api
    t0 = time.perf_counter()
    for _ in range(calls):
        if await call("status", check=False) != API_STATUS_BODY:
            bad += 1
    return dict(count=calls - bad, seconds=time.perf_counter() - t0, misframed=bad, lost=0)


async def bgapi(conn, burst, bursts):
    good = bad = 0
    t0 = time.perf_counter()
    for _ in range(bursts):
        jobs = [await conn.bgapi("status") for _ in range(burst)]
        for job in jobs:
            if await job == API_STATUS_BODY:
                good += 1
            else:
                bad += 1
    return dict(count=good, seconds=time.perf_counter() - t0, misframed=bad,
                lost=burst * bursts - good)


async def slow(conn, consume, delay):
    base = clientlib.proc_status_kb("VmRSS")
    chk = SeqCheck(consume)
    t0 = time.perf_counter()
    await conn.subscribe("ALL")
    for _ in range(consume):
        e = await conn.recv()
        chk.check(e.get("Event-Name"), e.get("Unique-ID"))
        await asyncio.sleep(delay)
    seconds = time.perf_counter() - t0
    hwm = clientlib.proc_status_kb("VmHWM")
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost,
                base_kb=base, growth_kb=hwm - base, dropped=conn.dropped)


async def run(test, port, p):
    async with connect("127.0.0.1", port, "ClueCon") as conn:
        if test == "stream":
            return await stream(conn, p["format"], p["events"], p["kind"])
        if test == "walk":
            return await stream(conn, "plain", p["events"], walk=True)
        if test == "api":
            return await api(conn, p["calls"])
        if test == "bgapi":
            return await bgapi(conn, p["burst"], p["bursts"])
        if test == "slow":
            return await slow(conn, p["consume"], p["delay"])
        raise SystemExit("unknown test %r" % test)


def main():
    test, port, p = clientlib.args()
    r = asyncio.run(run(test, port, p))
    emit(module=ESL.__file__, **r)


if __name__ == "__main__":
    main()
