"""Socket options of the modern clients' TCP links (shared by :mod:`ESL.sync` and
:mod:`ESL.asyncio`): no Nagle delay, and TCP keepalive so that a dead peer is noticed."""
import socket

__all__ = ["configure"]

# Keepalive probes: first after 30 s idle, then every 10 s, 3 failures: a dead peer is
# noticed within about a minute (the system default is often two hours).
_KEEPIDLE, _KEEPINTVL, _KEEPCNT = 30, 10, 3


def configure(sock: socket.socket) -> None:
    """Set TCP_NODELAY and SO_KEEPALIVE (with shorter probe times where the system lets us)."""
    for level, option, value in (
            (socket.IPPROTO_TCP, getattr(socket, "TCP_NODELAY", None), 1),
            (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
            (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPIDLE", None), _KEEPIDLE),
            (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPINTVL", None), _KEEPINTVL),
            (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPCNT", None), _KEEPCNT)):
        if option is None:
            continue
        try:
            sock.setsockopt(level, option, value)
        except OSError:
            pass        # not a TCP socket, or an option this system refuses
