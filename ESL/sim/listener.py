"""One event-socket connection (a FreeSWITCH "listener"), inbound or outbound, on its own thread.

The thread moves bytes between the socket and :mod:`ESL.protocol.server`; everything the
connection may do is in :meth:`Listener._command`, in the order mod_event_socket tests the
commands (WIRE.md §5).
"""
import re
import selectors
import socket
import threading
import time
from collections import deque
from typing import Deque, List, Optional, Set, Tuple  # noqa: F401

from ..protocol import server as proto
from ..protocol.server import event_type_from_name
from .core import new_uuid
from .subscriptions import MYEVENTS, EventSubscriber, permission_events

__all__ = ["Listener"]

_LOG_NAMES = {"console": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4, "notice": 5,
              "info": 6, "debug": 7, "disable": -1}
# api commands whose first argument word is itself a command (permission check recurses).
_API_WRAPPERS = ("bgapi", "sched_api", "eval", "expand", "xml_wrap")

MAX_QUEUE = 100000
MAX_DROPS = 500


class _Closing(Exception):
    """Raised inside command handling to end the connection."""


class Listener(EventSubscriber):
    """One connection. Create it, then call :meth:`start` (a thread runs :meth:`run`).

    ``channel`` is the controlled channel of an outbound socket (None for inbound).
    """

    def __init__(self, sim, sock: socket.socket, peer: Tuple, channel=None,
                 async_mode: bool = False, full: bool = False) -> None:
        self.sim = sim
        self.sw = sim.switch
        self.sock = sock
        # As mod_event_socket does for every connection, inbound and outbound: without it a
        # reply followed by an event (bgapi, then BACKGROUND_JOB) or a frame written in two
        # sends waits for the client's delayed ACK, ~40 ms.
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass   # not a TCP socket (a test's socketpair)
        self.peer = peer
        self.reader = proto.CommandReader()
        self.outbound = channel is not None
        self.session = channel
        self.async_mode = async_mode
        self.full = full
        #: An outbound socket without ``async``: it runs on the channel's thread.
        self.static = self.outbound and not async_mode
        self.authed = self.outbound
        self.allowed_events = None   # type: Optional[Tuple[Set[str], Set[str], bool]]
        self.allowed_api = None      # type: Optional[Set[str]]
        self.allow_log = True
        self.fmt = "plain"
        self.events_on = False
        self.events = set()          # type: Set[str]
        self.all_custom = False
        self.subclasses = set()      # type: Set[str]
        self.filters = []            # type: List[Tuple[str, str]]
        self.log_level = None        # type: Optional[int]
        self.myevents = False
        self.my_uuid = None          # type: Optional[str]
        self.divert = False
        self.linger = None           # type: Optional[int]
        self.resume = False
        self.finished = False
        #: The controlled channel's transfer count when this socket took it (see _release).
        self.transfers_at_start = channel.transfers if channel is not None else 0
        self._lock = threading.Lock()
        self._queue = deque()        # type: Deque[bytes]
        self._drops = 0
        self._wake_r, self._wake_w = socket.socketpair()
        # A selector, not select(): select() refuses descriptors >= FD_SETSIZE (1024).
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.sock, selectors.EVENT_READ)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._hangup_seen = False
        self._linger_deadline = None   # type: Optional[float]
        self._first = True
        self._kill = None             # type: Optional[str]
        self.thread = threading.Thread(target=self._thread_main, daemon=True,
                                       name="esl-sim-listener")

    def start(self) -> None:
        self.sw.add_listener(self)
        self.thread.start()

    # -- called from other threads ---------------------------------------------------------
    def offer_log(self, level: int, text: str, file: str, func: str, line: int,
                  uuid: str, text_channel: int = 3) -> None:
        if self.log_level is None or self.finished or level > self.log_level:
            return
        self._push(("log", proto.log_frame(text, level, text_channel, file, func, line, uuid)))

    def session_hangup(self, channel) -> None:
        """The controlled channel reached CS_REPORTING: send the linger/disconnect notice."""
        self._hangup_seen = True
        self._wakeup()

    def _push(self, item) -> None:
        with self._lock:
            if len(self._queue) >= MAX_QUEUE:
                # A full queue drops; a client that stops reading for good gets killed.
                self._drops += 1
                if self._drops > MAX_DROPS and self._kill is None:
                    self._kill = ("killed listener because of lost %s\n"
                                  % ("events" if item[0] == "event" else "log lines"))
                    self._wakeup()
                return
            self._drops = 0
            self._queue.append(item)
        self._wakeup()

    def _wakeup(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def close(self) -> None:
        """Ask the connection to end (server shutdown)."""
        self._shutdown = True
        self._wakeup()

    # -- the thread ------------------------------------------------------------------------
    _shutdown = False

    def _thread_main(self) -> None:
        try:
            self.run()
        except (OSError, proto.CommandError):
            pass   # a broken socket or a bad Content-Length ends the connection
        finally:
            self._end()

    def run(self) -> None:
        """Serve the connection until it has to end (the caller then says goodbye)."""
        if not self.outbound:
            ip = self.peer[0] if self.peer else ""
            for acl in self.sw.config.inbound_acls:
                if not self.sw.config.acl.allows(acl, ip):
                    self._send(proto.rude_rejection_frame())
                    return
            self._send(proto.greeting_frame())
        deadline = time.monotonic() + self.sw.auth_timeout
        while True:
            if self._shutdown:
                self._goodbye_body = "The system is being shut down.\n"
                return
            if self._kill is not None:
                with self._lock:
                    self._queue.clear()
                self._goodbye_body = self._kill
                return
            timeout = None
            if deadline is not None:
                timeout = deadline - time.monotonic()
                if timeout <= 0:
                    return
            if self._linger_deadline is not None:
                left = self._linger_deadline - time.monotonic()
                if left <= 0:
                    return
                timeout = left if timeout is None else min(timeout, left)
            ready = [key.fileobj for key, _ in self._selector.select(timeout)]
            if self._wake_r in ready:
                try:
                    self._wake_r.recv(4096)
                except OSError:
                    pass
            if self.sock in ready:
                data = self.sock.recv(65536)
                if not data:
                    return   # the peer closed: say goodbye if it can still hear it
                self.reader.feed(data)
                for cmd in self.reader.commands():
                    deadline = None   # the time limit is for the first command only
                    if not self._handle(cmd):
                        return
            if not self.reader.pending:
                self._flush()
                if self._hangup_seen and self.session is not None and not self._noticed:
                    self._noticed = True
                    if self.linger is None:
                        return
                    self._send(proto.linger_frame(self.session.uuid, self.session.name,
                                                  self.linger))
                    if self.linger > 0:
                        self._linger_deadline = time.monotonic() + self.linger

    _noticed = False
    _goodbye_body = proto.GOODBYE

    def _flush(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    return
                kind, item = self._queue.popleft()
            if kind == "event":
                self._send(proto.event_frame(item, self.fmt))
            else:
                self._send(item)

    def _send(self, data: bytes) -> None:
        # As mod_event_socket writes: a frame with a Content-Length (api reply, event, log
        # line, notice) as two sends, its header block and then its body; others in one.
        end = data.find(b"\n\n") + 2
        if 1 < end < len(data) and b"Content-Length: " in data[:end]:
            self.sock.sendall(data[:end])
            self.sock.sendall(data[end:])
        else:
            self.sock.sendall(data)

    def _end(self) -> None:
        self.finished = True
        self.sw.remove_listener(self)
        try:
            uid = self.session.uuid if self.session is not None else None
            self._send(proto.disconnect_frame(uid, self._goodbye_body))
        except OSError:
            pass   # the peer is gone already
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._selector.close()
        self.sock.close()
        self._wake_r.close()
        self._wake_w.close()
        chan = self.session
        if chan is not None and chan.listener is self:
            self.sw.loop.post(lambda: self._release(chan))

    def _release(self, chan) -> None:
        # Runs on the loop: an outbound socket that ends lets go of its channel, which then
        # hangs up (or, after ``resume``, goes on with its dialplan); a channel the client
        # transferred has moved on (CF_TRANSFER) and stays up. What the client queued before
        # it left still runs first (switch_ivr_parse_all_events).
        chan.listener = None
        self.sw.loop.spawn(self._let_go(chan), "release " + chan.uuid)

    def _let_go(self, chan):
        while chan.messages and not chan.hungup:
            yield 0.02
        if not chan.hungup and chan.transfers == self.transfers_at_start:
            resume_var = (chan.getvar("socket_resume") or "").lower()
            if self.resume or resume_var in ("true", "yes", "on", "1"):
                chan.parked = False
                chan.wake.set()
            else:
                chan.hangup("NORMAL_CLEARING")
        chan.released_sig.set()

    # -- commands --------------------------------------------------------------------------
    def _handle(self, cmd: proto.Command) -> bool:
        """Process one command; False ends the connection."""
        first, self._first = self._first, False
        try:
            reply = self._command(cmd)
        except _Closing:
            return False
        if reply is not None and not (self.outbound and first and
                                      not cmd.line.lower().startswith("connect")):
            # As FreeSWITCH: the reply to a first outbound command that is not `connect` is
            # never sent (the command still runs).
            self._send(reply)
        return True

    def _reply(self, text: str) -> bytes:
        return proto.reply_frame(text)

    def _command(self, cmd: proto.Command) -> Optional[bytes]:
        text = cmd.text
        low = text.lower()
        line = cmd.line
        lline = line.lower()
        if not self.authed:
            return self._unauthed(cmd, lline)
        if "mod_event_socket" in low and ("unload" in low or "reload" in low):
            # FreeSWITCH rewrites these to `api bgapi ...`; we answer like that api would.
            return proto.api_response_frame("+OK Job-UUID: %s\n" % self._new_uuid())
        if lline.startswith("exit") or lline.startswith("..."):
            self._send(self._reply("+OK bye"))
            raise _Closing()
        if lline.startswith("filter "):
            return self._reply(self._filter(line))
        if lline.startswith("resume"):
            if self.session is not None:
                self.resume = True
                return self._reply("+OK")
            return self._reply("")
        if self.session is not None or lline.startswith("myevents "):
            if lline.startswith("connect"):
                if self.session is None:
                    return self._reply("")
                return self._connect()
            if lline.startswith("getvar"):
                name = line[6:].strip()
                value = self.sw.loop.call(lambda: self.session.getvar(name)) if name else None
                return self._reply(value or "")
            if lline.startswith("myevents"):
                return self._reply(self._myevents(line))
        if lline.startswith("divert_events"):
            return self._reply(self._divert(line))
        if lline.startswith("sendmsg"):
            return self._reply(self._sendmsg(cmd))
        if self.outbound and not self.full:
            return self._reply("")
        if lline.startswith("sendevent"):
            return self._reply(self._sendevent(cmd))
        if lline.startswith("api "):
            return self._api(line[4:])
        if lline.startswith("bgapi "):
            return self._reply(self._bgapi(cmd, line[6:]))
        if lline.startswith("log"):
            return self._reply(self._log(line))
        if lline.startswith("linger"):
            return self._reply(self._linger(line))
        if lline.startswith("nolinger"):
            if self.session is None:
                return self._reply("-ERR not controlling a session")
            self.linger = None
            return self._reply("+OK will not linger")
        if lline.startswith("nolog"):
            was = self.log_level is not None
            self.log_level = None
            with self._lock:
                self._queue = deque(i for i in self._queue if i[0] != "log")
            return self._reply("+OK no longer logging" if was else "-ERR not loging")
        if lline.startswith("event"):
            return self._reply(self._event(line))
        if lline.startswith("nixevent"):
            return self._reply(self._nixevent(line))
        if lline.startswith("noevents"):
            with self._lock:
                self._queue = deque(i for i in self._queue if i[0] != "event")
            if self.events_on:
                self.events_on = False
                self.events = set()
                self.subclasses = set()
                self.all_custom = False
                return self._reply("+OK no longer listening for events")
            return self._reply("-ERR not listening for events")
        return self._reply("")

    @staticmethod
    def _new_uuid() -> str:
        return new_uuid()

    # -- authentication --------------------------------------------------------------------
    def _unauthed(self, cmd: proto.Command, lline: str) -> Optional[bytes]:
        line = cmd.line
        if lline.startswith("exit") or lline.startswith("..."):
            self._send(self._reply("+OK bye"))
            raise _Closing()
        if lline.startswith("auth "):
            if line[5:] == self.sw.config.password:
                self.authed = True
                return self._reply("+OK accepted")
            self._send(self._reply("-ERR invalid"))
            raise _Closing()
        if lline.startswith("userauth "):
            return self._userauth(line[9:])
        return self._reply("")

    def _userauth(self, spec: str) -> bytes:
        user, at, rest = spec.partition("@")
        if ":" in user:
            user, _, password = user.partition(":")
            domain = rest
        else:
            domain, _, password = rest.partition(":")
        found = self.sw.config.find_user(user, domain) if user and domain else None
        wanted = found.param("esl-password") if found else None
        if not wanted or wanted != password:
            self._send(self._reply("-ERR invalid"))
            raise _Closing()
        self.authed = True
        events = found.param("esl-allowed-events")
        apis = found.param("esl-allowed-api")
        log_ok = (found.param("esl-allowed-log") or "true").lower() in ("true", "yes", "on", "1")
        if events and events.lower() != "all":
            self.allowed_events = permission_events(events)
        if apis and apis.lower() != "all":
            sep = " " if " " in apis else ","
            self.allowed_api = {a.strip() for a in apis.split(sep) if a.strip()}
        self.allow_log = log_ok
        return self._reply("~Reply-Text: +OK accepted\nAllowed-Events: %s\nAllowed-API: %s\n"
                           "Allowed-LOG: %s\n\n" % (events or "all", apis or "all",
                                                    "true" if log_ok else "false"))

    def _api_allowed(self, cmd: str, arg: str) -> bool:
        if self.allowed_api is None:
            return True
        if cmd not in self.allowed_api:
            return False
        if cmd in _API_WRAPPERS:
            inner, _, inner_arg = arg.strip().partition(" ")
            return self._api_allowed(inner, inner_arg)
        return True

    # -- commands --------------------------------------------------------------------------
    def _connect(self) -> bytes:
        chan = self.session
        ev = self.sw.loop.call(chan.channel_data)
        ev.add("Content-Type", "command/reply")
        ev.add("Reply-Text", "+OK\n")
        ev.add("Socket-Mode", "async" if self.async_mode else "static")
        ev.add("Control", "full" if self.full else "single-channel")
        return proto.channel_data_frame(ev)

    def _myevents(self, line: str) -> str:
        if self.myevents:
            return "-ERR aready enabled."
        if self.session is None:
            target = line[9:].strip()
            uid, _, fmt = target.partition(" ")
            chan = self.sw.channel(uid) if uid else None
            if chan is None:
                if fmt:
                    return "-ERR invalid uuid"
                self.my_uuid = None
            else:
                self.session = chan
                self.my_uuid = chan.uuid
                if chan.listener is None:
                    # Like switch_core_session_locate(): the socket holds the session, so
                    # the channel is not destroyed before this connection ends.
                    def hold():
                        chan.listener = self
                        chan.released_sig = chan.loop.signal()
                        self.transfers_at_start = chan.transfers
                    self.sw.loop.call(hold)
            scope = uid
        else:
            self.my_uuid = self.session.uuid
            scope = line
        if "xml" in scope.lower():
            self.fmt = "xml"
        elif "json" in scope.lower():
            self.fmt = "json"
        self.myevents = True
        self.events_on = True
        self.events |= set(MYEVENTS)
        return "+OK Events Enabled"

    def _divert(self, line: str) -> str:
        if self.session is None:
            return "-ERR not controlling a session."
        value = line[13:].strip()
        if not value:
            return "-ERR missing value."
        self.divert = value.lower() == "on"
        return "+OK events diverted" if self.divert else "+OK events not diverted"

    def _sendmsg(self, cmd: proto.Command) -> str:
        uid = cmd.line[7:].strip()
        if not uid:
            uid = cmd.header("Session-ID") or ""
        own = self.session
        if not uid and own is None:
            return "-ERR invalid session id []"
        target = own if (not uid or (own is not None and uid == own.uuid)) else \
            self.sw.channel(uid)
        if target is None:
            return "-ERR invalid session id [%s]" % uid
        msg = cmd.event
        msg.delete("Command")
        wait = (target is own and not self.async_mode
                and (cmd.header("async") or "").lower() not in ("true", "yes", "on", "1"))
        if wait:
            done = threading.Event()
            self.sw.loop.post(lambda: target.queue_message(msg, done))
            # The channel sets `done` once the message ran or was dropped.
            while not done.wait(0.2) and not self._shutdown:
                pass
        else:
            self.sw.loop.post(lambda: target.queue_message(msg))
        return "+OK"

    def _sendevent(self, cmd: proto.Command) -> str:
        ev = cmd.event
        ev.set("Command", cmd.line)
        ev.headers.insert(0, ev.headers.pop())   # keep Command in first place
        name = cmd.line[9:].lstrip(" \t").split(" ")[0] if len(cmd.line) > 9 else ""
        etype = event_type_from_name(name) if name else None
        if etype is None or etype == "ALL":
            etype = "CUSTOM"
        event_uuid = self._new_uuid()
        ev.add("Event-UUID", event_uuid)
        if etype == "CUSTOM":
            ev.subclass = ev.get("Event-Subclass")
        target = ev.get("Unique-ID")
        chan = self.sw.channel(target) if target else None

        def fire():
            self.sw.prep(ev, etype, ("mod_event_socket.c", "parse_command", 2283))
            if chan is None:
                self.sw.fire(ev)
        self.sw.loop.call(fire)
        return "+OK %s" % event_uuid

    def _api(self, rest: str) -> bytes:
        cmd, _, arg = rest.partition(" ")
        if not self._api_allowed(cmd, arg):
            return self._reply("-ERR permission denied")
        return proto.api_response_frame(self.sw.api_sync(cmd, arg))

    def _bgapi(self, cmd: proto.Command, rest: str) -> str:
        name, _, arg = rest.partition(" ")
        if not self._api_allowed(name, arg):
            return "-ERR permission denied"
        job_uuid = (cmd.header("Job-UUID") or self._new_uuid())[:36]
        owner = self.session.uuid if self.session is not None else None
        sw = self.sw

        def job():
            out = yield from sw.api(name, arg)
            yield None
            ev = sw.new_event("BACKGROUND_JOB", ("mod_event_socket.c", "api_exec", 1580))
            ev.add("Job-UUID", job_uuid)
            if owner:
                ev.add("Job-Owner-UUID", owner)
            ev.add("Job-Command", name.strip())
            if arg.strip():
                ev.add("Job-Command-Arg", arg.strip())
            ev.body = out
            sw.fire(ev)
        sw.loop.spawn(job(), "bgapi " + name)
        return "~Reply-Text: +OK Job-UUID: %s\nJob-UUID: %s\n\n" % (job_uuid, job_uuid)

    def _log(self, line: str) -> str:
        if not self.allow_log:
            return "-ERR permission denied"
        typed = line[4:] if len(line) > 3 else ""
        if not typed.strip():
            level = 7
        elif re.match(r"^\s*-?\d", typed):
            level = int(re.match(r"^\s*(-?\d+)", typed).group(1))
            level = 63 if level > 64 else max(level, 0)
        else:
            level = _LOG_NAMES.get(typed.strip().lower(), -2)
            if level == -2:
                return "-ERR invalid log level"
        self.log_level = level if level >= 0 else None
        return "+OK log level %s [%d]" % (typed, level)

    def _linger(self, line: str) -> str:
        if self.session is None:
            return "-ERR not controlling a session"
        secs = proto._atoi(line[7:]) if len(line) > 7 else 0
        if secs > 0:
            self.linger = secs
            return "+OK will linger %d seconds" % secs
        self.linger = -1
        return "+OK will linger"
