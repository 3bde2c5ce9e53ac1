"""``ESLconnection``: the blocking event-socket client, inbound and outbound.

A thin front end over :mod:`ESL.protocol`: it moves bytes between a socket and the packet
reader, and keeps the C library's handle state (queue of packets that arrived while a reply
was awaited, last received event, outbound channel data, execute flags). One recursive lock
per connection serialises each command/reply exchange, as the C library's handle mutex does.
"""
import functools
import os
import select
import socket
import threading
from collections import deque
from time import monotonic as _monotonic
from typing import Deque, Dict, Optional

from . import log as _log
from ._swig import cint_arg, cstr_arg, is_cint, is_cstr, proxy_this
from .event import ESLevent, inner_event
from .event_parsing import _BlockEvent, handed_out, received_header_lines, socket_data_event
from .protocol import commands
from .protocol.framing import Packet, PacketReader, ProtocolError

__all__ = ["ESLconnection"]

_RECV_SIZE = 65536
# Non-blocking single calls on our blocking socket (Linux, BSD, macOS); without it a command
# is written with a plain sendall().
_DONTWAIT = getattr(socket, "MSG_DONTWAIT", 0)
_REPLY_TYPES = ("api/response", "command/reply")
_EVENT_TYPES = ("text/event-plain", "text/event-json")
_wrap_event = ESLevent._wrap     # (bound once: the receive paths call it for every packet)

_OVERLOAD_ERROR = (
    "Wrong number or type of arguments for overloaded function 'new_ESLconnection'.\n"
    "  Possible C/C++ prototypes are:\n"
    "    ESLconnection::ESLconnection(char const *,int const,char const *,char const *)\n"
    "    ESLconnection::ESLconnection(char const *,int const,char const *)\n"
    "    ESLconnection::ESLconnection(char const *,char const *,char const *,char const *)\n"
    "    ESLconnection::ESLconnection(char const *,char const *,char const *)\n"
    "    ESLconnection::ESLconnection(int)\n"
)


def _cevent(value, method: str) -> ESLevent:
    if isinstance(value, ESLevent):
        return value
    # Difference: None crashes the C binding; we raise SWIG's TypeError for it too.
    raise TypeError("in method 'ESLconnection_%s', argument 2 of type 'ESLevent *'" % method)


def _swig_method(func):
    """Give a method SWIG's check of ``self``: a wrong object raises TypeError, not a crash.

    The per-call methods (api, recvEvent, ...) do the same check inline instead, which spares
    them a wrapper call.
    """
    @functools.wraps(func)
    def checked(self, *args, **kwargs):
        if not isinstance(self, ESLconnection):
            raise _self_error(func.__name__)
        return func(self, *args, **kwargs)
    return checked


def _self_error(method: str) -> TypeError:
    # Difference: the C binding crashes when self is None.
    return TypeError("in method 'ESLconnection_%s', argument 1 of type 'ESLconnection *'"
                     % method)


def _debug(func: str, line: int, message: str) -> None:
    _log.emit(7, "esl.c", line, func, message)


class ESLconnection:
    """A connection to FreeSWITCH's event socket, API-compatible with the SWIG binding.

    Overloads (the first that matches wins):

    * ``ESLconnection(fd)`` — outbound mode: adopt a connected socket descriptor (for
      example ``self.request.fileno()`` in a ``socketserver`` handler), send ``connect`` and
      keep the channel data for :meth:`getInfo`.
    * ``ESLconnection(host, port, password)`` — inbound: connect and ``auth``.
    * ``ESLconnection(host, port, user, password)`` — inbound with ``userauth user:password``.

    ``port`` is an ``int`` or a ``str`` (read like C ``atoi``: ``"8021xyz"`` is 8021); the
    effective TCP port is ``port % 65536`` as in the C library. The constructor never raises
    for network failures: check :meth:`connected`. Wrong argument types raise ``TypeError``.

    Ownership of an adopted descriptor: like the C library, :meth:`disconnect` and garbage
    collection shut the connection down, so the peer sees it close. Difference: we work on a
    duplicate of ``fd`` and never close the caller's descriptor, so the caller's socket object
    stays valid (closing it is the caller's job, as ``socketserver`` does anyway), and a
    descriptor that is not a socket (or ``-1``) is left untouched. A descriptor that nothing
    else owns (``sock.detach()``, ``os.dup()``) must therefore be closed by the caller
    (``os.close(fd)``), where the C library closed it: no check can prove that nothing owns a
    number, and closing one we do not own is the C bug this avoids.
    """

    __module__ = "ESL"   # as the SWIG proxy class reports it

    def __init__(self, *args) -> None:
        self._sock: Optional[socket.socket] = None
        self._fd = -1                    # what socketDescriptor() reports
        self._connected = False
        self._destroyed = False
        self._reader = PacketReader()
        self._queue: Deque[Packet] = deque()
        self._last: Optional[Packet] = None        # last packet taken by the receive path
        self._last_inner: Optional[str] = None     # its inner-event kind, if it had one
        # Inner events of queued packets parsed while a reply was awaited: id(packet) ->
        # (packet, event); holding the packet keeps its id from being reused meanwhile.
        self._parsed: Dict[int, tuple] = {}
        self._info: Optional[Packet] = None        # outbound: the reply to "connect"
        self._async_execute = 0
        self._event_lock = 0
        self._err: Optional[str] = None            # why a connect failed (C handle->err)
        self._lock = threading.RLock()             # one command/reply exchange at a time
        self._wlock = threading.Lock()             # whole commands never interleave

        n = len(args)
        if n == 1 and is_cint(args[0]):
            self._adopt(int(args[0]))
        elif n in (3, 4) and is_cstr(args[0]) and all(is_cstr(a) for a in args[2:]) and (
                is_cint(args[1]) or is_cstr(args[1])):
            host, port = args[0], args[1]
            user, password = (None, args[2]) if n == 3 else (args[2], args[3])
            self._connect_inbound(host, port, user, password)
        else:
            prefix = ""
            if n > 4:
                prefix = ("new_ESLconnection expected at most 4 arguments, got %d\n"
                          "Additional information:\n" % n)
            raise TypeError(prefix + _OVERLOAD_ERROR)

    # -- set-up -----------------------------------------------------------------------------

    def _connect_inbound(self, host, port, user, password) -> None:
        if port is None or host is None:
            # Difference: the C library leaves a zeroed handle whose later disconnect closes
            # fd 0 (stdin); we just stay disconnected.
            return
        if isinstance(port, str):
            port = commands.atoi(cstr_arg(port, "new_ESLconnection", 2))
        port &= 0xFFFF   # the C port type is 16 bits wide
        host = cstr_arg(host, "new_ESLconnection", 1)
        try:
            family, kind, proto, _, addr = socket.getaddrinfo(
                host, port, 0, socket.SOCK_STREAM)[0]   # only the first address, as in C
            sock = socket.socket(family, kind, proto)
        except (OSError, UnicodeError) as exc:
            self._err = getattr(exc, "strerror", None) or str(exc)
            return
        try:
            sock.connect(addr)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as exc:
            self._err = exc.strerror or str(exc)
            sock.close()
            return
        self._sock = sock
        self._fd = sock.fileno()
        self._connected = True
        # On failure the socket stays open (not connected) until disconnect() or garbage
        # collection, as in the binding (FreeSWITCH master would close it at once).
        greeting = self._recv_event_path()
        if greeting is None or (greeting.content_type or "").lower() != "auth/request":
            self._err = "Connection Error"
            self._fail()
            return
        if not self._send(commands.auth(user, password)):
            self._err = "Connection Error"
            self._fail()
            return
        reply = self._recv_event_path()
        if reply is None or (reply.header("Reply-Text") or "").lower() != "+ok accepted":
            self._err = "Authentication Error" if reply is not None else "Connection Error"
            self._fail()

    def _adopt(self, fd: int) -> None:
        if fd < 0:
            return
        try:
            dup = os.dup(fd)
        except OSError:
            return   # not an open descriptor
        try:
            sock = socket.socket(fileno=dup)
        except OSError:
            os.close(dup)   # not a socket: nothing adopted, the caller's fd untouched
            return
        self._sock = sock
        self._fd = fd
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self._connected = True
        with self._lock:
            reply = self._exchange(commands.connect())
        if reply is None:
            self._disconnect()
            return
        self._info = reply

    # -- I/O primitives ---------------------------------------------------------------------

    def _send(self, cmd: bytes, drain: bool = False) -> bool:
        """``esl_send``: write one command and its blank line; on failure mark the link down.

        ``drain`` (only with the handle lock held, i.e. from ``_exchange``): keep reading
        into the receive buffer while the peer is not accepting our bytes.
        """
        if _log.level >= 7:
            _debug("esl_send", 1508, "SEND\n%s\n" % cmd.decode("utf-8", "surrogateescape"))
        sock = self._sock
        if not self._connected or sock is None:
            return False
        data = cmd if cmd.endswith(b"\n\n") else cmd + b"\n\n"      # commands.frame, inline
        try:
            with self._wlock:
                if drain and _DONTWAIT:
                    try:
                        sent = sock.send(data, _DONTWAIT)   # a command usually fits at once
                    except BlockingIOError:
                        sent = 0
                    if sent < len(data):
                        self._send_draining(sock, data[sent:])
                else:
                    sock.sendall(data)
        except (OSError, ValueError):
            self._fail()
            return False
        return True

    def _send_draining(self, sock: socket.socket, data: bytes) -> None:
        """``sendall`` that reads whatever arrives while the peer's receive window is closed.

        Difference: the C library only writes here. A server that writes events and reads
        no command until its writes complete (FreeSWITCH's listener thread does exactly that)
        then deadlocks with a command larger than the socket buffers: both sides blocked in a
        write. Bytes read meanwhile are only buffered (in memory, in order) and become packets
        in the reply wait that follows, so nothing is lost or reordered.
        """
        view = memoryview(data)
        reading = True
        while True:
            try:
                view = view[sock.send(view, _DONTWAIT):]
            except BlockingIOError:
                pass
            if not view:
                return
            if not (_wait_io(sock, reading) and reading):
                continue
            try:
                chunk = sock.recv(_RECV_SIZE, _DONTWAIT)
            except BlockingIOError:
                continue
            if chunk:
                self._reader.feed(chunk)
            else:
                reading = False   # EOF: the reply wait will see it again and fail

    def _fail(self, discard_input: bool = False) -> None:
        """Mark the link down; with ``discard_input``, nothing buffered or queued after this
        point is delivered (a framing error, the server's goodbye)."""
        self._connected = False
        if discard_input:
            self._queue.clear()
            self._parsed.clear()
            self._reader = PacketReader()

    def _read_packet(self) -> Optional[Packet]:
        """Next packet from the socket, blocking; None on failure (the link is then down)."""
        reader = self._reader
        data = b""
        while True:
            try:
                packet = reader.next_packet(data)   # (None at once when nothing is buffered)
            except ProtocolError:
                self._fail(discard_input=True)   # what follows a framing error is not packets
                return None
            if packet is not None:
                if _log.level >= 7:
                    self._log_headers(packet)
                return packet
            sock = self._sock
            if not self._connected or sock is None:
                return None
            try:
                data = sock.recv(_RECV_SIZE)
            except (OSError, ValueError):
                data = b""
            if not data:
                self._fail()
                return None

    @staticmethod
    def _log_headers(packet: Packet) -> None:
        for name, value in received_header_lines(packet.head, False):
            _debug("esl_recv_event", 1316, "RECV HEADER [%s] = [%s]\n" % (name, value))

    def _exchange(self, cmd: bytes) -> Optional[Packet]:
        """Send a command and wait for its reply, queueing every other packet (lock held)."""
        if not self._connected or not self._send(cmd, drain=True):
            return None
        self._last_inner = None   # every read in the C library drops the last inner event
        read = self._read_packet
        while True:
            packet = read()
            if packet is None:
                return None
            ctype = packet[2]       # content_type
            if ctype is None:
                return packet
            ctype = ctype.lower()
            if ctype in _REPLY_TYPES:
                return packet
            self._queue.append(packet)
            if ctype in _EVENT_TYPES and packet[1] is not None and not self._reader.buffered():
                # We would now wait for the server: parse the event meanwhile, as the C
                # library does while it reads, so that recvEvent only hands it over.
                ev = inner_event(ctype, packet[1])
                if ev is not None:
                    self._parsed[id(packet)] = (packet, ev)

    def _send_recv(self, cmd: bytes) -> Optional[ESLevent]:
        with self._lock:
            packet = self._exchange(cmd)
        if packet is None:
            return None
        head, body, _ctype, pairs = packet     # (a tuple: unpacked at C speed)
        ev = socket_data_event(head, body, pairs)
        # ESLevent._socket_data, inline; handed_out leaves a _BlockEvent as it is.
        return _wrap_event(ev if type(ev) is _BlockEvent else handed_out(ev))

    def _arrived(self) -> bool:
        """True while packets that fully arrived are still undelivered.

        Difference: once the connection is down the C library delivers nothing more, so
        events queued while a command waited for its reply are lost when the peer then
        closes. We hand them out first; only then come SERVER_DISCONNECTED / None.
        """
        return not self._destroyed and (bool(self._queue) or self._reader.has_packet())

    def _recv_event_path(self) -> Optional[Packet]:
        """``esl_recv_event``: take a queued or new packet and post-process it (lock held).

        Returns the packet, or None on failure (the connection is then down).
        """
        self._last_inner = None
        if self._queue:
            packet = self._queue.popleft()
        else:
            packet = self._read_packet()
            if packet is None:
                return None
        self._last = packet
        _head, body, ctype, _pairs = packet
        ctype = (ctype or "").lower()
        if ctype == "text/disconnect-notice" and body is not None:
            disposition = packet.header("Content-Disposition")
            if not disposition or disposition.lower() != "linger":
                self._fail(discard_input=True)   # the server's last word
                return None
        if body is not None and ctype in ("text/event-plain", "text/event-json"):
            self._last_inner = ctype
        if _log.level >= 7:
            self._log_received(packet)
        return packet

    def _receive(self) -> Optional[ESLevent]:
        """``esl_recv_event`` and the event Python gets for it (lock held); None on failure."""
        ev = None
        if self._parsed and self._queue:
            early = self._parsed.pop(id(self._queue[0]), None)
            if early is not None:
                ev = early[1]
        if self._recv_event_path() is None:
            return None
        return _wrap_event(ev) if ev is not None else self._last_event()

    def _last_event(self) -> Optional[ESLevent]:
        """A new event for the last received packet: its inner event if it had one."""
        packet = self._last
        if packet is None:
            return None
        if self._last_inner is not None:
            inner = inner_event(self._last_inner, packet[1])
            if inner is not None:
                return _wrap_event(inner)
        return ESLevent._socket_data(packet.head, packet.body, packet.pairs)

    def _log_received(self, packet: Packet) -> None:
        if self._last_inner == "text/event-plain":
            # Every line the C parser splits, empty and later-deleted headers included.
            for name, value in received_header_lines(packet.body, True):
                _debug("esl_recv_event", 1439, "RECV INNER HEADER [%s] = [%s]\n" % (name, value))
            event = self._last_event()
            _debug("esl_recv_event", 1469, "RECV EVENT\n%s\n" % event._serialize_raw())
        outer = ESLevent._socket_data(packet.head, packet.body, packet.pairs)
        _debug("esl_recv_event", 1480, "RECV MESSAGE\n%s\n" % outer._serialize_raw())

    # -- public API -------------------------------------------------------------------------

    @_swig_method
    def socketDescriptor(self) -> int:
        """Return the socket descriptor while connected, else ``-1``."""
        return self._fd if self._connected else -1

    @_swig_method
    def connected(self) -> int:
        """Return ``1`` while the connection is usable, else ``0`` (it never comes back)."""
        return 1 if self._connected else 0

    @_swig_method
    def getInfo(self) -> Optional[ESLevent]:
        """Outbound mode: a new copy of the ``connect`` reply (the channel data).

        Returns None for inbound connections and once disconnected. The event's type is
        ``SOCKET_DATA``; channel headers such as ``Unique-ID`` are read with ``getHeader``.
        """
        info = self._info
        if not self._connected or info is None:
            return None
        return ESLevent._socket_data(info.head, info.body, info.pairs)

    @_swig_method
    def send(self, cmd) -> int:
        """Write ``cmd`` (plus a blank line unless it ends with one); return 0, or 1 on failure.

        The reply is not read: it is taken by the next command as *its* reply, or returned by
        ``recvEvent``, exactly as in the C library.
        """
        cmd = cstr_arg(cmd, "ESLconnection_send", 2, allow_none=False)
        if not self._connected:
            return 1
        return 0 if self._send(cmd.encode("utf-8")) else 1

    def sendRecv(self, cmd) -> Optional[ESLevent]:
        """Send ``cmd`` and return its reply (a ``SOCKET_DATA`` event), or None on failure.

        Events arriving before the reply are queued for ``recvEvent``. Blocks until a reply
        comes or the connection drops.
        """
        if not isinstance(self, ESLconnection):
            raise _self_error("sendRecv")
        cmd = cstr_arg(cmd, "ESLconnection_sendRecv", 2, allow_none=False)
        return self._send_recv(cmd.encode("utf-8"))

    def api(self, cmd, arg=None) -> Optional[ESLevent]:
        """Run ``api <cmd> <arg>`` and return the ``api/response`` event (output in ``getBody()``).

        Returns None if ``cmd`` is None, if not connected, or if the connection drops.
        """
        if not isinstance(self, ESLconnection):
            raise _self_error("api")
        if arg is None and type(cmd) is str and cmd.isascii() and "\0" not in cmd:
            return self._send_recv(commands.api(cmd, None))   # (no cstr_arg checks needed)
        cmd = cstr_arg(cmd, "ESLconnection_api", 2)
        if arg is not None:
            arg = cstr_arg(arg, "ESLconnection_api", 3)
        if cmd is None:
            return None
        return self._send_recv(commands.api(cmd, arg))

    def bgapi(self, cmd, arg=None, job_uuid=None) -> Optional[ESLevent]:
        """Run ``bgapi``; return the ``command/reply`` (``Job-UUID`` header), or None.

        The result arrives later as a ``BACKGROUND_JOB`` event, if subscribed.
        """
        if not isinstance(self, ESLconnection):
            raise _self_error("bgapi")
        if (arg is None and job_uuid is None and type(cmd) is str and cmd.isascii()
                and "\0" not in cmd):
            return self._send_recv(commands.bgapi(cmd, None, None))   # (no cstr_arg checks)
        cmd = cstr_arg(cmd, "ESLconnection_bgapi", 2)
        arg = cstr_arg(arg, "ESLconnection_bgapi", 3)
        job_uuid = cstr_arg(job_uuid, "ESLconnection_bgapi", 4)
        if cmd is None:
            return None
        return self._send_recv(commands.bgapi(cmd, arg, job_uuid))

    @_swig_method
    def sendEvent(self, send_me) -> ESLevent:
        """Fire ``send_me`` on the switch with ``sendevent``.

        Returns, like the C library, a copy of the last event taken by ``recvEvent``/
        ``recvEventTimed`` (right after connecting: the ``+OK accepted`` reply) — not the
        sendevent reply. On failure, or when nothing was received yet, returns a
        ``SERVER_DISCONNECTED`` event; never None.
        """
        event = _cevent(send_me, "sendEvent")
        if not self._connected or event._is_null():
            return ESLevent._server_disconnected()
        text = event._serialize_raw()
        if _log.level >= 7:
            _debug("esl_sendevent", 504, "SEND EVENT\n%s\n" % text)
        with self._lock:
            if self._exchange(commands.sendevent(event._type_name(), text)) is None:
                return ESLevent._server_disconnected()
            last = self._last_event()
        return last if last is not None else ESLevent._server_disconnected()

    @_swig_method
    def sendMSG(self, send_me, uuid=None) -> int:
        """Send ``send_me`` with ``sendmsg [uuid]``; return 0 if a reply came, 1 otherwise.

        The reply text (``+OK`` or ``-ERR ...``) is not visible, as in the C library.
        """
        event = _cevent(send_me, "sendMSG")
        uuid = cstr_arg(uuid, "ESLconnection_sendMSG", 3)
        if not self._connected or event._is_null():
            return 1   # Difference: a null event crashes the C binding
        text = event._serialize_raw()
        cmd = commands.sendmsg(uuid, text)
        if _log.level >= 7:
            _debug("esl_sendmsg", 587, "%s%s\n" % (cmd.decode("utf-8", "surrogateescape"), text))
        with self._lock:
            return 0 if self._exchange(cmd) is not None else 1

    def recvEvent(self) -> ESLevent:
        """Return the next event or packet, blocking until one arrives.

        Queued packets come first, in arrival order. ``text/event-plain`` and
        ``text/event-json`` packets are returned as the event they carry; anything else as the
        ``SOCKET_DATA`` packet. A disconnect notice (unless lingering) or a dropped connection
        gives a ``SERVER_DISCONNECTED`` event; never None. Events that fully arrived before the
        connection dropped are still returned first (the C library drops them).
        """
        if not isinstance(self, ESLconnection):
            raise _self_error("recvEvent")
        if not self._connected and not self._arrived():
            return ESLevent._server_disconnected()
        with self._lock:
            event = self._receive()
        return event if event is not None else ESLevent._server_disconnected()

    def recvEventTimed(self, ms) -> Optional[ESLevent]:
        """Like :meth:`recvEvent`, waiting at most ``ms`` milliseconds; None on timeout or failure.

        ``ms == 0`` (and negative values) wait without limit, as the C library does — not "return
        at once" as FreeSWITCH's wiki says; poll with ``recvEventTimed(1)``. If another thread
        holds the connection when data becomes readable, or took that data first, returns None.
        Difference: ``ms`` bounds the whole call. A packet that has only partly arrived when
        ``ms`` runs out stays buffered and is returned, intact, by a later call (the C library
        reads it to its end, however long that takes); waiting for the connection while another
        thread runs a command is bounded by ``ms`` too. Events that arrived before a drop are
        returned first.
        """
        if not isinstance(self, ESLconnection):
            raise _self_error("recvEventTimed")
        ms = cint_arg(ms, "ESLconnection_recvEventTimed", 2)
        if not self._connected and not self._arrived():
            return None
        if ms <= 0:
            with self._lock:
                return self._receive()
        deadline = _monotonic() + ms / 1000.0
        lock = self._lock
        # Difference: the C library waits for the connection (another thread's command)
        # without limit.
        if not lock.acquire(timeout=ms / 1000.0):
            return None
        while True:
            try:
                if self._queue or self._take_arrived():
                    return self._receive()
            finally:
                lock.release()
            # No whole packet yet: wait for data without holding the connection, as C does.
            left = (deadline - _monotonic()) * 1000.0
            if left <= 0 or not _readable(self._sock, left):
                return None
            if not lock.acquire(blocking=False):
                return None   # another thread holds the connection (C: trylock fails)
            # If that thread took the data meanwhile, the next look finds nothing and we wait
            # out the rest of ms (the C library blocks in recv for good there).

    def _take_arrived(self) -> bool:
        """Queue the next packet if it is buffered, reading at most once, without waiting.

        True when a packet is queued, or when the link is down (``_receive`` then reports
        it); False when more bytes are needed (lock held). A partly read packet stays in the
        reader, so a timed receive never waits for the rest past its deadline.
        """
        reader = self._reader
        read = False
        while True:
            if reader.buffered():
                try:
                    packet = reader.next_packet()
                except ProtocolError:
                    self._fail(discard_input=True)   # what follows a framing error is not packets
                    return True
                if packet is not None:
                    if _log.level >= 7:
                        self._log_headers(packet)
                    self._queue.append(packet)
                    return True
            if read:
                return False
            sock = self._sock
            if not self._connected or sock is None:
                return True
            try:
                if _DONTWAIT:
                    data = sock.recv(_RECV_SIZE, _DONTWAIT)
                elif _readable(sock, 0):
                    data = sock.recv(_RECV_SIZE)
                else:
                    return False
            except BlockingIOError:
                return False
            except (OSError, ValueError):
                data = b""
            if not data:
                self._fail()
                return True
            reader.feed(data)
            read = True

    @_swig_method
    def filter(self, header, value) -> Optional[ESLevent]:
        """Send ``filter <header> <value>``; return the reply, or None if not connected."""
        header = cstr_arg(header, "ESLconnection_filter", 2)
        value = cstr_arg(value, "ESLconnection_filter", 3)
        if not self._connected:
            return None
        return self._send_recv(commands.filter(header, value))

    @_swig_method
    def events(self, etype, value) -> int:
        """Subscribe with ``event <plain|json|xml> <value>``; 0 if any reply came, else 1.

        ``etype`` is compared case-sensitively: only ``"json"`` and ``"xml"`` select those
        formats; everything else means plain.
        """
        etype = cstr_arg(etype, "ESLconnection_events", 2, allow_none=False)
        value = cstr_arg(value, "ESLconnection_events", 3)
        if not self._connected:
            return 1
        with self._lock:
            return 0 if self._exchange(commands.events(etype, value)) is not None else 1

    @_swig_method
    def execute(self, app, arg=None, uuid=None) -> Optional[ESLevent]:
        """Run a dialplan application with ``sendmsg``/``call-command: execute``.

        Adds ``event-lock: true`` / ``async: true`` when set with :meth:`setEventLock` /
        :meth:`setAsyncExecute`. Returns the reply, or None if not connected.
        """
        return self._execute(app, arg, uuid, "execute", bool(self._async_execute))

    @_swig_method
    def executeAsync(self, app, arg=None, uuid=None) -> Optional[ESLevent]:
        """As :meth:`execute`, always with ``async: true``."""
        return self._execute(app, arg, uuid, "executeAsync", True)

    def _execute(self, app, arg, uuid, method, async_) -> Optional[ESLevent]:
        wrapper = "ESLconnection_" + method
        app = cstr_arg(app, wrapper, 2)
        arg = cstr_arg(arg, wrapper, 3)
        uuid = cstr_arg(uuid, wrapper, 4)
        if not self._connected:
            return None
        return self._send_recv(commands.execute(app, arg, uuid, bool(self._event_lock), async_))

    @_swig_method
    def setAsyncExecute(self, val) -> int:
        """Set the async flag from a yes-word or number; None leaves it. Returns the flag (0/1)."""
        val = cstr_arg(val, "ESLconnection_setAsyncExecute", 2)
        if val is not None:
            self._async_execute = 1 if commands.is_true(val) else 0
        return self._async_execute

    @_swig_method
    def setEventLock(self, val) -> int:
        """Set the event-lock flag from a yes-word or number; None leaves it. Returns 0/1."""
        val = cstr_arg(val, "ESLconnection_setEventLock", 2)
        if val is not None:
            self._event_lock = 1 if commands.is_true(val) else 0
        return self._event_lock

    @_swig_method
    def disconnect(self) -> int:
        """Close the connection (no ``exit`` is sent) and return 0.

        Safe to call from another thread: a blocked ``recvEvent`` then returns a
        ``SERVER_DISCONNECTED`` event.
        """
        if not self._destroyed:
            self._disconnect()
        return 0

    def _disconnect(self) -> None:
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self._lock:
            self._connected = False
            self._destroyed = True
            self._queue.clear()
            self._parsed.clear()
            self._last = self._info = None
            self._reader = PacketReader()
            self._sock = None
            self._fd = -1
            if sock is not None:
                sock.close()

    def __del__(self) -> None:
        sock = getattr(self, "_sock", None)
        if sock is None:
            return
        if self._connected:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        sock.close()

    def __repr__(self) -> str:
        return "<ESL.ESLconnection; proxy of <Swig Object of type 'ESLconnection *' at 0x%x> >" % id(self)

    # SWIG proxy attributes: ``this`` and its ownership flag.
    this = proxy_this("ESLconnection")

    @property
    def thisown(self) -> bool:
        """SWIG's ownership flag of this proxy (bool); informational here."""
        return self.this.own()

    @thisown.setter
    def thisown(self, value) -> None:
        self.this.own(value)


def _wait_readable(sock: socket.socket, ms: int) -> bool:
    """Wait up to ``ms`` milliseconds for ``sock`` to become readable (or fail)."""
    if hasattr(select, "poll"):
        # poll(), not select(): select() refuses descriptors >= FD_SETSIZE (1024), and the
        # timed wait then turned into a blocking read.
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(ms))
    return bool(select.select([sock], [], [], ms / 1000.0)[0])


def _readable(sock, ms: int) -> bool:
    """``_wait_readable``, but True when the wait itself fails: the read then reports it."""
    try:
        return _wait_readable(sock, ms)
    except (OSError, ValueError, TypeError, AttributeError):
        return True


def _wait_io(sock: socket.socket, reading: bool) -> bool:
    """Block until ``sock`` is writable or (if ``reading``) readable; True if readable."""
    if hasattr(select, "poll"):   # no FD_SETSIZE limit, unlike select()
        poller = select.poll()
        poller.register(sock, select.POLLOUT | (select.POLLIN if reading else 0))
        return any(mask & (select.POLLIN | select.POLLHUP | select.POLLERR)
                   for _, mask in poller.poll())
    readable, _, _ = select.select([sock] if reading else [], [sock], [sock])
    return bool(readable)


