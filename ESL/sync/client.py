"""``connect()``: open an inbound connection to FreeSWITCH's event socket."""
from typing import Optional

from ..protocol.client import ClientProtocol
from .connection import Connection, dial

__all__ = ["connect"]


def connect(host: str = "127.0.0.1", port: int = 8021, password: str = "ClueCon", *,
            user: Optional[str] = None, timeout: Optional[float] = 10.0,
            command_timeout: Optional[float] = None, reconnect: bool = False,
            max_queue: Optional[int] = 10000, liveness: Optional[float] = None) -> Connection:
    """Connect and log in; return the open :class:`~ESL.sync.Connection`.

    ``timeout`` bounds the TCP connect and the login together (and each later reconnection
    attempt). ``user`` logs in with ``userauth user:password`` instead of ``auth``.
    ``command_timeout`` is the default timeout of command replies (None: no limit).
    ``max_queue`` bounds the queue of received events (None: unbounded): when it is full
    the oldest event is dropped and counted in :attr:`Connection.dropped
    <ESL.sync.Connection.dropped>`.

    With ``reconnect`` the connection survives a drop: calls pending at the drop raise
    :class:`~ESL.exceptions.ConnectionClosed`, a new link is made with capped exponential
    backoff and jitter, subscriptions and filters are replayed before any new command, and
    the consumer finds a ``SERVER_DISCONNECTED`` event with a ``Reconnecting: true`` header
    where the gap is (events sent while the link was down are lost). A refused login stays
    final. ``liveness`` (seconds) treats a link that receives nothing for that long as dead
    (FreeSWITCH sends HEARTBEAT every 20 s to a connection subscribed to it); TCP
    keepalive is always on.

    Raises :class:`~ESL.exceptions.Timeout` if the server does not greet and accept us
    within ``timeout``, :class:`~ESL.exceptions.AuthenticationError` if it refuses the
    password, :class:`~ESL.exceptions.ConnectionClosed` if it cannot be reached.
    """
    protocol = ClientProtocol(password, user, reconnect=reconnect)
    connection = Connection(protocol, dial(host, port), timeout=timeout,
                            command_timeout=command_timeout, max_queue=max_queue,
                            liveness=liveness)
    connection._start()
    return connection
