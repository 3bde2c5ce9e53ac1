"""The thread-safe event queue between a connection's reader thread and its consumer.

The policy (bounded, oldest dropped first, counted, logged once per burst) is
:class:`ESL.protocol.client.EventBuffer`'s; this module adds the lock and the waiting.
"""
import threading
import time
from typing import Iterable, Optional

from ..datastructures import Event
from ..exceptions import ConnectionClosed, Timeout
from ..protocol.client import EventBuffer

__all__ = ["EventQueue"]


class EventQueue:
    """Events in arrival order; :meth:`get` blocks. The reader never blocks on it."""

    def __init__(self, maxsize: Optional[int]) -> None:
        self._buffer = EventBuffer(maxsize)
        self._cond = threading.Condition(threading.Lock())
        self._closed = False
        self._error: Optional[Exception] = None

    @property
    def dropped(self) -> int:
        return self._buffer.dropped

    def __len__(self) -> int:
        return len(self._buffer)

    def put_many(self, events: Iterable[Event]) -> None:
        with self._cond:
            self._buffer.put_many(events)
            self._cond.notify()

    def close(self, error: Optional[Exception] = None) -> None:
        """No more events will come: waiting consumers wake up; once the queue is empty,
        :meth:`get` raises ``error`` (a ConnectionClosed by default)."""
        with self._cond:
            self._closed = True
            self._error = error
            self._cond.notify_all()

    def get(self, timeout: Optional[float] = None) -> Event:
        """The oldest event; Timeout after ``timeout`` seconds (None: no limit),
        ConnectionClosed once closed and empty."""
        with self._cond:
            buffer = self._buffer
            if len(buffer):
                return buffer.get()
            deadline = None if timeout is None else time.monotonic() + timeout
            while not len(buffer):
                if self._closed:
                    if self._error is not None and not isinstance(self._error,
                                                                  ConnectionClosed):
                        raise self._error
                    raise ConnectionClosed("the connection is closed and no event is left")
                if deadline is None:
                    self._cond.wait()
                else:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise Timeout("no event within %s s" % timeout)
                    self._cond.wait(left)
            event = buffer.get()
            if len(buffer):
                self._cond.notify()     # another consumer may take the next one
            return event
