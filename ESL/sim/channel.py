"""Channels of the simulated switch: call legs, their state machine and message queue.

The event sequences and header layouts follow what a real FreeSWITCH sends for loopback calls
(the shared transcripts): each state change, answer, application start/end and hangup fires the
same event types in the same order, with the same channel/caller/variable blocks.
"""
import time
from collections import deque
from typing import Callable, Deque, Dict, Generator, List, Optional, Set, Tuple  # noqa: F401

from ..protocol.server import ServerEvent
from . import calllog
from .calllog import (ANSWER_APP, LOOPBACK_ANSWER, LOOPBACK_HANGUP, MARK_ANSWERED, NO_ROUTE,
                      ROUTED, TRANSFER)
from .cdr import HANGUP_CAUSES, set_cdr_variables, usec as _usec
from .core import new_uuid

__all__ = ["Channel", "HANGUP_CAUSES", "FRAME", "DTMF_DIGITS", "cause_from_text"]

STATES = ["CS_NEW", "CS_INIT", "CS_ROUTING", "CS_SOFT_EXECUTE", "CS_EXECUTE",
          "CS_EXCHANGE_MEDIA", "CS_PARK", "CS_CONSUME_MEDIA", "CS_HIBERNATE", "CS_RESET",
          "CS_HANGUP", "CS_REPORTING", "CS_DESTROY", "CS_NONE"]
CALLSTATES = ["DOWN", "DIALING", "RINGING", "EARLY", "ACTIVE", "HELD", "RING_WAIT", "HANGUP",
              "UNHELD"]

class ProfileSnapshot:
    """A copy of a leg's caller profile and times (what an Other-Leg block shows)."""

    def __init__(self, profile: Dict[str, str], times: Dict[str, float]) -> None:
        self.profile = profile
        self.times = times

    def _profile(self, ev, prefix: str, index: bool = True,
                 logical: Optional[str] = None) -> None:
        Channel._profile(self, ev, prefix, index, logical)   # type: ignore[arg-type]


_PROFILE_ORDER = ["Direction", "Logical-Direction", "Username", "Dialplan", "Caller-ID-Name",
                  "Caller-ID-Number", "Orig-Caller-ID-Name", "Orig-Caller-ID-Number",
                  "Callee-ID-Name", "Callee-ID-Number", "Network-Addr", "ANI", "ANI-II",
                  "Destination-Number", "Unique-ID", "Source", "Transfer-Source", "Context",
                  "RDNIS", "Channel-Name", "Profile-Index"]
_TIME_ORDER = [("Profile-Created-Time", "profile_created"), ("Channel-Created-Time", "created"),
               ("Channel-Answered-Time", "answered"), ("Channel-Progress-Time", "progress"),
               ("Channel-Progress-Media-Time", "progress_media"),
               ("Channel-Hangup-Time", "hangup"), ("Channel-Transfer-Time", "transfer"),
               ("Channel-Resurrect-Time", "resurrect"), ("Channel-Bridged-Time", "bridged"),
               ("Channel-Last-Hold", "last_hold"), ("Channel-Hold-Accum", "hold_accum")]

FRAME = 0.02   # one 20 ms media frame: how late a channel thread notices a hangup

# (file, function, line) of the code that fires each event in FreeSWITCH master.
_AT = {
    "STATE": ("switch_channel.c", "switch_channel_perform_set_running_state", 2409),
    "CALLSTATE": ("switch_channel.c", "switch_channel_perform_set_callstate", 302),
    "CREATE": ("switch_core_state_machine.c", "switch_core_session_run", 626),
    "ORIGINATE": ("switch_core_state_machine.c", "switch_core_session_run", 632),
    "OUTGOING": ("switch_core_session.c", "switch_core_session_outgoing_channel", 768),
    "ANSWER": ("switch_channel.c", "switch_channel_perform_mark_answered", 3848),
    "EXECUTE": ("switch_core_session.c", "switch_core_session_exec", 2949),
    "EXECUTE_COMPLETE": ("switch_core_session.c", "switch_core_session_exec", 2972),
    "PARK": ("switch_ivr.c", "switch_ivr_park", 1002),
    "UNPARK": ("switch_ivr.c", "switch_ivr_park", 1213),
    "HANGUP": ("switch_channel.c", "switch_channel_perform_hangup", 3447),
    "HANGUP_COMPLETE": ("switch_core_state_machine.c", "switch_core_session_reporting_state",
                        943),
    "DESTROY": ("switch_core_session.c", "switch_core_session_perform_destroy", 1588),
    "CALL_UPDATE": ("switch_channel.c", "switch_channel_flip_cid", 3279),
    "CODEC_READ": ("switch_core_codec.c", "switch_core_session_set_read_codec", 300),
    "CODEC_REAL_READ": ("switch_core_codec.c", "switch_core_session_set_real_read_codec", 189),
    "CODEC_WRITE": ("switch_core_codec.c", "switch_core_session_set_write_codec", 471),
    "BRIDGE": ("switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1717),
    "BRIDGE_START": ("switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1689),
    "BRIDGE_END": ("switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1879),
    "UNBRIDGE": ("switch_ivr_bridge.c", "switch_ivr_multi_threaded_bridge", 1857),
    "DTMF": ("switch_channel.c", "switch_channel_dequeue_dtmf", 678),
    "PROGRESS": ("switch_channel.c", "switch_channel_perform_mark_ring_ready_value", 3507),
    "PROGRESS_MEDIA": ("switch_channel.c", "switch_channel_perform_mark_pre_answered", 3562),
    "PLAYBACK_START": ("switch_ivr_play_say.c", "switch_ivr_play_file", 1649),
    "PLAYBACK_STOP": ("switch_ivr_play_say.c", "switch_ivr_play_file", 2023),
    "RECORD_START": ("switch_ivr_play_say.c", "switch_ivr_record_file_event", 770),
    "RECORD_STOP": ("switch_ivr_play_say.c", "switch_ivr_record_file_event", 1033),
}

#: The characters a DTMF string may carry (``w``/``W`` pauses are skipped).
DTMF_DIGITS = "0123456789*#ABCDabcd"




_CAUSE_BY_CODE = {code: name for name, code in HANGUP_CAUSES.items()}


def cause_from_text(text: str) -> str:
    """A hangup cause from its name in any case or its Q.850 number (switch_channel_str2cause);
    NORMAL_CLEARING for anything else."""
    text = text.strip().upper()
    if text.isdigit():
        return _CAUSE_BY_CODE.get(int(text), "NORMAL_CLEARING")
    return text if text in HANGUP_CAUSES else "NORMAL_CLEARING"


class Channel:
    """One call leg. Runs as a task on the switch loop (see :meth:`run`)."""

    def __init__(self, switch, name: str, direction: str, profile: Dict[str, str],
                 uuid: Optional[str] = None) -> None:
        self.sw = switch
        self.loop = switch.loop
        self.uuid = uuid or new_uuid()
        self.name = name
        self.direction = direction
        self.running = "CS_NONE"      # Channel-State: the running state
        # The session thread's state in the call log (calllog), which may trail ``running``,
        # and whether that thread already logged "going to sleep" in it.
        self.log_running = None       # type: Optional[str]
        self.log_asleep = False
        self.state_num = 0            # Channel-State-Number: the requested state
        self.callstate = "DOWN"
        self.answer_state = "ringing"
        self.hit_dialplan = direction == "inbound"
        self.hangup_cause = None      # type: Optional[str]
        self.codec_read = False
        self.codec_write = False
        self.codec = ("L16", "8000", "128000")   # name, rate, bit rate
        #: A codec the leg gets when answered (a SIP leg's media starts with the answer).
        self.media_on_answer = None   # type: Optional[Tuple[str, str, str]]
        self.profile = dict(profile)
        self.profile.setdefault("Unique-ID", self.uuid)
        self.times = {"profile_created": time.time()}   # type: Dict[str, float]
        self.times["created"] = self.times["profile_created"]
        self.vars = []   # type: List[List[str]]   ordered; setting moves to the end
        self.other = None   # type: Optional[Channel]   the loopback partner
        self.bridged_to = None   # type: Optional[Channel]
        #: ("originator" | "originatee", channel): the Other-Leg block of a bridged call.
        self.other_leg = None   # type: Optional[Tuple[str, ProfileSnapshot]]
        self.call_uuid = self.uuid   # the originator's uuid for a leg it dialled
        self.originator = None   # type: Optional[Channel]
        self.dtmf = deque()   # type: Deque[str]   digits heard, not yet read by an application
        self.transfer_to = None   # type: Optional[Tuple[str, str]]   (extension, context)
        self.transfers = 0   # how many times the channel was transferred
        self.digits_dialed = ""   # every digit heard, for the CDR's digits_dialed
        self.seen = set()   # type: Set[str]   every state and call state this leg has been in
        self.messages = deque()   # type: Deque[Tuple[ServerEvent, object]]
        #: Session recordings (``uuid_record``) by path: each entry stops its recording.
        self.media_bugs = {}   # type: Dict[str, Callable[[], None]]
        self.wake = self.loop.signal()
        self.answered_sig = self.loop.signal()
        self.reporting_sig = self.loop.signal()
        self.released_sig = self.loop.signal()   # set when no socket holds the session
        self.released_sig.set()
        self.destroyed_sig = self.loop.signal()
        self.completed_sig = self.loop.signal()   # set once CHANNEL_HANGUP_COMPLETE fired
        self.listener = None
        self.last_app = None   # type: Optional[Tuple[str, str]]
        self.parked = False
        self.breaking = False   # CF_BREAK (uuid_break): the playing file stops at once
        self.resume = False
        self.session_id = 0
        #: The signalling behind the leg (a SIP dialog: :mod:`.sofia`), told of its progress.
        self.endpoint = None   # type: Optional[object]
        self.log_state = "CS_NEW"   # the requested state, as the "State Change" lines show it

    # -- variables -------------------------------------------------------------------------
    def setvar(self, name: str, value: Optional[str]) -> None:
        """Set a channel variable; it moves to the end. None or "" deletes it."""
        self.vars = [v for v in self.vars if v[0] != name]
        if value is not None and value != "":
            self.vars.append([name, str(value)])

    def getvar(self, name: str) -> Optional[str]:
        for vname, value in self.vars:
            if vname == name:
                return value
        return None

    @property
    def hungup(self) -> bool:
        return self.hangup_cause is not None

    def snapshot(self, times: bool = True) -> "ProfileSnapshot":
        """This leg's caller profile as it is now (an Other-Leg block keeps it unchanged);
        without ``times`` its times read 0."""
        return ProfileSnapshot(dict(self.profile), dict(self.times) if times else {})

    # -- events ----------------------------------------------------------------------------
    def _block(self, ev: ServerEvent, profile: bool = True, variables: bool = True) -> None:
        add = ev.add
        add("Channel-State", self.running)
        add("Channel-Call-State", self.callstate)
        add("Channel-State-Number", str(self.state_num))
        add("Channel-Name", self.name)
        add("Unique-ID", self.uuid)
        add("Call-Direction", self.direction)
        add("Presence-Call-Direction", self.direction)
        add("Channel-HIT-Dialplan", "true" if self.hit_dialplan else "false")
        add("Channel-Call-UUID", self.call_uuid)
        add("Answer-State", self.answer_state)
        if self.hangup_cause:
            add("Hangup-Cause", self.hangup_cause)
        if self.codec_read:
            add("Channel-Read-Codec-Name", self.codec[0])
            add("Channel-Read-Codec-Rate", self.codec[1])
            add("Channel-Read-Codec-Bit-Rate", self.codec[2])
        if self.codec_write:
            add("Channel-Write-Codec-Name", self.codec[0])
            add("Channel-Write-Codec-Rate", self.codec[1])
            add("Channel-Write-Codec-Bit-Rate", self.codec[2])
        if profile:
            self._profile(ev, "Caller-")
            if self.other_leg is not None:
                kind, leg = self.other_leg
                add("Other-Type", kind)
                # The originatee's profile is the one it was called with: inbound logically.
                leg._profile(ev, "Other-Leg-", index=False,
                             logical="inbound" if kind == "originatee" else None)
        if variables:
            for name, value in self.vars:
                add("variable_" + name, value)

    def _profile(self, ev: ServerEvent, prefix: str, index: bool = True,
                 logical: Optional[str] = None) -> None:
        for field in _PROFILE_ORDER:
            value = self.profile.get(field)
            if logical and field == "Logical-Direction":
                value = logical
            if value and (index or field != "Profile-Index"):
                ev.add(prefix + field, value)
        for header, key in _TIME_ORDER:
            ev.add(prefix + header, _usec(self.times.get(key)))
        ev.add(prefix + "Screen-Bit", "true")
        ev.add(prefix + "Privacy-Hide-Name", "false")
        ev.add(prefix + "Privacy-Hide-Number", "false")

    def set_event_data(self, ev: ServerEvent) -> None:
        """Add this leg's channel, caller and variable headers (switch_channel_event_set_data)."""
        self._block(ev)

    def event(self, kind: str, pre=(), post=(), variables: bool = True,
              profile: bool = True, name: Optional[str] = None) -> ServerEvent:
        """Build a channel event ``CHANNEL_<kind>`` (or ``name``) with this leg's data."""
        ev = self.sw.new_event(name or "CHANNEL_" + kind, _AT[kind])
        for hname, value in pre:
            ev.add(hname, value)
        self._block(ev, profile, variables)
        for hname, value in post:
            ev.add(hname, value)
        return ev

    def fire(self, kind: str, pre=(), post=(), variables: bool = True, profile: bool = True,
             name: Optional[str] = None) -> None:
        self.sw.fire(self.event(kind, pre, post, variables, profile, name))

    def channel_data(self) -> ServerEvent:
        """The CHANNEL_DATA event an outbound socket gets for ``connect``."""
        ev = self.sw.new_event("CHANNEL_DATA", ("mod_event_socket.c", "parse_command", 2029))
        self._profile(ev, "Channel-")
        self._block(ev)
        return ev

    def log(self, level: int, text: str, at: Tuple[str, str, int], clean: bool = False) -> None:
        """Log a line about this channel (its uuid as the log's User-Data)."""
        self.sw.log(level, text, at[0], at[1], at[2], self.uuid, clean)

    def set_state(self, state: str, number: Optional[str] = None) -> None:
        """Enter running state ``state`` and fire CHANNEL_STATE (the log lines are the call
        flow's: see :mod:`.calllog`)."""
        self.running = state
        self.seen.add(state)
        self.state_num = STATES.index(number or state)
        self.fire("STATE", variables=False)

    def set_callstate(self, callstate: str, site: Optional[calllog.Site] = None) -> None:
        """Change the call state and fire CHANNEL_CALLSTATE; logged from ``site`` if given."""
        original = self.callstate
        self.callstate = callstate
        self.seen.add(callstate)
        if site is not None:
            calllog.callstate(self, original, callstate, site)
        if callstate == "HANGUP":
            self.times["hangup"] = time.time()
        self.fire("CALLSTATE", pre=(("Original-Channel-Call-State", original),
                                    ("Channel-Call-State-Number",
                                     str(CALLSTATES.index(callstate)))), variables=False)

    def set_codecs(self, raw_name: str) -> None:
        """Fire the two CODEC events of a new leg (before its caller profile exists)."""
        name, self.name = self.name, raw_name
        self.codec_read = True
        self.sw.fire(self.event("CODEC_READ", name="CODEC", profile=False, variables=False,
                                post=(("channel-read-codec-name", "L16"),
                                      ("channel-read-codec-rate", "8000"),
                                      ("channel-read-codec-bit-rate", "128000"))))
        self.codec_write = True
        self.sw.fire(self.event("CODEC_WRITE", name="CODEC", profile=False, variables=False,
                                post=(("Channel-Write-Codec-Name", "L16"),
                                      ("Channel-Write-Codec-Rate", "8000"),
                                      ("Channel-Write-codec-bit-rate", "128000"))))
        self.name = name

    def set_media(self, codec: Tuple[str, str, str]) -> None:
        """Give the leg its codec (read and write), with the codec variables, no events."""
        self.codec = codec
        self.codec_read = self.codec_write = True
        for name, value in (("read_codec", codec[0]), ("original_read_codec", codec[0]),
                            ("read_rate", codec[1]), ("original_read_rate", codec[1]),
                            ("write_codec", codec[0]), ("write_rate", codec[1]),
                            ("dtmf_type", "rfc2833")):
            self.setvar(name, value)

    # -- call control ----------------------------------------------------------------------
    def mark_ring_ready(self) -> None:
        """Ringing (``ring_ready``, a far end's 180): CHANNEL_PROGRESS, call state RINGING;
        a loopback leg's partner rings too."""
        if self.times.get("progress") or self.answer_state == "answered" or self.hungup:
            return
        self.sw.log(5, "Ring-Ready %s!" % self.name, "mod_dptools.c", "ring_ready_function",
                    1113, self.uuid, text_channel=calllog.UUID_LOG)
        self.times["progress"] = time.time()
        self.fire("PROGRESS")
        self.set_callstate("RINGING")
        self._tell("ringing")
        if self.other is not None:   # a loopback (or SIP) partner hears the ringing
            self.other.mark_ring_ready()

    def mark_pre_answered(self) -> None:
        """Early media (``pre_answer``, a far end's 183): CHANNEL_PROGRESS_MEDIA, call state
        EARLY; a loopback leg brings its partner to early media too."""
        if self.times.get("progress_media") or self.answer_state == "answered" or self.hungup:
            return
        self.sw.log(5, "Pre-Answer %s!" % self.name, "mod_dptools.c", "pre_answer_function",
                    1476, self.uuid, text_channel=calllog.UUID_LOG)
        self.times["progress_media"] = time.time()
        self.answer_state = "early"
        self.setvar("endpoint_disposition", "EARLY MEDIA")
        self._tell("early")
        self.fire("PROGRESS_MEDIA")
        self.set_callstate("EARLY")
        if self.other is not None:
            self.other.mark_pre_answered()

    def mark_answered(self, site: calllog.Site = ANSWER_APP) -> None:
        """Answered (logged from ``site``, the code that answered): CHANNEL_ANSWER, ACTIVE."""
        if self.answer_state == "answered" or self.hungup:
            return
        self.answer_state = "answered"
        self.times["answered"] = time.time()
        if self.media_on_answer is not None and not self.codec_read:
            self.set_media(self.media_on_answer)
        self._tell("answering")
        self.sw.log(5, "Channel [%s] has been answered" % self.name, site[0], site[1], site[2],
                    self.uuid, text_channel=calllog.UUID_LOG)
        self.fire("ANSWER")
        self.set_callstate("ACTIVE", MARK_ANSWERED)
        self.answered_sig.set(True)

    def answer(self, site: calllog.Site = ANSWER_APP) -> None:
        """Answer this leg; a loopback leg answers its partner first, as mod_loopback does."""
        if self.other is not None and not self.other.hungup:
            self.other.mark_answered(LOOPBACK_ANSWER)
        self.mark_answered(site)

    def hangup(self, cause: str = "NORMAL_CLEARING",
               site: calllog.Site = ("switch_channel.c", "switch_channel_perform_hangup",
                                     3426)) -> bool:
        """Start hanging up (fires CHANNEL_HANGUP now); False if already hanging up.

        ``site`` is the code that hung up, as FreeSWITCH's "Hangup" log line names it."""
        if self.hungup:
            return False
        cause = cause_from_text(cause)
        self.hangup_cause = cause
        calllog.hangup_line(self, cause, site)
        self.log_state = "CS_HANGUP"   # requested without a "State Change" line
        self.state_num = STATES.index("CS_HANGUP")
        self.answer_state = "hangup"
        self.fire("HANGUP")
        if self.listener is not None and self.listener.static:
            # A static socket runs on the channel's own thread: it notices the hangup at
            # once, before the state machine can go on (its CHANNEL_HANGUP_COMPLETE comes
            # only after the socket has let go).
            self.listener.session_hangup(self)
        self.answered_sig.set(False)
        self.wake.set()
        if self.bridged_to is not None:
            self.bridged_to.wake.set()
        return True

    def queue_message(self, msg: ServerEvent, done=None) -> None:
        """Queue a sendmsg message; ``done`` (a threading.Event) is set once it has run.

        A channel that is already hanging up drops the message (and sets ``done``).
        """
        if self.hungup:
            if done is not None:
                done.set()
            return
        self.messages.append((msg, done))
        self.wake.set()

    # -- DTMF ----------------------------------------------------------------------------
    def receive_dtmf(self, digits: str, duration: int = 2000, source: str = "UNKNOWN") -> None:
        """The far end of this leg pressed ``digits``: the public way DTMF reaches a channel.

        Fires one DTMF event per digit on this channel and queues the digits for the
        application that reads them (``play_and_get_digits``, ``read``, playback terminators);
        a bridged channel passes them on to its partner's far end, as a bridge does.
        ``duration`` is in samples (FreeSWITCH's default 2000). Call it on the switch loop
        (``switch.loop.call``); characters that are not DTMF are skipped.
        """
        for digit in digits:
            if digit not in DTMF_DIGITS or self.hungup:
                continue
            digit = digit.upper()
            calllog.dtmf_received(self, digit, duration)
            self.dtmf.append(digit)
            self.digits_dialed += digit
            self.fire("DTMF", name="DTMF", variables=False, post=(
                ("DTMF-Digit", digit), ("DTMF-Duration", str(duration)),
                ("DTMF-Source", source)))
        if self.bridged_to is not None and not self.bridged_to.hungup:
            self.dtmf.clear()
            self.bridged_to.send_dtmf(digits, duration)
        self.wake.set()

    def send_dtmf(self, digits: str, duration: int = 2000) -> None:
        """Send ``digits`` out to this leg's far end, as ``uuid_send_dtmf`` does.

        For a loopback leg the far end is its partner leg, which hears them
        (:meth:`receive_dtmf`), as does the other leg of a SIP call to the switch itself; a
        simulated phone or gateway at the far end swallows them.
        Call it on the switch loop.
        """
        sent = sum(1 for d in digits if d in DTMF_DIGITS)
        if sent:
            # switch_core_session_send_dtmf_string: each digit's duration plus a 250 ms pause
            self.setvar("last_dtmf_duration", str(sent * (duration // 8 + 250)))
        if self.other is not None and not self.other.hungup:
            for digit in (d for d in digits if d in DTMF_DIGITS):   # mod_loopback queues each
                self.other.receive_dtmf(digit, duration)
                calllog.dtmf_sent(self, digit, duration)
        elif self.endpoint is not None:   # over SIP: RFC 2833 packets to the far leg
            self.endpoint.dtmf(self, digits, duration)

    def take_dtmf(self) -> str:
        """Remove and return the oldest digit heard, or "" if none is waiting."""
        return self.dtmf.popleft() if self.dtmf else ""

    def nap(self, seconds: float) -> Generator:
        """Wait up to ``seconds`` for DTMF, a hangup or a transfer (returns at once if one is
        already there; may also return early for a queued message)."""
        if self.dtmf or self.leaving or self.breaking:
            return
        self.wake = self.loop.signal()
        if 0 < seconds < float("inf"):
            self.loop.spawn(_set_after(seconds, self.wake), "timer")
        yield self.wake

    def wait_wake(self) -> Generator:
        """Wait until a message arrives or the channel hangs up."""
        if not self.messages and not self.hungup:
            self.wake = self.loop.signal()
            yield self.wake

    # -- applications ----------------------------------------------------------------------
    def execute(self, app: str, data: str = "", app_uuid: Optional[str] = None,
                uuid_name: Optional[str] = None) -> Generator:
        """Run one application with CHANNEL_EXECUTE / CHANNEL_EXECUTE_COMPLETE around it.

        Returns the elapsed time in seconds.
        """
        app = app.strip()
        func = self.sw.applications.get(app.lower())
        data = self.sw.expand(data, self) if data else ""
        app_uuid = app_uuid or new_uuid()
        post = [("Application", app)]
        if data:
            post.append(("Application-Data", data))
        tail = [("Application-UUID", app_uuid)]
        if uuid_name:
            tail.append(("Application-UUID-Name", uuid_name))
        if func is None:
            # As switch_core_session_execute_application_get_flags: no EXECUTE events, an
            # error in the log, and the channel hangs up.
            self.sw.log(3, "Invalid Application %s" % app, "switch_core_session.c",
                        "switch_core_session_execute_application_get_flags", 2771, self.uuid)
            self.hangup("DESTINATION_OUT_OF_ORDER")
            return 0.0
        self.setvar("current_application", app)
        self.setvar("current_application_data", data)
        self.setvar("current_application_response", None)
        self.log(6, "EXECUTE [depth=0] %s %s(%s)" % (self.name, app, data),
                 ("switch_core_session.c", "switch_core_session_exec", 2907), clean=True)
        self.fire("EXECUTE", post=post + tail)
        self.setvar("current_application", app)
        self.last_app = (app, data)
        started = time.monotonic()
        yield from func(self, data)
        if self.hungup:
            self.sw.log(7, "%s skip receive message [APPLICATION_EXEC_COMPLETE] (channel is "
                        "hungup already)" % self.name, "switch_core_session.c",
                        "switch_core_session_exec", 2984, self.uuid,
                        text_channel=calllog.UUID_LOG)
        response = self.getvar("current_application_response") or "_none_"
        self.fire("EXECUTE_COMPLETE", post=post + [("Application-Response", response)] + tail)
        return time.monotonic() - started

    def run_message(self, msg: ServerEvent) -> Generator:
        """Carry out one sendmsg message (execute, hangup, ...) on this channel."""
        command = msg.get("call-command") or ""
        if command[:7] == "execute":
            name = msg.get("execute-app-name") or ""
            arg = msg.get("execute-app-arg") or ""
            if not arg and (msg.get("content-type") or "").lower() == "text/plain" and msg.body:
                arg = msg.body
            try:
                loops = int(msg.get("loops") or "1")
            except ValueError:
                loops = 1
            forever = loops < 0
            i = 0
            while (forever or i < loops) and not self.hungup:
                i += 1
                self.setvar("current_loop", str(i))
                self.setvar("total_loops", str(loops))
                took = yield from self.execute(name, arg, msg.get("event-uuid"),
                                               msg.get("event-uuid-name"))
                if took < 0.5:   # FreeSWITCH stops looping an application that returns fast
                    break
            self.setvar("current_loop", None)
            self.setvar("total_loops", None)
        elif command == "hangup":
            self.hangup(msg.get("hangup-cause") or "NORMAL_CLEARING",
                        ("switch_ivr.c", "switch_ivr_parse_event", 773))
        elif command[:7] == "nomedia":
            pass   # no media to take away on a loopback leg

    def process_messages(self) -> Generator:
        while self.messages and not self.hungup:
            msg, done = self.messages.popleft()
            try:
                yield from self.run_message(msg)
            finally:
                if done is not None:
                    done.set()

    # -- the state machine -----------------------------------------------------------------
    def route(self) -> List[Tuple[str, str]]:
        """The dialplan's applications for this leg's destination and context (XML dialplan)."""
        p = self.profile
        context = p.get("Context", "default")
        calllog.hunting(self, p.get("Destination-Number", ""), context)
        apps = self.sw.config.dialplan.route(context, {
            "destination_number": p.get("Destination-Number", ""),
            "caller_id_number": p.get("Caller-ID-Number", ""),
            "caller_id_name": p.get("Caller-ID-Name", ""), "context": context,
            "ani": p.get("ANI", ""), "uuid": self.uuid, "source": p.get("Source", ""),
            "chan_name": self.name}, self.getvar, lambda *line: calllog.hunt_line(self, *line))
        return apps

    def no_route(self) -> None:
        """The dialplan found nothing: hang up with NO_ROUTE_DESTINATION."""
        self.log(6, "No Route, Aborting", ("switch_core_state_machine.c",
                                           "switch_core_standard_on_routing", 306))
        self.hangup("NO_ROUTE_DESTINATION", NO_ROUTE)

    @property
    def leaving(self) -> bool:
        """True once the current application should return: hung up or being transferred."""
        return self.hangup_cause is not None or self.transfer_to is not None

    def transfer(self, exten: str, dialplan: str = "XML", context: Optional[str] = None) -> None:
        """Send the channel back through the dialplan to ``exten`` (``transfer``): the running
        application returns, then the channel routes again (CS_ROUTING, CS_EXECUTE)."""
        context = context or self.profile.get("Context", "default")
        calllog.state_change(self, "CS_ROUTING", TRANSFER)
        self.sw.log(5, "Transfer %s to %s[%s@%s]" % (self.name, dialplan, exten, context),
                    "switch_ivr.c", "switch_ivr_session_transfer", 2303, self.uuid)
        history = self.getvar("transfer_history")
        entry = "%d:%s:bl_xfer:%s/%s/%s" % (int(time.time()), self.uuid, exten, context,
                                            dialplan.lower())
        self.setvar("transfer_history", history + "|" + entry if history else entry)
        self.setvar("transfer_source", entry)
        self.profile["Transfer-Source"] = entry
        self.times["transfer"] = time.time()
        self.transfer_to = (exten, context)
        self.transfers += 1
        self.parked = False
        self.wake.set()

    def run_apps(self, apps: List[Tuple[str, str]]) -> Generator:
        """CS_EXECUTE: run ``apps`` (dialplan or inline), then hang up if still up.

        A ``transfer`` ends the list and routes again to the new extension's applications.
        """
        self.setvar("call_uuid", self.uuid)
        while True:
            for app, data in apps:
                if self.leaving:
                    break
                yield from self.process_messages()
                if self.leaving:
                    break
                yield from self.execute(app, data)
            if self.transfer_to is None or self.hungup:
                break
            exten, context = self.transfer_to
            self.transfer_to = None
            self.profile["Destination-Number"] = exten
            self.profile["Context"] = context
            calllog.enter_state(self, "CS_ROUTING")   # requested by transfer()
            apps = self.route()
            if not apps:
                self.no_route()
                break
            calllog.enter_state(self, "CS_EXECUTE", ROUTED)
            yield None
        if not self.hungup:
            self.log(5, "%s has executed the last dialplan instruction, hanging up." % self.name,
                     ("switch_core_state_machine.c", "switch_core_standard_on_execute", 382))
            self.hangup("NORMAL_CLEARING", ("switch_core_state_machine.c",
                                            "switch_core_standard_on_execute", 384))
        yield from self.finish()

    def finish(self) -> Generator:
        """CS_HANGUP → CS_REPORTING → destroy, with their events (in FreeSWITCH order)."""
        for _, done in self.messages:
            if done is not None:
                done.set()
        self.messages.clear()
        last_state, last_callstate = self.running, self.callstate
        self.set_state("CS_HANGUP")
        for stop in list(self.media_bugs.values()):   # recordings end with the call
            stop()
        self.set_callstate("HANGUP")
        calllog.hangup_state(self, last_state, last_callstate)
        partner_first = False
        if self.other is not None and not self.other.hungup:
            self.other.hangup(self.hangup_cause or "NORMAL_CLEARING", LOOPBACK_HANGUP)
            # A bridged partner's thread is awake already: it reports before this leg.
            partner_first = self.other.bridged_to is not None
        calllog.reporting(self)
        self.set_state("CS_REPORTING")
        self.reporting_sig.set()
        yield None
        calllog.destroy_wait(self)
        if partner_first and not self.other.completed_sig.is_set:
            yield self.other.completed_sig
        set_cdr_variables(self)
        self._tell("reporting")
        self.fire("HANGUP_COMPLETE", pre=(("Hangup-Cause", self.hangup_cause),))
        self.completed_sig.set()
        if self.listener is not None:
            self.listener.session_hangup(self)
        if self.other is not None and not self.other.reporting_sig.is_set:
            yield self.other.reporting_sig
        if not self.released_sig.is_set:
            yield self.released_sig
        self.state_num = STATES.index("CS_DESTROY")
        self.fire("DESTROY")
        self.set_state("CS_DESTROY")
        calllog.destroy_end(self)
        self.sw.channels.pop(self.uuid, None)
        self.destroyed_sig.set()
        self._tell("destroyed")

    def _tell(self, what: str) -> None:
        """Tell the leg's signalling (if any) that it is ``ringing``, ``early``, ``answering``,
        ``reporting`` (CDR set) or ``destroyed``."""
        if self.endpoint is not None:
            getattr(self.endpoint, what)(self)

    def sleep(self, seconds: float) -> Generator:
        """Sleep, but give up early when the channel hangs up. Returns seconds slept."""
        end = time.monotonic() + seconds
        while not self.hungup:
            left = end - time.monotonic()
            if left <= 0:
                break
            self.wake = self.loop.signal()
            self.loop.spawn(_set_after(left, self.wake), "timer")
            yield self.wake
            if self.hungup:
                break
        return max(0.0, seconds - max(0.0, end - time.monotonic()))


def _set_after(seconds: float, sig) -> Generator:
    yield seconds
    sig.set()
