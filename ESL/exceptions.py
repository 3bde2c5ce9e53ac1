"""The exceptions of the modern API, shared by :mod:`ESL.sync` and :mod:`ESL.asyncio`.

Every class says when it is raised. The legacy :class:`ESL.ESLconnection` raises none of
them: it reports failures through return values, as the C binding does.
"""

__all__ = [
    "ESLError",
    "ConnectionClosed",
    "AuthenticationError",
    "CommandError",
    "Timeout",
    "ChannelHungUp",
]


class ESLError(Exception):
    """Base class of every exception the modern API raises on purpose."""


class ConnectionClosed(ESLError):
    """The connection is gone, or went away while the call waited for its answer.

    Raised by calls made on a closed connection, by calls pending when the link dropped
    (also with ``reconnect=True``: they are never moved to the new link), and by
    ``recv()`` once the connection is closed and every queued event was taken.
    """


class AuthenticationError(ESLError):
    """The server refused the password (or user), or refused the client outright.

    Final: a connection with ``reconnect=True`` raises it instead of trying again.
    """


class CommandError(ESLError):
    """The server answered a command with an error (a reply or body starting ``-ERR``).

    ``reply`` is the answer as an :class:`~ESL.datastructures.Event`: the command reply, the
    ``api`` response, or the BACKGROUND_JOB event of a failed job.
    """

    def __init__(self, message, reply=None):
        super().__init__(message)
        self.reply = reply


class Timeout(ESLError, TimeoutError):
    """A wait ran out of time: connecting, a reply, a job result, an execute, ``recv()``.

    Also a :class:`TimeoutError`, so ``except TimeoutError`` catches it. A command whose
    reply timed out leaves the connection usable: its late reply is discarded.
    """


class ChannelHungUp(ESLError):
    """The channel hung up before the application that ``execute`` waited for completed.

    ``uuid`` is the channel's Unique-ID; ``event`` is the event that told us (a
    CHANNEL_HANGUP, CHANNEL_HANGUP_COMPLETE or CHANNEL_EXECUTE_COMPLETE
    :class:`~ESL.datastructures.Event`), or None when the socket's disconnect notice did.
    """

    def __init__(self, message, uuid=None, event=None):
        super().__init__(message)
        self.uuid = uuid
        self.event = event
