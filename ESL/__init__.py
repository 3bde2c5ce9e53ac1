"""Pure-Python FreeSWITCH Event Socket Library, API-compatible with the SWIG ``ESL`` module.

``import ESL`` gives the three names of the C binding:

* :class:`ESLconnection` -- the blocking client (inbound and outbound modes);
* :class:`ESLevent` -- an event: ordered headers, optional body, serialisation;
* :func:`eslSetLogLevel` -- the library's stderr logging, also routed to :mod:`logging`.

The wire format lives in :mod:`ESL.protocol` (no I/O); :mod:`ESL.sim` is an embedded
simulator of FreeSWITCH's event socket.
"""
from .event import ESLevent
from .log import eslSetLogLevel
from .connection import ESLconnection

__all__ = ["ESLconnection", "ESLevent", "eslSetLogLevel"]


def ESLevent_swigregister(cls):
    """Present in the SWIG module (class registration); nothing to do here."""


def ESLconnection_swigregister(cls):
    """Present in the SWIG module (class registration); nothing to do here."""

__version__ = "0.1.0"
