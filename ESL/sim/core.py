"""The simulated switch: event bus, log, global counters, timers and the table of live channels.

The bottom of the simulator's layers (config → switch → channels → applications → commands →
listener → Simulator): it imports only :mod:`.config` and :mod:`.loop`. What the higher layers
provide (the api commands, the dialplan applications, the outbound-socket connector) they hand
to the switch at start-up (see :class:`Switch`), so nothing here imports them.
"""
import itertools
import os
import re
import socket
import threading
import time
import uuid as uuidlib
from collections import deque
from email.utils import formatdate
from typing import Callable, Deque, Dict, Generator, List, Optional, Set

from ..protocol.server import ServerEvent
from .config import Config
from .coredb import CoreDB
from .loop import Loop

__all__ = ["Switch", "VERSION", "LOG_LEVELS", "plain_api"]

VERSION = "1.11.3-dev~64bit"
VERSION_TEXT = "FreeSWITCH Version %s ( 64bit)" % VERSION

#: switch_log_str2level names (``error`` is not one of them).
LOG_LEVELS = {"console": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4, "notice": 5,
              "info": 6, "debug": 7}
_LEVEL_NAMES = {v: k.upper() for k, v in LOG_LEVELS.items()}


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def _plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def uptime_text(usec: int) -> str:
    """FreeSWITCH's ``0 years, 0 days, ... 1 microsecond`` uptime phrase."""
    sec, us = divmod(usec, 1000000)
    ms, us = divmod(us, 1000)
    mins, sec = divmod(sec, 60)
    hours, mins = divmod(mins, 60)
    days, hours = divmod(hours, 24)
    years, days = divmod(days, 365)
    return ", ".join([_plural(years, "year"), _plural(days, "day"), _plural(hours, "hour"),
                      _plural(mins, "minute"), _plural(sec, "second"),
                      _plural(ms, "millisecond"), _plural(us, "microsecond")])


def _no_outbound(chan, targets, async_mode, full, done) -> None:
    """The outbound connector of a switch that no listener layer serves: no target answers."""
    done.set(None)


def _no_stop() -> None:
    """The stop hook of a switch that no server runs: nothing to stop."""


def plain_api(fn: Callable[..., str]) -> Callable[..., Generator]:
    """Wrap a plain function ``f(switch, arg) -> str`` as an api command generator."""
    def gen(sw, arg):
        return fn(sw, arg)
        yield  # pragma: no cover (makes this a generator)
    gen.__name__ = fn.__name__
    gen.__doc__ = fn.__doc__
    return gen


class Switch:
    """One running simulated FreeSWITCH. Thread-safe entry points: :meth:`fire`,
    :meth:`api_sync`, :meth:`log`, listener registration.

    Installed by the layers above (the :class:`~ESL.sim.Simulator` wires them):
    ``api_commands`` (name -> generator ``f(switch, arg)``), ``applications``
    (name -> generator ``f(channel, data)``) and ``connect_outbound(channel, targets,
    async_mode, full, done)``, which starts an outbound event socket and sets the loop Signal
    ``done`` to its listener (or None).
    """

    def __init__(self, config: Config, heartbeat_interval: Optional[float] = None,
                 auth_timeout: float = 25.0, check_ip_interval: float = 60.0) -> None:
        self.config = config
        self.core_uuid = new_uuid()
        self.hostname = socket.gethostname()
        self.started = time.time()
        self._started_mono = time.monotonic()
        self.heartbeat_interval = (config.heartbeat_interval if heartbeat_interval is None
                                   else heartbeat_interval)
        self.auth_timeout = auth_timeout
        self.check_ip_interval = check_ip_interval
        self.loop = Loop()
        self._seq = itertools.count(1)
        self._lock = threading.RLock()
        self.listeners = []   # type: List
        self.channels = {}    # type: Dict[str, object]
        self.session_count_total = 0
        self.session_peak = 0
        self._created = deque()   # type: Deque[float]
        self.global_vars = dict(config.vars)
        self.sched_tasks = []   # type: List[dict]   sched_api's tasks, not yet run
        self.hash_db = {}   # type: Dict[str, str]   mod_hash's table: "<realm>_<key>" -> value
        #: The channels/calls tables that ``show`` reads (kept from fired events).
        self.db = CoreDB(self.hostname)
        self._task_ids = itertools.count(1)
        self.api_commands = {}   # type: Dict[str, Callable[..., Generator]]
        self.applications = {}   # type: Dict[str, Callable[..., Generator]]
        self.connect_outbound = _no_outbound   # type: Callable[..., None]
        #: Called (on the loop) once a ``shutdown`` has ended the calls: stop serving.
        self.request_stop = _no_stop   # type: Callable[[], None]
        #: Set while a ``shutdown elegant|asap`` waits for the calls to end.
        self.shutdown_pending = False
        #: ``user@domain`` of the directory users that count as registered (user/ endpoint).
        self.registrations = set()   # type: Set[str]

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.loop.start()
        if self.heartbeat_interval and self.heartbeat_interval > 0:
            self.loop.spawn(self._timers(), "scheduler")

    def stop(self) -> None:
        self.loop.stop()

    # -- events ----------------------------------------------------------------------------
    def new_event(self, name: str, calling: tuple, subclass: Optional[str] = None,
                  when: Optional[float] = None) -> ServerEvent:
        """Create an event with the standard headers (WIRE.md §6.1) already in place."""
        event = ServerEvent(subclass=subclass)
        self.prep(event, name, calling, when)
        return event

    def prep(self, event: ServerEvent, name: str, calling: tuple,
             when: Optional[float] = None) -> None:
        """Append the standard headers to an event (as switch_event_prep_for_delivery)."""
        now = time.time() if when is None else when
        event.type = name
        local = time.localtime(now)
        event.add("Event-Name", name)
        event.add("Core-UUID", self.core_uuid)
        event.add("FreeSWITCH-Hostname", self.hostname)
        event.add("FreeSWITCH-Switchname", self.hostname)
        event.add("FreeSWITCH-IPv4", "127.0.0.1")
        event.add("FreeSWITCH-IPv6", "::1")
        event.add("Event-Date-Local", time.strftime("%Y-%m-%d %H:%M:%S", local))
        event.add("Event-Date-GMT", formatdate(now, usegmt=True))
        event.add("Event-Date-Timestamp", str(int(now * 1000000)))
        event.add("Event-Calling-File", calling[0])
        event.add("Event-Calling-Function", calling[1])
        event.add("Event-Calling-Line-Number", str(calling[2]))
        event.add("Event-Sequence", str(next(self._seq)))

    def fire(self, event: ServerEvent) -> None:
        """Deliver an event to every listener that wants it (in listener order).

        The core database sees it first, as FreeSWITCH's own event handler does.
        """
        with self._lock:
            self.db.on_event(event)
            listeners = list(self.listeners)
        for listener in listeners:
            listener.offer_event(event)

    def read_db(self, reader: Callable[[CoreDB], str]) -> str:
        """Run ``reader(db)`` while no event changes the core db; returns what it returns."""
        with self._lock:
            return reader(self.db)

    def logs_at(self, level: int) -> bool:
        """True if some listener logs at ``level`` (a cheap check before costly log text)."""
        return any(lst.log_level is not None and level <= lst.log_level
                   for lst in list(self.listeners))

    def log(self, level: int, text: str, file: str = "switch_core.c", func: str = "",
            line: int = 0, uuid: str = "", clean: bool = False,
            text_channel: int = 3) -> None:
        """Send a log line to every listener that enabled logging at ``level`` or above.

        A ``clean`` line goes out as ``text`` alone (FreeSWITCH's ``*_LOG_CLEAN`` lines, Text-
        Channel 1: dialplan and EXECUTE lines); others get the date, idle CPU, level and
        file:line prefix. ``text_channel`` is 3 for a session's own lines, 0 for lines logged
        by channel uuid (state, call state, answer and hangup: see :mod:`.calllog`).
        """
        with self._lock:
            listeners = [lst for lst in self.listeners
                         if lst.log_level is not None and level <= lst.log_level]
        if not listeners:
            return   # nobody logs at this level: a call's many debug lines cost nothing
        if clean:
            full = text + "\n"
        else:
            now = time.time()
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
            full = "%s.%06d %.2f%% [%s] %s:%d %s\n" % (
                stamp, int(now * 1000000) % 1000000, self.idle_cpu(),
                _LEVEL_NAMES.get(level, "DEBUG"), file, line, text)
        for listener in listeners:
            listener.offer_log(level, full, file, func, line, uuid, 1 if clean else text_channel)

    def add_listener(self, listener) -> None:
        with self._lock:
            self.listeners.append(listener)

    def remove_listener(self, listener) -> None:
        with self._lock:
            if listener in self.listeners:
                self.listeners.remove(listener)

    # -- counters --------------------------------------------------------------------------
    def uptime_usec(self) -> int:
        return int((time.time() - self.started) * 1000000)

    @staticmethod
    def idle_cpu() -> float:
        try:
            load = os.getloadavg()[0] / (os.cpu_count() or 1)
        except (AttributeError, OSError):
            load = 0.0
        return max(0.0, min(100.0, 100.0 - load * 100.0))

    def session_count(self) -> int:
        return len(self.channels)

    def add_session(self, chan) -> None:
        """List a new leg as live and count it (session id, peak, sessions per second)."""
        self.session_count_total += 1
        chan.session_id = self.session_count_total
        self.channels[chan.uuid] = chan
        self.session_peak = max(self.session_peak, len(self.channels))
        self._created.append(time.monotonic())

    def last_sps(self) -> int:
        """Sessions created during the last whole second of the switch's clock, as FreeSWITCH
        counts them: its timer closes a one-second window every second since start-up."""
        now = time.monotonic()
        window_end = now - (now - self._started_mono) % 1.0
        while self._created and self._created[0] < window_end - 1.0:
            self._created.popleft()
        return sum(1 for t in self._created if t < window_end)

    def status_text(self) -> str:
        count = self.session_count()
        peak = self.session_peak
        return ("UP %s\nFreeSWITCH (Version 1.11.3-dev  64bit) is ready\n"
                "%d session(s) since startup\n"
                "%d session(s) - peak %d, last 5min %d \n"
                "%d session(s) per Sec out of max %d, peak %d, last 5min %d \n"
                "%d session(s) max\nmin idle cpu 0.00/%.2f\n"
                "Current Stack Size/Max 240K/8192K\n" % (
                    uptime_text(self.uptime_usec()), self.session_count_total, count, peak,
                    peak, self.last_sps(), self.config.sessions_per_second, peak, peak,
                    self.config.max_sessions, self.idle_cpu()))

    def new_task_id(self) -> int:
        """The next scheduler task id (the core's own tasks took the first ones)."""
        return next(self._task_ids)

    # -- timers ----------------------------------------------------------------------------
    def _timers(self) -> Generator:
        """HEARTBEAT every interval, then the scheduler's RE_SCHEDULE events (WIRE.md §7).

        Like FreeSWITCH's scheduler: task 1 ``heartbeat`` and task 2 ``check_ip`` (every 60 s)
        both run at start-up; each run is followed by a RE_SCHEDULE event.
        """
        hb = float(self.heartbeat_interval)
        tasks = [[next(self._task_ids), "heartbeat", hb, 0.0],
                 [next(self._task_ids), "check_ip", float(self.check_ip_interval), 0.0]]
        start = time.time()
        for task in tasks:
            task[3] = start + task[2]
        while True:
            due = min(t[3] for t in tasks)
            delay = due - time.time()
            if delay > 0:
                yield delay
            now = time.time()
            for task in tasks:
                if task[3] > now + 0.001:
                    continue
                if task[1] == "heartbeat":
                    self.fire(self._heartbeat())
                task[3] += task[2]
                ev = self.new_event("RE_SCHEDULE", ("switch_scheduler.c",
                                                    "switch_scheduler_execute", 73))
                ev.add("Task-ID", str(task[0]))
                ev.add("Task-Desc", task[1])
                ev.add("Task-Group", "core")
                ev.add("Task-Runtime", str(int(task[3])))
                self.fire(ev)

    def _heartbeat(self) -> ServerEvent:
        ev = self.new_event("HEARTBEAT", ("switch_core.c", "send_heartbeat", 95))
        up = self.uptime_usec()
        peak = self.session_peak
        for name, value in (
                ("Event-Info", "System Ready"), ("Up-Time", uptime_text(up)),
                ("FreeSWITCH-Version", VERSION), ("Uptime-msec", str(up // 1000)),
                ("Session-Count", str(self.session_count())),
                ("Max-Sessions", str(self.config.max_sessions)),
                ("Session-Per-Sec", str(self.config.sessions_per_second)),
                ("Session-Per-Sec-Last", str(self.last_sps())), ("Session-Per-Sec-Max", str(peak)),
                ("Session-Per-Sec-FiveMin", str(peak)),
                ("Session-Since-Startup", str(self.session_count_total)),
                ("Session-Peak-Max", str(peak)), ("Session-Peak-FiveMin", str(peak)),
                ("Idle-CPU", "%f" % self.idle_cpu())):
            ev.add(name, value)
        return ev

    # -- api -------------------------------------------------------------------------------
    def api_sync(self, cmd: str, arg: str, timeout: Optional[float] = None) -> str:
        """Run an api command from a listener thread; returns its output (fires API event)."""
        return self.loop.run_sync(self.api(cmd, arg), "api " + cmd, timeout)

    def api(self, cmd: str, arg: str) -> Generator:
        """Generator running api ``cmd`` with ``arg``; returns the output text as the event
        socket answers it (``-ERR <cmd> Command not found!``, ``-ERR no reply``)."""
        out = yield from self.execute_api(cmd, arg)
        if out is None:
            return "-ERR %s Command not found!\n" % cmd.strip()
        return out or "-ERR no reply\n"

    def execute_api(self, cmd: str, arg: str) -> Generator:
        """Generator running api ``cmd`` as switch_api_execute does: returns its output, or
        None when no such command exists, and fires the ``API`` event after it."""
        cmd = cmd.strip()
        # As switch_api_execute: blanks around the argument go, except for Tab completion.
        arg = (arg or "") if cmd.lower() == "console_complete" else (arg or "").strip()
        func = self.api_commands.get(cmd.lower()) if cmd else None
        out = None
        if func is not None:
            out = yield from func(self, arg)
        ev = self.new_event("API", ("switch_loadable_module.c", "switch_api_execute", 3140))
        ev.add("API-Command", cmd)
        if arg:
            ev.add("API-Command-Argument", arg)
        self.fire(ev)
        return out

    # -- variables -------------------------------------------------------------------------
    def expand(self, text: str, chan=None) -> str:
        """Expand ``$${global}`` and ``${var}`` (channel first, then global) in ``text``."""
        def glob(m):
            return self.global_vars.get(m.group(1), "")

        def var(m):
            name = m.group(1)
            if chan is not None:
                value = chan.getvar(name)
                if value is not None:
                    return value
            return self.global_vars.get(name, "")
        text = re.sub(r"\$\$\{([^}]*)\}", glob, text)
        return re.sub(r"\$\{([^}]*)\}", var, text)

    def channel(self, uuid: str):
        """The live channel with that uuid, or None."""
        return self.channels.get(uuid.strip()) if uuid else None

