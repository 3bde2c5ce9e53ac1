"""The event queue between a connection's reader task and its consumers, for asyncio.

The policy (bounded, oldest dropped first, counted, logged once per burst) is
:class:`ESL.protocol.client.EventBuffer`'s; this module adds the waiting. Everything runs on
the event loop's thread, so there is no lock.
"""
import asyncio
from collections import deque
from typing import Deque, Iterable, Optional

from ..datastructures import Event
from ..exceptions import ConnectionClosed, Timeout
from ..protocol.client import EventBuffer

__all__ = ["EventQueue"]


class EventQueue:
    """Events in arrival order; :meth:`get` waits. The reader never waits on it."""

    def __init__(self, maxsize: Optional[int]) -> None:
        self._buffer = EventBuffer(maxsize)
        self._getters: Deque[asyncio.Future] = deque()
        self._closed = False
        self._error: Optional[Exception] = None

    @property
    def dropped(self) -> int:
        return self._buffer.dropped

    def __len__(self) -> int:
        return len(self._buffer)

    def put_many(self, events: Iterable[Event]) -> None:
        self._buffer.put_many(events)
        self._wake_one()

    def close(self, error: Optional[Exception] = None) -> None:
        """No more events will come: waiting consumers wake up; once the queue is empty,
        :meth:`get` raises ``error`` (a ConnectionClosed by default)."""
        self._closed = True
        self._error = error
        while self._getters:
            self._wake_one()

    async def get(self, timeout: Optional[float] = None) -> Event:
        """The oldest event; Timeout after ``timeout`` seconds (None: no limit),
        ConnectionClosed once closed and empty."""
        buffer = self._buffer
        if len(buffer):
            return buffer.get()
        return await self._wait(timeout)

    async def _wait(self, timeout: Optional[float]) -> Event:
        buffer = self._buffer
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while not len(buffer):
            if self._closed:
                if self._error is not None and not isinstance(self._error, ConnectionClosed):
                    raise self._error
                raise ConnectionClosed("the connection is closed and no event is left")
            if deadline is not None and loop.time() >= deadline:
                raise Timeout("no event within %s s" % timeout)
            getter = loop.create_future()
            self._getters.append(getter)
            timer = None if deadline is None else loop.call_at(deadline, _wake, getter)
            try:
                await getter
            except asyncio.CancelledError:
                # Cancelled after being woken: pass the turn on to the next consumer.
                if getter.done() and not getter.cancelled() and len(buffer):
                    self._wake_one()
                raise
            finally:
                if timer is not None:
                    timer.cancel()
                try:
                    self._getters.remove(getter)
                except ValueError:
                    pass
        event = buffer.get()
        if len(buffer):
            self._wake_one()    # another consumer may take the next one
        return event

    def _wake_one(self) -> None:
        getters = self._getters
        while getters:
            getter = getters.popleft()
            if not getter.done():
                getter.set_result(None)
                return


def _wake(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)
