"""``connect()``: open an inbound connection to FreeSWITCH's event socket, for asyncio."""
from typing import Optional

from ..protocol.client import ClientProtocol
from .connection import Connection, dial

__all__ = ["connect"]


class _Connecting:
    """What :func:`connect` returns: awaitable (``conn = await connect()``) and an async
    context manager (``async with connect() as conn:``, closed on exit)."""

    __slots__ = ("_connection", "_started")

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._started = False

    async def _open(self) -> Connection:
        if self._started:
            raise RuntimeError("this connect() was awaited already; call connect() again")
        self._started = True
        await self._connection._start()
        return self._connection

    def __await__(self):
        return self._open().__await__()

    async def __aenter__(self) -> Connection:
        return await self._open()

    async def __aexit__(self, *exc) -> None:
        await self._connection.close()


def connect(host: str = "127.0.0.1", port: int = 8021, password: str = "ClueCon", *,
            user: Optional[str] = None, timeout: Optional[float] = 10.0,
            command_timeout: Optional[float] = None, reconnect: bool = False,
            max_queue: Optional[int] = 10000, liveness: Optional[float] = None) -> _Connecting:
    """Connect and log in: ``conn = await connect(...)``, or ``async with connect(...) as
    conn:`` to close it at the end; either gives the open :class:`~ESL.asyncio.Connection`.

    The arguments are those of :func:`ESL.sync.connect`, with the same meaning: ``timeout``
    bounds the TCP connect and the login together (and each later reconnection attempt);
    ``user`` logs in with ``userauth user:password``; ``command_timeout`` is the default
    timeout of command replies (None: no limit); ``max_queue`` bounds the queue of received
    events (None: unbounded), dropping the oldest when full and counting them in
    :attr:`Connection.dropped <ESL.asyncio.Connection.dropped>`; ``reconnect`` keeps the
    connection across drops (pending calls raise :class:`~ESL.exceptions.ConnectionClosed`,
    backoff with jitter, subscriptions and filters replayed first, a ``SERVER_DISCONNECTED``
    event with ``Reconnecting: true`` marks the gap, a refused login is final);
    ``liveness`` (seconds) treats a link that receives nothing for that long as dead. TCP
    keepalive is always on.

    Raises :class:`~ESL.exceptions.Timeout` if the server does not greet and accept us
    within ``timeout``, :class:`~ESL.exceptions.AuthenticationError` if it refuses the
    password, :class:`~ESL.exceptions.ConnectionClosed` if it cannot be reached.
    """
    protocol = ClientProtocol(password, user, reconnect=reconnect)
    return _Connecting(Connection(protocol, dial(host, port), timeout=timeout,
                                  command_timeout=command_timeout, max_queue=max_queue,
                                  liveness=liveness))
