"""Outbound mode: ``serve()`` accepts the connections FreeSWITCH makes for calls (the
``socket`` dialplan application) and runs a handler for each call in its own thread."""
import logging
import os
import select
import socket
import threading
from typing import Callable, Optional

from .. import _sockopts
from ..datastructures import Event
from ..exceptions import ESLError
from ..protocol.client import ClientProtocol
from .connection import Connection

__all__ = ["OutboundConnection", "Server", "serve"]

logger = logging.getLogger("ESL.sync")

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

    def hangup(self, cause: str = "NORMAL_CLEARING", *,
               timeout: Optional[float] = None) -> Event:
        """Hang up this call with ``cause``; returns the reply."""
        return self._reply_call(lambda proto: proto.hangup(None, cause), timeout, "hangup")


class Server:
    """A listening socket for outbound connections (made by :func:`serve`).

    :meth:`serve_forever` accepts calls until :meth:`shutdown`; each runs ``handler(conn)``
    in its own thread with an :class:`OutboundConnection`. A handler that raises is logged
    and its call hung up (cause ``NORMAL_TEMPORARY_FAILURE``); the server goes on. When the
    handler returns, the connection is closed. A context manager (shuts down on exit).
    """

    def __init__(self, handler: Callable[[OutboundConnection], None], host: str, port: int,
                 linger: bool, myevents: bool, max_queue: Optional[int]) -> None:
        self._handler = handler
        self._linger = linger
        self._myevents = myevents
        self._max_queue = max_queue
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind((host, port))
            self._listener.listen(128)
        except OSError:
            self._listener.close()
            raise
        self._wake_r, self._wake_w = os.pipe()   # wakes select() in serve_forever
        self._stopping = threading.Event()
        self._serving = False
        self._lock = threading.Lock()
        self._threads = set()

    @property
    def port(self) -> int:
        """The port listened on (the one picked when ``port=0`` was given)."""
        return self._listener.getsockname()[1]

    @property
    def host(self) -> str:
        """The address listened on."""
        return self._listener.getsockname()[0]

    def serve_forever(self) -> None:
        """Accept and handle calls until :meth:`shutdown` (from another thread)."""
        with self._lock:
            if self._stopping.is_set() or self._serving:
                raise RuntimeError("this server is shut down or already serving")
            self._serving = True
        try:
            while not self._stopping.is_set():
                try:
                    readable, _, _ = select.select([self._listener, self._wake_r], [], [])
                except (OSError, ValueError):
                    if self._stopping.is_set():
                        break       # shutdown() closed the listener meanwhile
                    raise
                if self._stopping.is_set():
                    break
                if self._listener not in readable:
                    continue
                try:
                    sock, _peer = self._listener.accept()
                except OSError:
                    continue        # the peer gave up already
                thread = threading.Thread(target=self._handle, args=(sock,), daemon=True,
                                          name="esl-outbound")
                with self._lock:
                    self._threads.add(thread)
                thread.start()
        finally:
            with self._lock:
                self._serving = False
                os.close(self._wake_r)
                os.close(self._wake_w)

    def shutdown(self, timeout: Optional[float] = None) -> None:
        """Stop accepting calls and close the listening socket; calls in progress go on
        (their threads are waited for up to ``timeout`` seconds; None: not at all)."""
        with self._lock:
            if not self._stopping.is_set():
                self._stopping.set()
                if self._serving:
                    os.write(self._wake_w, b"x")    # serve_forever closes the pipe
                else:
                    os.close(self._wake_r)
                    os.close(self._wake_w)
        self._listener.close()
        if timeout is not None:
            with self._lock:
                threads = list(self._threads)
            for thread in threads:
                thread.join(timeout)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def _handle(self, sock: socket.socket) -> None:
        try:
            _sockopts.configure(sock)
            protocol = ClientProtocol(outbound=True, linger=self._linger,
                                      myevents=self._myevents)
            conn = OutboundConnection(protocol, None, timeout=HANDSHAKE_TIMEOUT,
                                      command_timeout=None, max_queue=self._max_queue,
                                      liveness=None)
            try:
                conn._start(sock)
            except ESLError as exc:
                logger.warning("outbound connection failed before the call: %s", exc)
                return
            try:
                self._handler(conn)
            except Exception:
                logger.exception("the outbound handler failed; hanging up the call")
                try:
                    # Waits until the channel hung up: a socket closed while the hangup is
                    # still queued on the channel could let the call end with another cause.
                    conn.execute("hangup", "NORMAL_TEMPORARY_FAILURE", timeout=HANDSHAKE_TIMEOUT)
                except ESLError:
                    pass        # hung up meanwhile, or the call or the link is gone already
            finally:
                conn.close()
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())


def serve(handler: Callable[[OutboundConnection], None], host: str = "127.0.0.1",
          port: int = 8040, *, linger: bool = True, myevents: bool = True,
          max_queue: Optional[int] = 10000) -> Server:
    """Listen for FreeSWITCH's outbound connections on ``host:port`` (loopback by default;
    ``port=0`` picks a free port, see :attr:`Server.port`) and return the :class:`Server`;
    call :meth:`Server.serve_forever` to handle calls.

    Each connection is answered with ``connect``, then ``linger`` (so the call's last
    events, up to CHANNEL_HANGUP_COMPLETE, still arrive) and ``myevents`` (every event of
    the call), unless turned off, before ``handler(conn)`` runs.
    """
    return Server(handler, host, port, linger, myevents, max_queue)
