"""Outbound mode for asyncio: ``serve()`` accepts the connections FreeSWITCH makes for calls
(the ``socket`` dialplan application) and runs a handler for each call in its own task."""
import asyncio
import logging
from typing import Awaitable, Callable, Optional, Set

from ..datastructures import Event
from ..exceptions import ESLError
from ..protocol.client import ClientProtocol
from .connection import Connection

__all__ = ["OutboundConnection", "Server", "serve"]

logger = logging.getLogger("ESL.asyncio")

#: Seconds FreeSWITCH's connection gets to answer ``connect``.
HANDSHAKE_TIMEOUT = 10.0


class OutboundConnection(Connection):
    """The connection FreeSWITCH made for one call; handed to the :func:`serve` handler.

    Everything of :class:`Connection`, plus the call: :attr:`channel`, :attr:`uuid`, and
    :meth:`execute` / :meth:`hangup` acting on this call unless told otherwise. It never
    reconnects (FreeSWITCH opens the connection).
    """

    @property
    def channel(self) -> Event:
        """The channel data FreeSWITCH sent in reply to ``connect`` (``Channel-Name``,
        ``Caller-Caller-ID-Number``, ``variable_...``)."""
        return self._proto.channel

    @property
    def uuid(self) -> Optional[str]:
        """The call's uuid (``Unique-ID`` of the channel data)."""
        return self._proto.channel_uuid

    async def hangup(self, cause: str = "NORMAL_CLEARING", *,
                     timeout: Optional[float] = None) -> Event:
        """Hang up this call with ``cause``; returns the reply."""
        return await self._reply_call(lambda proto: proto.hangup(None, cause), timeout,
                                      "hangup")


Handler = Callable[[OutboundConnection], Awaitable[None]]


class Server:
    """A listening socket for outbound connections (made by :func:`serve`), accepting calls
    from the moment it exists.

    Each call runs ``await handler(conn)`` in a task of its own with an
    :class:`OutboundConnection`. A handler that raises is logged and its call hung up
    (cause ``NORMAL_TEMPORARY_FAILURE``); the server goes on. When the handler returns, the
    connection is closed. :meth:`serve_forever` waits until :meth:`shutdown`. An async
    context manager (shuts down on exit).
    """

    def __init__(self, handler: Handler, linger: bool, myevents: bool,
                 max_queue: Optional[int]) -> None:
        self._handler = handler
        self._linger = linger
        self._myevents = myevents
        self._max_queue = max_queue
        self._server: Optional[asyncio.AbstractServer] = None
        self._stopped: Optional[asyncio.Future] = None
        self._tasks: Set[asyncio.Task] = set()

    async def _listen(self, host: str, port: int) -> "Server":
        self._stopped = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, host, port, backlog=128,
                                                  reuse_address=True)
        return self

    @property
    def port(self) -> int:
        """The port listened on (the one picked when ``port=0`` was given)."""
        return self._server.sockets[0].getsockname()[1]

    @property
    def host(self) -> str:
        """The address listened on."""
        return self._server.sockets[0].getsockname()[0]

    @property
    def calls(self) -> int:
        """How many calls are being handled now."""
        return len(self._tasks)

    async def serve_forever(self) -> None:
        """Wait until :meth:`shutdown` (calls are accepted meanwhile). Cancelling it shuts
        the server down."""
        try:
            await asyncio.shield(self._stopped)
        except asyncio.CancelledError:
            await self.shutdown()
            raise

    async def shutdown(self, timeout: Optional[float] = None) -> None:
        """Stop accepting calls and close the listening socket; calls in progress go on
        (their tasks are waited for up to ``timeout`` seconds; None: not at all)."""
        if not self._stopped.done():
            self._stopped.set_result(None)
            self._server.close()
        if timeout is not None and self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    async def __aenter__(self) -> "Server":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.shutdown()

    async def _handle(self, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            protocol = ClientProtocol(outbound=True, linger=self._linger,
                                      myevents=self._myevents)
            conn = OutboundConnection(protocol, None, timeout=HANDSHAKE_TIMEOUT,
                                      command_timeout=None, max_queue=self._max_queue,
                                      liveness=None)
            try:
                await conn._start((reader, writer))
            except ESLError as exc:
                logger.warning("outbound connection failed before the call: %s", exc)
                return
            try:
                await self._handler(conn)
            except Exception:
                logger.exception("the outbound handler failed; hanging up the call")
                try:
                    # Waits until the channel hung up: a socket closed while the hangup is
                    # still queued on the channel could let the call end with another cause.
                    await conn.execute("hangup", "NORMAL_TEMPORARY_FAILURE",
                                       timeout=HANDSHAKE_TIMEOUT)
                except ESLError:
                    pass        # hung up meanwhile, or the call or the link is gone already
            finally:
                await conn.close()
        finally:
            self._tasks.discard(task)


class _Serving:
    """What :func:`serve` returns: awaitable (``server = await serve()``) and an async
    context manager (``async with serve() as server:``, shut down on exit)."""

    __slots__ = ("_server", "_host", "_port", "_started")

    def __init__(self, server: Server, host: str, port: int) -> None:
        self._server = server
        self._host = host
        self._port = port
        self._started = False

    async def _open(self) -> Server:
        if self._started:
            raise RuntimeError("this serve() was awaited already; call serve() again")
        self._started = True
        return await self._server._listen(self._host, self._port)

    def __await__(self):
        return self._open().__await__()

    async def __aenter__(self) -> Server:
        return await self._open()

    async def __aexit__(self, *exc) -> None:
        await self._server.shutdown()


def serve(handler: Handler, host: str = "127.0.0.1", port: int = 8040, *,
          linger: bool = True, myevents: bool = True,
          max_queue: Optional[int] = 10000) -> _Serving:
    """Listen for FreeSWITCH's outbound connections on ``host:port`` (loopback by default;
    ``port=0`` picks a free port, see :attr:`Server.port`): ``server = await serve(...)`` or
    ``async with serve(...) as server:``; calls are handled from then on, each by ``await
    handler(conn)`` in a task of its own (``handler`` is an ``async def`` taking an
    :class:`OutboundConnection`).

    Each connection is answered with ``connect``, then ``linger`` (so the call's last
    events, up to CHANNEL_HANGUP_COMPLETE, still arrive) and ``myevents`` (every event of
    the call), unless turned off, before the handler runs.
    """
    return _Serving(Server(handler, linger, myevents, max_queue), host, port)
