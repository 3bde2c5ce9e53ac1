"""Benchmark client for genesis (asyncio, its own API): a minimal adapter, same tests.

Usage: ``python bench/client_genesis.py TEST PORT PARAMS_JSON`` with the genesis virtualenv's
python (run.py makes it under bench/.cache). Prints one ``RESULT {json}`` line, or
``RESULT {"na": reason}`` for what genesis cannot do.

How the adapter maps the tests, the way a genesis application is written: ``Inbound`` as an
async context manager on the default asyncio loop (no uvloop, like our asyncio client); events
come to an ``async def`` handler registered with ``on("*")`` (genesis runs one task per event
and handler), the end marker to a handler on its subclass; ``api`` is ``send('api status')``;
``bgapi`` is ``send('bgapi status')`` with the job's event through a BACKGROUND_JOB handler; the
slow consumer's handler awaits ``asyncio.sleep`` (genesis starts one task per event, so the
"work" of many events overlaps); the walk iterates the event's headers mapping. Not possible:
JSON events (genesis leaves a JSON body as one unparsed string).
"""
import asyncio
import time

from genesis import Inbound

import clientlib
from clientlib import API_STATUS_BODY, END_SUBCLASS, SeqCheck, emit

TIMEOUT = 120  # a stuck run fails instead of hanging the whole benchmark


def first(value):
    """genesis turns a repeated header into a list; the checks read its first value."""
    return value[0] if isinstance(value, list) else value


async def stream(con, total, walk=False, kind="loopback"):
    chk = SeqCheck(total, kind)
    done = asyncio.Event()
    state = {"headers": 0}

    async def on_event(event):
        name = first(event.get("Event-Name"))
        uid = first(event.get("Unique-ID"))
        if uid is not None:
            chk.check(name, uid)
            if walk:
                n = 0
                for k in event:
                    event[k]
                    n += 1
                state["headers"] += n
        elif first(event.get("Event-Subclass")) != END_SUBCLASS:
            chk.misframed += 1

    async def on_end(event):
        done.set()

    con.on("*", on_event)
    con.on(END_SUBCLASS, on_end)
    t0 = time.perf_counter()  # before subscribing: a library may read ahead
    await con.send("event plain ALL")
    await asyncio.wait_for(done.wait(), TIMEOUT)
    seconds = (chk.t_last or t0) - t0
    r = dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost)
    if walk:
        r["headers_per_event"] = state["headers"] / max(1, chk.good)
    return r


async def api(con, calls):
    bad = 0
    t0 = time.perf_counter()
    for _ in range(calls):
        if (await con.send("api status")).body != API_STATUS_BODY:
            bad += 1
    return dict(count=calls - bad, seconds=time.perf_counter() - t0, misframed=bad, lost=0)


async def bgapi(con, burst, bursts):
    q = asyncio.Queue()

    async def on_job(event):
        q.put_nowait(event)

    con.on("BACKGROUND_JOB", on_job)
    await con.send("event plain BACKGROUND_JOB")
    good = bad = 0
    t0 = time.perf_counter()
    for _ in range(bursts):
        pending = set()
        for _ in range(burst):
            pending.add(first((await con.send("bgapi status")).get("Job-UUID")))
        for _ in range(burst):
            e = await asyncio.wait_for(q.get(), TIMEOUT)
            job = first(e.get("Job-UUID"))
            if job in pending and e.body == API_STATUS_BODY:
                pending.discard(job)
                good += 1
            else:
                bad += 1
    return dict(count=good, seconds=time.perf_counter() - t0, misframed=bad,
                lost=burst * bursts - good)


async def slow(con, consume, delay):
    base = clientlib.proc_status_kb("VmRSS")
    chk = SeqCheck(consume)
    done = asyncio.Event()

    async def on_event(event):
        if chk.good + chk.misframed >= consume:
            done.set()
            return
        chk.check(first(event.get("Event-Name")), first(event.get("Unique-ID")))
        await asyncio.sleep(delay)

    con.on("*", on_event)
    t0 = time.perf_counter()  # before subscribing: a library may read ahead
    await con.send("event plain ALL")
    try:
        await asyncio.wait_for(done.wait(), TIMEOUT)
    except asyncio.TimeoutError:
        pass
    seconds = time.perf_counter() - t0
    hwm = clientlib.proc_status_kb("VmHWM")
    return dict(count=chk.good, seconds=seconds, misframed=chk.misframed, lost=chk.lost,
                base_kb=base, growth_kb=hwm - base)


async def run(test, port, p):
    async with Inbound("127.0.0.1", port, "ClueCon") as con:
        if test == "stream":
            return await stream(con, p["events"], kind=p["kind"])
        if test == "walk":
            return await stream(con, p["events"], walk=True)
        if test == "api":
            return await api(con, p["calls"])
        if test == "bgapi":
            return await bgapi(con, p["burst"], p["bursts"])
        if test == "slow":
            return await slow(con, p["consume"], p["delay"])
        raise SystemExit("unknown test %r" % test)


def main():
    test, port, p = clientlib.args()
    if p.get("format", "plain") != "plain":
        emit(na="no %s events: genesis leaves such a body as one unparsed string" % p["format"])
        return
    r = asyncio.run(run(test, port, p))
    import genesis
    emit(module=genesis.__file__, **r)


if __name__ == "__main__":
    main()
