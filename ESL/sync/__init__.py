"""The modern blocking client: timeouts, bgapi jobs, execute that waits, reconnect.

::

    from ESL.sync import connect

    with connect("127.0.0.1", 8021, "ClueCon") as conn:
        print(conn.api("status"))

Built on the sans-I/O protocol of :mod:`ESL.protocol.client`, like :mod:`ESL.asyncio`,
which has the same names. ``import ESL`` does not import this package.
"""
from ..datastructures import Event
from .client import connect
from .connection import Connection, Job
from .server import OutboundConnection, Server, serve

__all__ = ["connect", "serve", "Connection", "Job", "OutboundConnection", "Server", "Event"]
