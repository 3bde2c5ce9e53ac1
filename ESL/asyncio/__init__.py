"""The modern asyncio client: the names of :mod:`ESL.sync`, as coroutines.

::

    from ESL.asyncio import connect

    async with connect("127.0.0.1", 8021, "ClueCon") as conn:
        print(await conn.api("status"))

Built on the sans-I/O protocol of :mod:`ESL.protocol.client`, like :mod:`ESL.sync`: same
arguments, same :class:`~ESL.datastructures.Event`, same exceptions
(:mod:`ESL.exceptions`). ``import ESL`` does not import this package.
"""
from ..datastructures import Event
from .client import connect
from .connection import Connection, Job
from .server import OutboundConnection, Server, serve

__all__ = ["connect", "serve", "Connection", "Job", "OutboundConnection", "Server", "Event"]
