"""Running ``async def`` tests without a plugin: ``@aio.async_test`` runs one in ``asyncio.run``.

The wrapped test keeps its signature, so pytest fixtures and parametrize work as usual. The
whole coroutine runs under a generous bound (a hang fails the test instead of stalling the
suite), and when it returns no other task may still be alive: a front end that leaves a reader
or handler task behind fails the test that caused it.
"""
import asyncio
import functools

BOUND = 60.0  # seconds for one whole test; generous, for a loaded machine


def async_test(fn):
    """Decorator: run the ``async def`` test ``fn`` in a fresh event loop."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        asyncio.run(_checked(fn(*args, **kwargs)))

    return wrapper


async def _checked(coro):
    await asyncio.wait_for(coro, BOUND)
    # Let callbacks scheduled by the last close (done callbacks, transports) run first.
    for _ in range(5):
        await asyncio.sleep(0)
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert not left, "tasks left behind: %r" % (left,)


async def until(predicate, timeout=10.0, interval=0.02):
    """Poll ``predicate`` until it is true, without blocking the loop; returns its last value
    (generous bound)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value or loop.time() > deadline:
            return value
        await asyncio.sleep(interval)


async def blocking(fn, *args, **kwargs):
    """Run a blocking helper (a legacy connection firing events, a simulator restart) in a
    thread, so the client under test keeps reading meanwhile."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))
