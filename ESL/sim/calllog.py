"""The log lines FreeSWITCH writes over a call's life, and where in its sources they come from.

Every line carries the file, function and line of FreeSWITCH 1.11.3-dev (the version the
shared captures name), its level and its text channel: 3 for a session's own lines, 0 for the
lines switch_channel logs by uuid with its *caller's* location (state changes, call-state
changes, answer, hangup), 1 for the dialplan's clean lines. The helpers below write the lines
of one leg's session thread (switch_core_session_run: "Running State Change", "State X", the
endpoint's and the standard handlers' lines, "State X going to sleep"); which leg's thread
writes first is decided by the call flows that call them (:mod:`.originate`, :mod:`.legs`,
:mod:`.channel`).
"""
from typing import Optional, Tuple

__all__ = ["UUID_LOG", "SESSION_LOG", "Site", "ANSWER_APP", "HANGUP_APP", "LOOPBACK_ANSWER",
           "LOOPBACK_HANGUP", "MARK_ANSWERED", "TRANSFER", "ROUTED", "NO_ROUTE",
           "SOCKET_TRYING", "state_change", "running", "state_line", "endpoint_line",
           "standard_line", "handlers", "asleep", "enter_state", "hunting", "hunt_line",
           "callstate", "hangup_line", "hangup_state", "reporting", "destroy_wait",
           "destroy_begin", "destroy_end", "dtmf_received", "dtmf_sent"]

UUID_LOG, CLEAN_LOG, SESSION_LOG = 0, 1, 3
Site = Tuple[str, str, int]   # (file, function, line)

# Where the code that answers, hangs up or moves a channel on sits (the lines name it).
ANSWER_APP = ("mod_dptools.c", "answer_function", 1406)
HANGUP_APP = ("mod_dptools.c", "hangup_function", 1374)
LOOPBACK_ANSWER = ("mod_loopback.c", "channel_receive_message", 1021)
LOOPBACK_HANGUP = ("mod_loopback.c", "channel_on_hangup", 585)
MARK_ANSWERED = ("switch_channel.c", "switch_channel_perform_mark_answered", 3914)
TRANSFER = ("switch_ivr.c", "switch_ivr_session_transfer", 2296)
ROUTED = ("switch_core_state_machine.c", "switch_core_standard_on_routing", 281)
NO_ROUTE = ("switch_core_state_machine.c", "switch_core_standard_on_routing", 307)
SOCKET_TRYING = ("mod_event_socket.c", "socket_function", 452)   # "Trying host: h:p"

SM = "switch_core_state_machine.c"
RUN = (SM, "switch_core_session_run", 581)
# The STATE_MACRO line ("State X" and "State X going to sleep") of each state.
_MACRO = {"CS_INIT": 624, "CS_ROUTING": 640, "CS_RESET": 643, "CS_EXECUTE": 647,
          "CS_EXCHANGE_MEDIA": 650, "CS_SOFT_EXECUTE": 653, "CS_PARK": 656,
          "CS_CONSUME_MEDIA": 659, "CS_HIBERNATE": 662}
_MACRO_OWN = {"CS_HANGUP": ("switch_core_session_hangup_state", 846),
              "CS_REPORTING": ("switch_core_session_reporting_state", 932),
              "CS_DESTROY": ("switch_core_session_destroy_state", 745)}
# switch_core_standard_on_*: (line, text after the channel name; {cause} is filled in).
_STANDARD = {"CS_ROUTING": (230, "Standard ROUTING"), "CS_EXECUTE": (323, "Standard EXECUTE"),
             "CS_EXCHANGE_MEDIA": (391, "Standard EXCHANGE_MEDIA"),
             "CS_SOFT_EXECUTE": (397, "Standard SOFT_EXECUTE"), "CS_PARK": (403, "Standard PARK"),
             "CS_CONSUME_MEDIA": (411, "Standard CONSUME_MEDIA"),
             "CS_HIBERNATE": (417, "Standard HIBERNATE"),
             "CS_HANGUP": (59, "Standard HANGUP, cause: {cause}"),
             "CS_REPORTING": (168, "Standard REPORTING, cause: {cause}"),
             "CS_DESTROY": (175, "Standard DESTROY")}
# mod_loopback's state handlers: (function, line, text; {name} is the channel name).
_LOOPBACK = {"CS_ROUTING": ("channel_on_routing", 412, "{name} CHANNEL ROUTING"),
             "CS_EXECUTE": ("channel_on_execute", 454, "{name} CHANNEL EXECUTE"),
             "CS_CONSUME_MEDIA": ("channel_on_consume_media", 681, "CHANNEL CONSUME_MEDIA"),
             "CS_EXCHANGE_MEDIA": ("channel_on_exchange_media", 643, "CHANNEL LOOPBACK"),
             "CS_SOFT_EXECUTE": ("channel_on_soft_execute", 628, "CHANNEL TRANSMIT"),
             "CS_HANGUP": ("channel_on_hangup", 569, "{name} CHANNEL HANGUP")}
# States a leg is in only under an application's state handler (the originate's while it
# waits, the bridge's), which ends the state before the standard handler runs.
_NO_STANDARD = {"CS_CONSUME_MEDIA", "CS_EXCHANGE_MEDIA", "CS_SOFT_EXECUTE"}


def _log(chan, level: int, text: str, site: Site, channel: int = SESSION_LOG,
         uuid: Optional[str] = None) -> None:
    chan.sw.log(level, text, site[0], site[1], site[2], chan.uuid if uuid is None else uuid,
                text_channel=channel)


def endpoint_of(chan) -> str:
    return chan.name.split("/", 1)[0]


def state_change(chan, new: str, site: Site) -> None:
    """"(name) State Change OLD -> NEW": a state is requested (``site`` is the caller's)."""
    old = getattr(chan, "log_state", "CS_NEW")
    chan.log_state = new
    _log(chan, 7, "(%s) State Change %s -> %s" % (chan.name, old, new), site, UUID_LOG)


def open_sessions(chan) -> int:
    """The live sessions as switch_core_session_run counts them (closed ones are gone)."""
    return sum(1 for c in chan.sw.channels.values() if not getattr(c, "log_closed", False))


def running(chan, state: str, site: Site = RUN) -> None:
    """The thread takes up ``state``: "Running State Change" (with the session counts)."""
    chan.log_running = state
    if not chan.sw.logs_at(7):
        return   # counting the open sessions costs a pass over every channel
    _log(chan, 7, "(%s) Running State Change %s (Cur %d Tot %d)" % (
        chan.name, state, open_sessions(chan), chan.sw.session_count_total), site, UUID_LOG)


def _macro_site(state: str) -> Site:
    if state in _MACRO_OWN:
        return (SM,) + _MACRO_OWN[state]
    return (SM, "switch_core_session_run", _MACRO.get(state, 640))


def state_line(chan, state: str) -> None:
    chan.log_asleep = False
    _log(chan, 7, "(%s) State %s" % (chan.name, state[3:]), _macro_site(state))


def asleep(chan, state: str) -> None:
    """"State X going to sleep" (once: a thread already asleep does not say it again)."""
    if chan.log_asleep:
        return
    chan.log_asleep = True
    _log(chan, 7, "(%s) State %s going to sleep" % (chan.name, state[3:]), _macro_site(state))


def endpoint_line(chan, state: str) -> None:
    """The endpoint module's own line for ``state`` (mod_loopback's; others log none here)."""
    if endpoint_of(chan) == "loopback" and state in _LOOPBACK:
        func, line, text = _LOOPBACK[state]
        _log(chan, 7, text.format(name=chan.name), ("mod_loopback.c", func, line))


def standard_line(chan, state: str) -> None:
    """The standard state handler's line, unless the endpoint's handler ended the state."""
    if state in _NO_STANDARD or state not in _STANDARD:
        return
    line, text = _STANDARD[state]
    _log(chan, 7, "%s %s" % (chan.name, text.format(cause=chan.hangup_cause)),
         (SM, "switch_core_standard_on_" + state[3:].lower(), line))


def handlers(chan, state: str) -> None:
    endpoint_line(chan, state)
    standard_line(chan, state)


def enter_state(chan, state: str, site: Optional[Site] = None) -> None:
    """Request ``state`` from ``site`` (None: requested already) and take it up at once: the
    state change, the old state's "going to sleep", then the new state's running, state and
    handler lines (the channel's CHANNEL_STATE fires in between)."""
    if site is not None:
        state_change(chan, state, site)
    asleep(chan, chan.log_running or chan.running)
    chan.set_state(state)
    running(chan, state)
    state_line(chan, state)
    handlers(chan, state)


def hunting(chan, dest: str, context: str) -> None:
    """mod_dialplan_xml starts hunting ``dest`` in ``context`` for the leg's caller."""
    _log(chan, 6, "Processing %s <%s>->%s in context %s" % (
        chan.profile.get("Caller-ID-Name", ""), chan.profile.get("Caller-ID-Number", ""), dest,
        context), ("mod_dialplan_xml.c", "dialplan_hunt", 648))


def hunt_line(chan, text: str, func: str, line: int) -> None:
    """One line of the hunt's trace (see :meth:`~ESL.sim.config.Dialplan.route`)."""
    chan.sw.log(7, "Dialplan: %s %s" % (chan.name, text), "mod_dialplan_xml.c", func, line,
                chan.uuid, clean=True)


def callstate(chan, old: str, new: str, site: Site) -> None:
    _log(chan, 7, "(%s) Callstate Change %s -> %s" % (chan.name, old, new), site, UUID_LOG)


def hangup_line(chan, cause: str, site: Site) -> None:
    """"Hangup NAME [STATE] [CAUSE]" (switch_channel_perform_hangup, at its caller), then the
    endpoint's kill line (a loopback leg's CHANNEL KILL)."""
    _log(chan, 5, "Hangup %s [%s] [%s]" % (chan.name, chan.running, cause), site, UUID_LOG)
    if endpoint_of(chan) == "loopback":
        _log(chan, 7, "%s CHANNEL KILL" % chan.name,
             ("mod_loopback.c", "channel_kill_channel", 610))



def dtmf_received(chan, digit: str, duration: int) -> None:
    """A digit queued on the channel (switch_channel_queue_dtmf)."""
    _log(chan, 6, "RECV DTMF %s:%d" % (digit, duration),
         ("switch_channel.c", "switch_channel_queue_dtmf", 529))


def dtmf_sent(chan, digit: str, duration: int) -> None:
    """A digit of switch_core_session_send_dtmf_string sent (``duration`` in samples)."""
    _log(chan, 7, "%s send dtmf\ndigit=%s ms=%d samples=%d" % (chan.name, digit, duration // 8,
                                                               duration),
         ("switch_core_io.c", "switch_core_session_send_dtmf_string", 1201))


# -- the end of a session's life ----------------------------------------------------------------
_THREAD = "switch_core_session.c", "switch_core_session_thread"


def hangup_state(chan, last_state: str, old_callstate: str) -> None:
    """The thread leaves ``last_state`` for CS_HANGUP, up to the endpoint's hangup handler.

    A loopback leg's handler lets go of its partner (see :func:`locked`)."""
    asleep(chan, last_state)
    running(chan, "CS_HANGUP")
    callstate(chan, old_callstate, "HANGUP", (SM, "switch_core_session_hangup_state", 844))
    state_line(chan, "CS_HANGUP")
    endpoint_line(chan, "CS_HANGUP")
    chan.log_released = True
    partner = chan.other
    if partner is not None and getattr(partner, "log_waiting", False):
        partner.log_waiting = False
        destroy_begin(partner)


def reporting(chan) -> None:
    """The rest of CS_HANGUP, CS_REPORTING, up to the wait before CS_DESTROY."""
    standard_line(chan, "CS_HANGUP")
    asleep(chan, "CS_HANGUP")
    state_change(chan, "CS_REPORTING", (SM, "switch_core_session_run", 616))
    running(chan, "CS_REPORTING")
    state_line(chan, "CS_REPORTING")
    standard_line(chan, "CS_REPORTING")
    asleep(chan, "CS_REPORTING")


def destroy_wait(chan) -> None:
    """The thread asks for CS_DESTROY and waits for whoever still holds the session."""
    state_change(chan, "CS_DESTROY", (SM, "switch_core_session_run", 607))
    _log(chan, 7, "Session %d (%s) Locked, Waiting on external entities" % (
        chan.session_id, chan.name), _THREAD + (1748,))
    partner = chan.other
    # A loopback leg holds its partner's session until its own hangup handler has run.
    if (partner is not None and endpoint_of(partner) == "loopback"
            and not getattr(partner, "log_released", False)):
        chan.log_waiting = True
    else:
        destroy_begin(chan)


def destroy_begin(chan) -> None:
    chan.log_destroy_begun = True
    _log(chan, 5, "Session %d (%s) Ended" % (chan.session_id, chan.name), _THREAD + (1766,))
    _log(chan, 5, "Close Channel %s [CS_DESTROY]" % chan.name, _THREAD + (1770,), UUID_LOG)
    chan.log_closed = True
    running(chan, "CS_DESTROY", (SM, "switch_core_session_destroy_state", 735))
    state_line(chan, "CS_DESTROY")


def destroy_end(chan) -> None:
    if not getattr(chan, "log_destroy_begun", False):
        chan.log_waiting = False
        destroy_begin(chan)
    standard_line(chan, "CS_DESTROY")
    asleep(chan, "CS_DESTROY")
