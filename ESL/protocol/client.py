"""The modern client's protocol rules as a state machine with no I/O (no sockets, no threads).

A front end (:mod:`ESL.sync`, :mod:`ESL.asyncio`) only moves bytes and waits:

* it calls :meth:`ClientProtocol.connection_made` when a TCP link is up, feeds every byte it
  reads to :meth:`~ClientProtocol.receive_data` (and end of file to
  :meth:`~ClientProtocol.receive_eof`), and writes whatever
  :meth:`~ClientProtocol.data_to_send` returns;
* a command method (:meth:`~ClientProtocol.api`, :meth:`~ClientProtocol.bgapi`, ...) checks
  its arguments, queues the command's bytes and returns a :class:`Pending` the caller waits
  for; after feeding bytes, :meth:`~ClientProtocol.finished` lists the pendings that got
  their outcome and :meth:`~ClientProtocol.events_received` the events for the user.

The rules, all here: the event socket answers commands strictly in order, so each command
appends a reply slot to a FIFO and each reply takes the oldest slot; a caller that gives up
(:meth:`~ClientProtocol.abandon`) leaves its slot as a tombstone that swallows the late
reply. ``bgapi`` jobs are keyed on a Job-UUID we generate and send; ``execute`` waits on an
Event-UUID we generate and send with ``sendmsg``, resolved by the CHANNEL_EXECUTE_COMPLETE
whose Application-UUID matches. Subscriptions and filters are recorded and replayed on the
next link before any new command. While jobs or execute waits are pending, the events they
need are subscribed internally and not surfaced unless the user subscribed to them too.
"""
import logging
import random
import uuid as _uuid
from collections import deque
from typing import Deque, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from .. import datastructures as _ds
from ..datastructures import Event
from ..exceptions import (AuthenticationError, ChannelHungUp, CommandError, ConnectionClosed,
                          ESLError)
from .framing import PacketReader, ProtocolError

__all__ = [
    "ClientProtocol", "Pending", "Reply", "Job", "ExecuteWait", "EventBuffer", "backoff",
    "check_arg", "gap_event",
    "CLOSED", "GREETING", "AUTHENTICATING", "CONNECTING", "OPEN",
]

logger = logging.getLogger("ESL.client")

# Link states.
CLOSED = "closed"                   # no link (before the first, between links, after close)
GREETING = "greeting"               # inbound: waiting for auth/request
AUTHENTICATING = "authenticating"   # inbound: auth sent, waiting for its reply
CONNECTING = "connecting"           # outbound: "connect" sent, waiting for the channel data
OPEN = "open"                       # commands may be sent

# Events the protocol subscribes to for its own waits; surfaced only if the user asked.
_JOB_EVENTS = ("BACKGROUND_JOB",)
_EXECUTE_EVENTS = ("CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE")
_INTERNAL = frozenset(_JOB_EVENTS + _EXECUTE_EVENTS)

_FORMATS = ("plain", "json", "xml")


def check_arg(value: Optional[str], what: str) -> None:
    """Refuse a command argument that could smuggle a second command onto the wire.

    Raises TypeError if ``value`` is not a str (None passes), ValueError if it holds CR, LF
    or NUL.
    """
    if value is None:
        return
    if not isinstance(value, str):
        raise TypeError("%s must be a str, not %s" % (what, type(value).__name__))
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError("%s must not contain CR, LF or NUL: %r" % (what, value))


def backoff(attempt: int, initial: float = 0.5, cap: float = 30.0,
            rand=random.random) -> float:
    """Seconds to wait before reconnection attempt ``attempt`` (0 for the first).

    Capped exponential backoff with jitter: a random delay between half and all of
    ``min(cap, initial * 2 ** attempt)``, so clients dropped together do not return together.
    """
    ceiling = min(cap, initial * (2 ** min(attempt, 32)))
    return ceiling * (0.5 + 0.5 * rand())


def gap_event(reason: str) -> Event:
    """The event a reconnecting connection queues where the link dropped: named
    ``SERVER_DISCONNECTED`` (as the C library's disconnect event), with ``Reconnecting: true``
    and the reason in ``Reason``. Events sent while the link was down are lost."""
    return Event([("Event-Name", "SERVER_DISCONNECTED"), ("Reconnecting", "true"),
                  ("Reason", reason)])


class Pending:
    """Something a caller waits for. ``done`` turns true once, with ``value`` or ``error``.

    ``waiter`` belongs to the front end (a threading.Event, an asyncio.Future, ...): the
    protocol never touches it, it only lists finished pendings in
    :meth:`ClientProtocol.finished`.
    """
    __slots__ = ("value", "error", "done", "waiter")

    def __init__(self) -> None:
        self.value = None
        self.error: Optional[BaseException] = None
        self.done = False
        self.waiter = None

    def outcome(self):
        """The value, or raise the error. Only meaningful once ``done``."""
        if self.error is not None:
            raise self.error
        return self.value


class Reply(Pending):
    """The slot of one command in the reply FIFO. ``kind`` says what its reply means;
    ``target`` is the Job or ExecuteWait its reply may fail (for an internal ``nixevent``,
    the names it retires)."""
    __slots__ = ("kind", "check", "abandoned", "target")

    def __init__(self, kind: str, check: bool = True, target: Optional[Pending] = None):
        self.value = self.error = self.waiter = None    # Pending's, without the call
        self.done = False
        self.kind = kind
        self.check = check
        self.abandoned = False      # a tombstone: the caller gave up, the reply is dropped
        self.target = target


class Job(Pending):
    """A ``bgapi`` job: ``value`` is the BACKGROUND_JOB body; ``event`` the whole event."""
    __slots__ = ("uuid", "event", "check")

    def __init__(self, job_uuid: str, check: bool) -> None:
        super().__init__()
        self.uuid = job_uuid
        self.event: Optional[Event] = None
        self.check = check


class ExecuteWait(Pending):
    """An application run with ``execute(wait=True)``: ``value`` is its
    CHANNEL_EXECUTE_COMPLETE event. ``hangup`` is the event (or True, for a disconnect
    notice) that said the channel hung up while the application ran."""
    __slots__ = ("event_uuid", "channel", "app", "hangup")

    def __init__(self, event_uuid: str, channel: Optional[str], app: str) -> None:
        super().__init__()
        self.event_uuid = event_uuid
        self.channel = channel
        self.app = app
        self.hangup = None


class EventBuffer:
    """The bounded FIFO of events between the protocol and the consumer (no locking: the
    front end guards it). When full, the oldest event is dropped and counted in
    ``dropped``; one warning is logged per burst of drops (a burst ends once the consumer
    has drained the buffer to half). ``maxsize`` None: unbounded."""

    def __init__(self, maxsize: Optional[int] = 10000) -> None:
        if maxsize is not None and maxsize < 1:
            raise ValueError("max_queue must be at least 1 (or None), not %r" % maxsize)
        self.maxsize = maxsize
        self.dropped = 0
        self._items: Deque[Event] = deque()
        self._burst = False

    def __len__(self) -> int:
        return len(self._items)

    def put_many(self, events: Iterable[Event]) -> None:
        """Append events, dropping the oldest ones beyond ``maxsize``."""
        items = self._items
        items.extend(events)
        maxsize = self.maxsize
        if maxsize is not None and len(items) > maxsize:
            excess = len(items) - maxsize
            for _ in range(excess):
                items.popleft()
            self.dropped += excess
            if not self._burst:
                self._burst = True
                logger.warning("event queue full (%d events): dropping the oldest; the consumer "
                               "is too slow (%d dropped so far)", maxsize, self.dropped)

    def get(self) -> Event:
        """Take the oldest event; IndexError if there is none."""
        event = self._items.popleft()
        if self._burst and len(self._items) <= (self.maxsize or 0) // 2:
            self._burst = False
        return event

    def clear(self) -> None:
        """Forget every queued event (not counted as dropped)."""
        self._items.clear()


class ClientProtocol:
    """The client side of one event-socket session, across the links of a reconnecting
    connection. See the module docstring for how a front end drives it.

    Inbound: ``ClientProtocol(password, user)`` answers the greeting with ``auth`` (or
    ``userauth``). Outbound (FreeSWITCH connected to us): ``ClientProtocol(outbound=True,
    linger=..., myevents=...)`` sends ``connect`` (then ``linger``, ``myevents``) and keeps
    the channel data in :attr:`channel`.
    """

    def __init__(self, password: str = "ClueCon", user: Optional[str] = None, *,
                 outbound: bool = False, linger: bool = True, myevents: bool = True,
                 reconnect: bool = False) -> None:
        check_arg(password, "password")
        check_arg(user, "user")
        self.password = password
        self.user = user
        self.outbound = outbound
        self.linger = linger
        self.myevents = myevents
        #: True while the front end will make a new link after a drop: a drop then queues
        #: a gap marker (:func:`gap_event`) for the user.
        self.reconnect = reconnect
        self.state = CLOSED
        #: Links made after the first (each successful or not).
        self.reconnects = 0
        self.handshake: Optional[Pending] = None
        #: Outbound: the channel data (the reply to ``connect``) and the channel's uuid.
        self.channel: Optional[Event] = None
        self.channel_uuid: Optional[str] = None
        # What the user subscribed to and filtered, replayed on every new link.
        self.event_format = "plain"
        self.event_names: List[str] = []        # upper-case names, CUSTOM included
        self.subclasses: List[str] = []         # CUSTOM subclasses
        self.filters: List[Tuple[str, str]] = []
        self._links = 0
        self._reader = PacketReader()
        self._slots: Deque[Reply] = deque()
        self._jobs: Dict[str, Job] = {}
        self._executes: Dict[str, ExecuteWait] = {}
        self._internal_names: set = set()      # subscribed for our own waits
        self._retiring: set = set()            # unsubscribed, but events may still come
        self._internal_filters: List[Tuple[str, str]] = []
        self._out = bytearray()
        self._events: List[Event] = []
        self._finished: List[Pending] = []

    # -- driving the machine ------------------------------------------------------------

    def connection_made(self) -> None:
        """A new TCP link is up: start its handshake (see :attr:`handshake`)."""
        if self._links:
            self.reconnects += 1
        self._links += 1
        self._reader = PacketReader()
        self._slots.clear()
        self._internal_names = set()
        self._retiring = set()
        self._internal_filters = []
        self._out.clear()
        self.handshake = Pending()
        if self.outbound:
            self.state = CONNECTING
            self._queue(b"connect\n\n", Reply("connect"))
            if self.linger:
                self._queue(b"linger\n\n", Reply("internal"))
            if self.myevents:
                self._queue(b"myevents\n\n", Reply("internal"))
        else:
            self.state = GREETING

    def receive_data(self, data: bytes) -> None:
        """Bytes read from the socket. A framing error closes the link (see
        :meth:`receive_eof`); the caller should then close the socket."""
        reader = self._reader
        reader.feed(data)
        try:
            while True:
                packet = reader.next_packet()
                if packet is None:
                    return
                self._dispatch(packet)
        except ProtocolError as exc:
            logger.error("protocol error, closing the connection: %s", exc)
            self.connection_lost(ConnectionClosed("protocol error: %s" % exc))

    def receive_eof(self) -> None:
        """The server closed the link (or the socket failed)."""
        self.connection_lost(ConnectionClosed("connection closed by the server"))

    def connection_lost(self, error: ESLError) -> None:
        """The link is gone: every pending call fails with ``error`` (ChannelHungUp for an
        execute whose channel was seen hanging up). With :attr:`reconnect` the user's events
        get a gap marker (see :func:`gap_event`). Idempotent."""
        if self.reconnect and self.state == OPEN:
            self._events.append(gap_event(str(error)))
        self.state = CLOSED
        handshake = self.handshake
        if handshake is not None and not handshake.done:
            self._fail(handshake, error)
        slots, self._slots = self._slots, deque()
        for slot in slots:
            if not slot.abandoned:
                self._fail(slot, error)
        jobs, self._jobs = self._jobs, {}
        for job in jobs.values():
            self._fail(job, error)
        waits, self._executes = self._executes, {}
        for wait in waits.values():
            if wait.hangup is not None:
                self._fail(wait, self._hung_up(wait, None))
            else:
                self._fail(wait, error)
        self._out.clear()

    def wants_write(self) -> bool:
        """True if :meth:`data_to_send` has bytes."""
        return bool(self._out)

    def data_to_send(self) -> bytes:
        """The bytes to write now (possibly empty); each call returns them once."""
        if not self._out:
            return b""
        data = bytes(self._out)
        self._out.clear()
        return data

    def finished(self) -> List[Pending]:
        """The pendings that got their outcome since the last call."""
        done, self._finished = self._finished, []
        return done

    def events_received(self) -> List[Event]:
        """The events for the user that arrived since the last call, in order."""
        events, self._events = self._events, []
        return events

    def abandon(self, pending: Pending) -> None:
        """The caller stopped waiting (timeout, cancellation). A reply slot becomes a
        tombstone that swallows its reply; an execute wait is forgotten. A job is left
        running: its caller may wait for it again."""
        if pending.done:
            return
        if isinstance(pending, Reply):
            pending.abandoned = True
        elif isinstance(pending, ExecuteWait):
            if self._executes.pop(pending.event_uuid, None) is not None:
                self._update_internal()

    # -- commands ----------------------------------------------------------------------

    def api(self, cmd: str, arg: Optional[str] = None, check: bool = True) -> Reply:
        """``api``: the reply's value is the response body (str); with ``check`` a body
        starting ``-ERR`` is a CommandError."""
        check_arg(cmd, "cmd")
        check_arg(arg, "arg")
        return self._command(_line("api", cmd, arg), Reply("api", check))

    def bgapi(self, cmd: str, arg: Optional[str] = None, job_uuid: Optional[str] = None,
              check: bool = True) -> Job:
        """``bgapi`` with a Job-UUID (ours unless given): the job's value is the
        BACKGROUND_JOB body; with ``check`` a body starting ``-ERR`` is a CommandError."""
        check_arg(cmd, "cmd")
        check_arg(arg, "arg")
        check_arg(job_uuid, "job_uuid")
        self._require_open()
        if job_uuid is None:
            job_uuid = str(_uuid.uuid4())
        elif job_uuid in self._jobs:
            raise ValueError("a job with Job-UUID %s is already pending" % job_uuid)
        job = Job(job_uuid, check)
        data = _line("bgapi", cmd, arg)[:-1] + ("Job-UUID: %s\n\n" % job_uuid).encode()
        self._jobs[job_uuid] = job
        self._update_internal()         # subscribe before the job can finish
        self._command(data, Reply("job", target=job))
        return job

    def execute(self, app: str, arg: Optional[str] = None, uuid: Optional[str] = None,
                wait: bool = True, event_lock: bool = False) -> Tuple[Reply,
                                                                      Optional[ExecuteWait]]:
        """``sendmsg`` ``call-command: execute`` with an Event-UUID of ours.

        Returns ``(reply, wait)``: with ``wait`` the ExecuteWait that the matching
        CHANNEL_EXECUTE_COMPLETE resolves (the reply's error, if any, fails it too), else
        None and the reply is the one to wait for.
        """
        check_arg(app, "app")
        check_arg(arg, "arg")
        check_arg(uuid, "uuid")
        self._require_open()
        channel = uuid if uuid is not None else self.channel_uuid
        if channel is None:
            raise ValueError("execute needs the channel's uuid on an inbound connection")
        event_uuid = str(_uuid.uuid4())
        headers = [("call-command", "execute"), ("execute-app-name", app)]
        if arg is not None:
            headers.append(("execute-app-arg", arg))
        if event_lock:
            headers.append(("event-lock", "true"))
        headers.append(("Event-UUID", event_uuid))
        data = _message("sendmsg", uuid, headers, None)
        if not wait:
            return self._command(data, Reply("reply")), None
        waiter = ExecuteWait(event_uuid, channel, app)
        self._executes[event_uuid] = waiter
        self._update_internal()
        return self._command(data, Reply("execute", target=waiter)), waiter

    def command(self, text: str, check: bool = False) -> Reply:
        """A raw command (lines separated by LF, no blank line); the value is the reply
        Event. With ``check`` a ``-ERR`` reply is a CommandError."""
        if not isinstance(text, str):
            raise TypeError("command must be a str, not %s" % type(text).__name__)
        text = text.rstrip("\n")
        if not text or "\r" in text or "\0" in text or "\n\n" in text:
            raise ValueError("a command is one or more non-empty lines without CR or NUL: %r"
                             % text)
        return self._command(text.encode() + b"\n\n", Reply("reply", check))

    def subscribe(self, names: Sequence[str], format: str = "plain") -> Reply:
        """``event <format> <names>`` (``ALL``, event names, ``CUSTOM`` and subclasses);
        recorded for replay. Every later event arrives in ``format``."""
        if format not in _FORMATS:
            raise ValueError("format must be one of %s, not %r" % (", ".join(_FORMATS), format))
        tokens = _tokens(names)
        self._require_open()
        self.event_format = format
        custom = False
        for token in tokens:
            upper = token.upper()
            if upper in _ds.EVENT_NAMES:
                custom = upper == "CUSTOM"
                if upper not in self.event_names:
                    self.event_names.append(upper)
            elif custom or "::" in token:
                if token not in self.subclasses:
                    self.subclasses.append(token)
        reply = self._command(("event %s %s\n\n" % (format, " ".join(tokens))).encode(),
                              Reply("reply"))
        self._update_internal()
        return reply

    def unsubscribe(self, names: Sequence[str] = ()) -> Reply:
        """``nixevent <names>``, or ``noevents`` without names (everything off)."""
        tokens = _tokens(names) if names else []
        self._require_open()
        if not tokens or "ALL" in (t.upper() for t in tokens):
            self.event_names.clear()
            self.subclasses.clear()
            self._internal_names.clear()        # the server forgets ours too
        for token in tokens:
            upper = token.upper()
            self._internal_names.discard(upper)     # gone on the server too
            if upper in self.event_names:
                self.event_names.remove(upper)
            elif token in self.subclasses:
                self.subclasses.remove(token)
        if tokens:
            data = ("nixevent %s\n\n" % " ".join(tokens)).encode()
        else:
            data = b"noevents\n\n"
        reply = self._command(data, Reply("reply"))
        self._update_internal()         # our own waits subscribe again if they must
        return reply

    def filter(self, header: str, value: str) -> Reply:
        """``filter <header> <value>``: recorded for replay."""
        check_arg(header, "header")
        check_arg(value, "value")
        if not header or not value:
            raise ValueError("filter needs a header and a value")
        self._require_open()
        reply = self._command(("filter %s %s\n\n" % (header, value)).encode(), Reply("reply"))
        self.filters.append((header, value))
        self._update_internal()
        return reply

    def filter_delete(self, header: str, value: Optional[str] = None) -> Reply:
        """``filter delete <header> [<value>]``: removed from the record too."""
        check_arg(header, "header")
        check_arg(value, "value")
        if not header:
            raise ValueError("filter_delete needs a header")
        self._require_open()
        text = "filter delete %s" % header if value is None else "filter delete %s %s" % (
            header, value)
        reply = self._command(text.encode() + b"\n\n", Reply("reply"))
        lheader = header.lower()
        gone = [(h, v) for h, v in self.filters
                if h.lower() == lheader and (value is None or v == value)]
        for pair in gone:
            self.filters.remove(pair)
        self._internal_filters = [(h, v) for h, v in self._internal_filters
                                  if not (h.lower() == lheader and (value is None or v == value))]
        self._update_internal()
        return reply

    def sendevent(self, event) -> Reply:
        """``sendevent <name>`` with the event's headers and body; the reply's value is the
        reply Event (``+OK <Event-UUID>``)."""
        from ..event import ESLevent        # the legacy class, only for this conversion
        if isinstance(event, ESLevent):
            # Its plain serialisation (values URL-encoded), parsed back: every header.
            event = Event(_ds.from_plain(event.serialize()).headers, event.getBody())
        if not isinstance(event, Event):
            raise TypeError("sendevent takes an Event or an ESLevent, not %s"
                            % type(event).__name__)
        name = event.name or "CUSTOM"
        check_arg(name, "Event-Name")
        return self._command(_message("sendevent", name, event.headers, event.body),
                             Reply("reply"))

    def sendmsg(self, uuid: Optional[str],
                headers: Union[Mapping[str, str], Iterable[Tuple[str, str]]],
                body: Optional[str] = None) -> Reply:
        """``sendmsg [<uuid>]`` with ``headers`` (a mapping or pairs) and an optional body."""
        check_arg(uuid, "uuid")
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
        return self._command(_message("sendmsg", uuid, pairs, body), Reply("reply"))

    def hangup(self, uuid: Optional[str] = None, cause: str = "NORMAL_CLEARING") -> Reply:
        """``sendmsg`` ``call-command: hangup`` (outbound: the connected channel by default)."""
        check_arg(cause, "cause")
        return self.sendmsg(uuid, [("call-command", "hangup"), ("hangup-cause", cause)])

    # -- internals: sending -------------------------------------------------------------

    def _require_open(self) -> None:
        if self.state != OPEN:
            raise ConnectionClosed("the connection is not open (%s)" % self.state)

    def _command(self, data: bytes, slot: Reply) -> Reply:
        self._require_open()
        self._queue(data, slot)
        return slot

    def _queue(self, data: bytes, slot: Reply) -> None:
        self._slots.append(slot)
        self._out += data

    def _internal(self, text: str, kind: str = "internal") -> Reply:
        slot = Reply(kind)
        self._queue(text.encode() + b"\n\n", slot)
        return slot

    def _covered(self, name: str) -> bool:
        names = self.event_names
        return "ALL" in names or name in names

    def _update_internal(self) -> None:
        """Subscribe (and filter) for pending jobs and execute waits; undo it when none
        needs it any more. The user's own subscriptions are never touched."""
        if self.state != OPEN:
            return
        wanted = set()
        if self._jobs:
            wanted.update(_JOB_EVENTS)
        if any(not self._sees_channel(w.channel) for w in self._executes.values()):
            wanted.update(_EXECUTE_EVENTS)
        wanted = {name for name in wanted if not self._covered(name)}
        current = self._internal_names
        # A name the user now subscribes to is simply theirs from here on.
        current.difference_update([name for name in current if self._covered(name)])
        add = sorted(wanted - current)
        drop = sorted(current - wanted)
        if add:
            self._internal("event %s %s" % (self.event_format, " ".join(add)))
            current.update(add)
        if drop:
            # Events of these names sent before the server read the nixevent still come:
            # they stay ours until its reply.
            self._internal("nixevent %s" % " ".join(drop), "retire").target = frozenset(drop)
            current.difference_update(drop)
            self._retiring.update(drop)
        # With the user's filters in force, our events must pass them too.
        want_filters = []
        if self.filters:
            if self._jobs:
                want_filters.append(("Event-Name", "BACKGROUND_JOB"))
            for wait in self._executes.values():
                pair = ("Unique-ID", wait.channel)
                if pair not in want_filters:
                    want_filters.append(pair)
            want_filters = [pair for pair in want_filters if pair not in self.filters]
        have = self._internal_filters
        for pair in want_filters:
            if pair not in have:
                self._internal("filter %s %s" % pair)
                have.append(pair)
        for pair in [p for p in have if p not in want_filters]:
            if pair not in self.filters:
                self._internal("filter delete %s %s" % pair)
            have.remove(pair)

    def _sees_channel(self, channel: Optional[str]) -> bool:
        """Outbound with myevents: the connected channel's events come anyway."""
        return self.outbound and self.myevents and channel == self.channel_uuid

    def _replay(self) -> None:
        """On a new link, before anything else: the recorded subscriptions and filters."""
        tokens = [n for n in self.event_names if n != "CUSTOM"]
        if "CUSTOM" in self.event_names or self.subclasses:
            tokens += ["CUSTOM"] + self.subclasses
        if tokens:
            self._internal("event %s %s" % (self.event_format, " ".join(tokens)))
        for pair in self.filters:
            self._internal("filter %s %s" % pair)
        self._update_internal()

    # -- internals: receiving -----------------------------------------------------------

    def _dispatch(self, packet) -> None:
        ctype = packet[2]
        if ctype == "text/event-plain":
            self._on_event(_ds.from_plain(packet[1] or ""))
        elif ctype == "api/response" or ctype == "command/reply":
            self._on_reply(packet)
        elif ctype == "text/event-json":
            event = _ds.from_json(packet[1] or "")
            if event is None:
                logger.warning("dropped an event whose JSON does not parse")
            else:
                self._on_event(event)
        elif ctype == "text/event-xml":
            event = _ds.from_xml(packet[1] or "")
            if event is None:
                logger.warning("dropped an event whose XML does not parse")
            else:
                self._on_event(event)
        elif ctype == "auth/request":
            if self.state == GREETING:
                self.state = AUTHENTICATING
                self._queue(_auth(self.user, self.password), Reply("auth"))
        elif ctype == "text/disconnect-notice":
            self._on_disconnect_notice(packet)
        elif ctype == "text/rude-rejection":
            self._fail_handshake(AuthenticationError(
                "the server refused the connection: %s" % (packet[1] or "").strip()))
        else:
            logger.debug("ignored a packet of type %r", ctype)

    def _on_event(self, event: Event) -> None:
        name = event.get("Event-Name")
        if name in _INTERNAL:
            if name == "BACKGROUND_JOB":
                job = self._jobs.pop(event.get("Job-UUID") or "", None)
                if job is not None:
                    self._finish_job(job, event)
                    if not self._jobs:
                        self._update_internal()
            elif self._executes:
                self._on_execute_event(name, event)
            if ((name in self._internal_names or name in self._retiring)
                    and not self._covered(name)
                    and not self._sees_channel(event.get("Unique-ID"))):
                return              # ours alone
        self._events.append(event)

    def _finish_job(self, job: Job, event: Event) -> None:
        job.event = event
        body = event.body or ""
        if job.check and body.startswith("-ERR"):
            self._fail(job, CommandError(body.strip(), event))
        else:
            self._resolve(job, body)

    def _on_execute_event(self, name: str, event: Event) -> None:
        if name == "CHANNEL_EXECUTE_COMPLETE":
            wait = self._executes.pop(event.get("Application-UUID") or "", None)
            if wait is None:
                return
            if wait.hangup is not None and wait.app.lower() != "hangup":
                self._fail(wait, self._hung_up(wait, event))
            else:
                self._resolve(wait, event)
            self._update_internal()
            return
        channel = event.get("Unique-ID")
        for wait in [w for w in self._executes.values() if w.channel == channel]:
            if name == "CHANNEL_HANGUP":
                wait.hangup = event     # the application ends next; its completion fails
            else:                       # CHANNEL_HANGUP_COMPLETE: no completion will come
                del self._executes[wait.event_uuid]
                self._fail(wait, self._hung_up(wait, event))
        if name == "CHANNEL_HANGUP_COMPLETE":
            self._update_internal()

    @staticmethod
    def _hung_up(wait: ExecuteWait, event: Optional[Event]) -> ChannelHungUp:
        return ChannelHungUp("channel %s hung up before %s completed" % (wait.channel, wait.app),
                             wait.channel, event if event is not None else (
                                 wait.hangup if isinstance(wait.hangup, Event) else None))

    def _on_disconnect_notice(self, packet) -> None:
        # Outbound: the controlled channel is gone; with linger its last events still come.
        notice = _ds.from_packet(packet[0], packet[1], packet[3])
        channel = notice.get("Controlled-Session-UUID")
        if channel:
            for wait in self._executes.values():
                if wait.channel == channel and wait.hangup is None:
                    wait.hangup = True

    def _on_reply(self, packet) -> None:
        if not self._slots:
            logger.warning("a reply nobody waits for was dropped: %r", packet[0])
            return
        slot = self._slots.popleft()
        if slot.abandoned:
            return
        kind = slot.kind
        if kind == "api":           # only the body matters, unless it is an error
            body = packet[1] or ""
            if slot.check and body.startswith("-ERR"):
                reply = _ds.from_packet(packet[0], packet[1], packet[3])
                self._fail(slot, CommandError(body.strip(), reply))
            else:
                self._resolve(slot, body)
            return
        reply = _ds.from_packet(packet[0], packet[1], packet[3])
        text = reply.get("Reply-Text") or ""
        failed = text.startswith("-ERR")
        if kind == "reply":
            if failed and slot.check:
                self._fail(slot, CommandError(text, reply))
            else:
                self._resolve(slot, reply)
        elif kind == "job" or kind == "execute":
            target = slot.target
            if failed and not target.done:
                if kind == "job":
                    self._jobs.pop(target.uuid, None)
                else:
                    self._executes.pop(target.event_uuid, None)
                self._fail(target, CommandError(text, reply))
                self._update_internal()
            self._resolve(slot, reply)
        elif kind == "retire":
            self._retiring.difference_update(slot.target)
        elif kind == "internal":
            if failed:
                logger.warning("the server refused an internal command: %s", text)
        elif kind == "auth":
            if text.lower().startswith("+ok"):
                self.state = OPEN
                self._replay()
                self._resolve(self.handshake, None)
            else:
                self._fail_handshake(AuthenticationError(
                    "authentication failed: %s" % (text or "no reply text")))
        elif kind == "connect":
            if failed:
                self._fail_handshake(ConnectionClosed("connect was refused: %s" % text))
                return
            self.channel = reply
            self.channel_uuid = reply.get("Unique-ID")
            self.state = OPEN
            self._resolve(self.handshake, reply)

    def _fail_handshake(self, error: ESLError) -> None:
        if self.handshake is not None and not self.handshake.done:
            self._fail(self.handshake, error)
        self.state = CLOSED

    def _resolve(self, pending: Pending, value) -> None:
        if not pending.done:
            pending.value = value
            pending.done = True
            self._finished.append(pending)

    def _fail(self, pending: Pending, error: BaseException) -> None:
        if not pending.done:
            pending.error = error
            pending.done = True
            self._finished.append(pending)


# -- bytes of commands ----------------------------------------------------------------------

def _line(verb: str, cmd: str, arg: Optional[str]) -> bytes:
    text = verb + " " + cmd if arg is None or arg == "" else "%s %s %s" % (verb, cmd, arg)
    return text.encode() + b"\n\n"


def _auth(user: Optional[str], password: str) -> bytes:
    if user:
        return ("userauth %s:%s\n\n" % (user, password)).encode()
    return ("auth %s\n\n" % password).encode()


def _message(verb: str, target: Optional[str], headers: Iterable[Tuple[str, str]],
             body: Optional[str]) -> bytes:
    """``sendmsg``/``sendevent``: a first line, header lines, then a body with its
    Content-Length. Header names and values are checked like arguments."""
    lines = [verb if target is None else "%s %s" % (verb, target)]
    for name, value in headers:
        check_arg(name, "header name")
        check_arg(value, "header value")
        if not name or ":" in name:
            raise ValueError("bad header name %r" % name)
        if name.lower() == "content-length":
            continue            # ours follows, from the body
        lines.append("%s: %s" % (name, value))
    if body is None:
        return ("\n".join(lines) + "\n\n").encode()
    if not isinstance(body, str):
        raise TypeError("body must be a str, not %s" % type(body).__name__)
    raw = body.encode()
    lines.append("Content-Length: %d" % len(raw))
    return ("\n".join(lines) + "\n\n").encode() + raw


def _tokens(names: Sequence[str]) -> List[str]:
    if isinstance(names, str):
        names = [names]
    tokens = []
    for name in names:
        check_arg(name, "event name")
        tokens.extend(name.split())
    if not tokens:
        raise ValueError("no event names given")
    return tokens
