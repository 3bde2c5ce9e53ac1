"""The dialplan applications of the simulated switch (mod_dptools' behaviour for each).

Each application is a generator ``f(channel, data)`` run on the switch loop by
:meth:`Channel.execute <ESL.sim.channel.Channel.execute>`, which fires CHANNEL_EXECUTE and
CHANNEL_EXECUTE_COMPLETE around it. The :class:`~ESL.sim.Simulator` installs
:data:`APPLICATIONS` as the switch's application table. There is no audio: a prompt takes the
time it would play, a recording is a silent WAV file of the time it ran, digits come from DTMF
(:meth:`Channel.receive_dtmf <ESL.sim.channel.Channel.receive_dtmf>`).
"""
import re
import time
import wave
from typing import Generator, List, Optional

from .calllog import HANGUP_APP, SOCKET_TRYING
from .channel import FRAME, Channel
from .core import LOG_LEVELS
from .media import file_seconds, playback_counts, to_int, tone_duration, tone_kind
from .bridge import bridge_to
from .sched_commands import schedule_hangup

__all__ = ["APPLICATIONS", "write_silence", "tone_duration", "park_loop", "play_file",
           "file_seconds", "record_session", "hash_op"]


def play_file(chan: Channel, spec: str, collect: Optional[List[str]] = None,
              terminators: Optional[str] = None) -> Generator:
    """Play ``spec`` with PLAYBACK_START/STOP; returns "done", "break" or "notfound".

    With ``collect``, the first DTMF ends the prompt and goes into that list (a prompt of
    ``read``/``play_and_get_digits``); with ``terminators``, a digit among them ends it and the
    other digits are dropped (``playback``); with neither, digits stay queued for later.
    """
    seconds = file_seconds(spec)
    if seconds is None:
        chan.sw.log(3, "Can't open %s" % spec, "switch_ivr_play_say.c", "switch_ivr_play_file",
                    1391, chan.uuid)
        return "notfound"
    chan.log(7, "Codec Activated L16@8000hz 1 channels 20ms",
             ("switch_ivr_play_say.c", "switch_ivr_play_file", 1564))
    kind = tone_kind(spec)
    chan.fire("PLAYBACK_START", name="PLAYBACK_START",
              post=kind + (("Playback-File-Path", spec),))
    started = time.monotonic()
    end = started + seconds
    status = "done"
    while not chan.leaving and status == "done":
        if chan.breaking:
            chan.breaking = False
            status = "break"
            break
        while (collect is not None or terminators is not None) and chan.dtmf:
            digit = chan.take_dtmf()
            if collect is not None:
                collect.append(digit)
                status = "break"
                break
            if terminators and digit in terminators:
                chan.setvar("playback_terminator_used", digit)
                status = "break"
                break
        left = end - time.monotonic()
        if status != "done" or left <= 0:
            break
        yield from chan.nap(left)
    played = min(time.monotonic() - started, seconds)
    chan.log(7, "done playing file %s" % spec,
             ("switch_ivr_play_say.c", "switch_ivr_play_file", 2013))
    offset, samples, rate = playback_counts(spec, played, seconds)
    chan.setvar("playback_last_offset_pos", str(offset))
    chan.setvar("playback_seconds", str(samples // rate))
    chan.setvar("playback_ms", str(samples * 1000 // rate))
    chan.setvar("playback_samples", str(samples))
    chan.fire("PLAYBACK_STOP", name="PLAYBACK_STOP", post=kind + (
        ("Playback-File-Path", spec), ("Playback-Status", "break" if status == "break"
                                       else "done")))
    return "break" if chan.hungup and played < seconds - 0.001 else status


def collect_digits(chan: Channel, digits: List[str], max_digits: int, terminators: str,
                   first_timeout: float, digit_timeout: float) -> Generator:
    """Collect DTMF into ``digits`` (switch_ivr_collect_digits_count).

    Returns ("success" | "timeout" | "hangup", terminator or "").
    """
    started = time.monotonic()
    digit_started = started
    while not chan.leaving:
        now = time.monotonic()
        if first_timeout:
            left = first_timeout - (now - started)
        else:
            left = digit_timeout - (now - digit_started) if digit_timeout else 3600.0
        if chan.dtmf:
            digit = chan.take_dtmf()
            if terminators and digit in terminators:
                return "success", digit
            digits.append(digit)
            if len(digits) >= max_digits:
                return "success", ""
            if digit_timeout:
                first_timeout = 0.0
                digit_started = time.monotonic()
            continue
        if left <= 0:
            return "timeout", ""
        yield from chan.nap(left)
    return "hangup", ""


def ivr_read(chan: Channel, min_digits: int, max_digits: int, prompt: str, var: str,
             timeout: float, terminators: str, digit_timeout: float) -> Generator:
    """switch_ivr_read: prompt, collect, set ``read_result`` and ``var``; returns
    (status, digits) with status "success", "timeout", "too_small" or "failure"."""
    if not digit_timeout:
        digit_timeout = timeout
    max_digits = max(max_digits, min_digits)
    chan.setvar("read_result", None)
    if var:
        chan.setvar(var, None)
    chan.mark_pre_answered()
    digits = []   # type: List[str]
    status = "success"
    if prompt and prompt.lower() != "silence":
        played = yield from play_file(chan, prompt, collect=digits)
        if played == "notfound":
            return "failure", ""
    terminator = ""
    if (min_digits and len(digits) < min_digits) or len(digits) < max_digits:
        status, terminator = yield from collect_digits(
            chan, digits, max_digits, terminators,
            digit_timeout if digits else timeout, digit_timeout)
    if terminator:
        chan.setvar("read_terminator_used", terminator)
    if min_digits and len(digits) < min_digits:
        status = "too_small"
    chan.setvar("read_result", {"success": "success", "timeout": "timeout"}.get(status,
                                                                              "failure"))
    text = "".join(digits)
    if max_digits == 1 and len(text) == 1 and terminators and text in terminators:
        text = ""
    if var and text:
        chan.setvar(var, text)
    return status, text


def _args(data: str) -> List[str]:
    """Split an application's argument on spaces, keeping 'quoted words' whole."""
    return [a[1:-1] if len(a) > 1 and a[0] == a[-1] and a[0] in "'\"" else a
            for a in re.findall(r"'[^']*'|\"[^\"]*\"|\S+", data)]


# -- applications (generators taking (channel, data)) ----------------------------------------

def app_answer(chan: Channel, data: str) -> Generator:
    chan.answer()
    chan.setvar("endpoint_disposition", "ANSWER")
    return
    yield  # pragma: no cover


def app_pre_answer(chan: Channel, data: str) -> Generator:
    chan.mark_pre_answered()
    return
    yield  # pragma: no cover


def app_ring_ready(chan: Channel, data: str) -> Generator:
    chan.mark_ring_ready()
    return
    yield  # pragma: no cover


def app_park(chan: Channel, data: str) -> Generator:
    """Park: wait for messages (sendmsg) or hangup; CHANNEL_PARK / CHANNEL_UNPARK around it."""
    yield from park_loop(chan)


def park_loop(chan: Channel) -> Generator:
    chan.parked = True
    chan.fire("PARK")
    while not chan.leaving and chan.parked:
        chan.dtmf.clear()   # a parked channel reads and drops what it hears
        yield from chan.process_messages()
        if chan.leaving or not chan.parked:
            break
        yield from chan.wait_wake()
    if chan.hungup:
        yield FRAME   # the park loop notices a hangup on its next frame
    chan.parked = False
    chan.fire("UNPARK")


def app_hangup(chan: Channel, data: str) -> Generator:
    chan.hangup((data or "NORMAL_CLEARING").strip() or "NORMAL_CLEARING", HANGUP_APP)
    return
    yield  # pragma: no cover


def app_sleep(chan: Channel, data: str) -> Generator:
    yield from chan.sleep(max(to_int(data, 0), 0) / 1000.0)


def app_set(chan: Channel, data: str) -> Generator:
    name, _, value = data.partition("=")
    if name:
        chan.log(7, "SET %s [%s]=[%s]" % (chan.name, name, value or "UNDEF"),
                 ("mod_dptools.c", "base_set", 1671))
        chan.setvar(name.strip(), value)
    return
    yield  # pragma: no cover


def app_export(chan: Channel, data: str) -> Generator:
    """``export``: set the variable here and mark it for legs this channel originates
    (``export_vars``); ``nolocal:`` sets it only for those legs."""
    name, _, value = data.partition("=")
    name = name.strip()
    if not name:
        return
    local = not name.startswith("nolocal:")
    name = name[len("nolocal:"):] if not local else name
    chan.log(7, "EXPORT (export_vars) %s[%s]=[%s]" % ("" if local else "(REMOTE ONLY) ", name,
                                                      value or "UNDEF"),
             ("switch_channel.c", "switch_channel_export_variable_var_check", 1335))
    if local:
        chan.setvar(name, value)
    else:
        chan.setvar("nolocal:" + name, value)
    exported = [v for v in (chan.getvar("export_vars") or "").split(",") if v]
    if name not in exported:
        exported.append(name)
    chan.setvar("export_vars", ",".join(exported))
    return
    yield  # pragma: no cover


def app_unset(chan: Channel, data: str) -> Generator:
    chan.log(7, "UNSET [%s]" % data, ("mod_dptools.c", "unset_function", 1816))
    chan.setvar(data.strip(), None)
    return
    yield  # pragma: no cover


def app_playback(chan: Channel, data: str) -> Generator:
    """Play a file; a digit in ``playback_terminators`` (default ``*``; ``none``) stops it."""
    terminators = chan.getvar("playback_terminators") or "*"
    if terminators.lower() == "none":
        terminators = ""
    status = yield from play_file(chan, data.strip(), terminators=terminators)
    chan.setvar("current_application_response", {
        "done": "FILE PLAYED", "break": "FILE PLAYED",
        "notfound": "FILE NOT FOUND"}.get(status, "PLAYBACK ERROR"))
    if status == "break" and chan.hungup:
        chan.setvar("current_application_response", "PLAYBACK ERROR")


def app_play_and_get_digits(chan: Channel, data: str) -> Generator:
    """``min max tries timeout terminators file invalid_file [var [regex [digit_timeout
    [transfer_on_failure]]]]`` (switch_play_and_get_digits)."""
    argv = _args(data)
    if len(argv) < 7:
        chan.sw.log(3, "Usage: play_and_get_digits <min> <max> <tries> <timeout> <terminators>"
                       " <file> <invalid_file> [<var_name> [<regexp> [<digit_timeout>]]]",
                    "mod_dptools.c", "play_and_get_digits_function", 2761, chan.uuid)
        return
    min_digits = max(to_int(argv[0]), 0)
    max_digits = max(to_int(argv[1]), 0)
    tries = to_int(argv[2]) if to_int(argv[2]) > 0 else 1
    timeout = (to_int(argv[3]) if to_int(argv[3]) > 0 else 1000) / 1000.0
    terminators = "" if argv[4].lower() == "none" else argv[4]
    prompt, invalid = argv[5], argv[6]
    var = argv[7] if len(argv) > 7 else ""
    regex = argv[8] if len(argv) > 8 else ""
    digit_timeout = to_int(argv[9]) / 1000.0 if len(argv) > 9 else timeout
    on_failure = " ".join(argv[10:]) if len(argv) > 10 else ""
    if regex and var:
        chan.setvar(var + "_invalid", None)
    while not chan.leaving and tries > 0:
        status, text = yield from ivr_read(chan, min_digits, max_digits, prompt, var, timeout,
                                           terminators, digit_timeout)
        if status == "timeout" and len(text) >= min_digits:
            status = "success"
        if min_digits == 0 and not text and chan.getvar("read_terminator_used"):
            return
        if status == "success" and text:
            if not regex or _regex_match(regex, text):
                return
            if var:
                chan.setvar(var, None)
                chan.setvar(var + "_invalid", text)
        if chan.leaving:
            break
        yield from play_file(chan, invalid)
        tries -= 1
    if on_failure and not chan.leaving:
        target = on_failure.split()
        chan.sw.log(4, "PAGD failure! Transfer to: %s / %s / %s" % (
            target[0], target[1] if len(target) > 1 else "(null)",
            target[2] if len(target) > 2 else "(null)"), "switch_ivr_play_say.c",
            "switch_play_and_get_digits", 2740, chan.uuid)
        chan.transfer(target[0], target[1] if len(target) > 1 else "XML",
                      target[2] if len(target) > 2 else None)


def _regex_match(regex: str, text: str) -> bool:
    try:
        return re.search(regex, text) is not None
    except re.error:
        return False


def app_read(chan: Channel, data: str) -> Generator:
    """``min max file var timeout terminators [digit_timeout]`` (switch_ivr_read)."""
    argv = _args(data)
    if len(argv) < 4:
        chan.sw.log(3, "Usage: read <min> <max> <file> <var> <timeout> <terminators>",
                    "mod_dptools.c", "read_function", 2690, chan.uuid)
        return
    min_digits = max(to_int(argv[0]), 1)
    max_digits = max(to_int(argv[1]), min_digits)
    timeout = max(to_int(argv[4]) if len(argv) > 4 else 0, 1000) / 1000.0
    terminators = argv[5] if len(argv) > 5 and argv[5] else "#"
    if terminators.lower() == "none":
        terminators = ""
    digit_timeout = to_int(argv[6]) / 1000.0 if len(argv) > 6 else 0.0
    yield from ivr_read(chan, min_digits, max_digits, argv[2], argv[3], timeout, terminators,
                        digit_timeout)


def write_silence(path: str, samples: int) -> None:
    """Write ``samples`` of silence as an 8 kHz 16-bit mono WAV file (raises OSError)."""
    with wave.open(path, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(b"\0\0" * samples)


def app_record(chan: Channel, data: str) -> Generator:
    """``record <path> [<time_limit_secs> [<silence_thresh> [<silence_hits>]]]``: writes a
    silent 8 kHz 16-bit mono WAV as long as the recording ran (until the time limit, a digit
    in ``playback_terminators`` or hangup), with RECORD_START/STOP."""
    argv = data.split()
    if not argv:
        return
    path = argv[0]
    limit = to_int(argv[1]) if len(argv) > 1 else 0
    terminators = chan.getvar("playback_terminators") or "*"
    if terminators.lower() == "none":
        terminators = ""
    chan.mark_pre_answered()
    chan.fire("RECORD_START", name="RECORD_START", post=(("Record-File-Path", path),))
    started = time.monotonic()
    end = started + limit if limit > 0 else None
    while not chan.leaving:
        if chan.dtmf:
            digit = chan.take_dtmf()
            if digit in terminators:
                chan.setvar("playback_terminator_used", digit)
                break
            continue
        left = end - time.monotonic() if end is not None else 3600.0
        if left <= 0:
            break
        yield from chan.nap(left)
    seconds = time.monotonic() - started
    if end is not None:
        seconds = min(seconds, float(limit))
    samples = int(seconds * 8000)
    try:
        write_silence(path, samples)
    except OSError as exc:
        chan.sw.log(3, "Error opening %s: %s" % (path, exc), "switch_ivr_play_say.c",
                    "switch_ivr_record_file_event", 520, chan.uuid)
        return
    chan.setvar("record_seconds", str(samples // 8000))
    chan.setvar("record_ms", str(samples // 8))
    chan.setvar("record_samples", str(samples))
    chan.fire("RECORD_STOP", name="RECORD_STOP", post=(("Record-File-Path", path),))


def app_transfer(chan: Channel, data: str) -> Generator:
    """``transfer <extension> [<dialplan> [<context>]]``."""
    argv = data.split()
    if argv:
        chan.transfer(argv[0], argv[1] if len(argv) > 1 else "XML",
                      argv[2] if len(argv) > 2 else None)
    return
    yield  # pragma: no cover


def app_bridge(chan: Channel, data: str) -> Generator:
    """``bridge <dial string>``: call the endpoint(s), then bridge (see bridge.bridge_to)."""
    yield from bridge_to(chan, data.strip())


def app_socket(chan: Channel, data: str) -> Generator:
    """Outbound event socket: connect to host:port, then let the client drive the call."""
    parts = data.split()
    targets = parts[0].split("|") if parts else []
    is_async = "async" in parts[1:]
    full = "full" in parts[1:]
    done = chan.loop.signal()
    if targets:   # the connector logs any further host it has to try
        chan.log(5, "Trying host: %s" % targets[0], SOCKET_TRYING)
    chan.sw.connect_outbound(chan, targets, is_async, full, done)
    listener = yield done
    if listener is None:   # as mod_event_socket: logged, and the dialplan goes on
        chan.sw.log(3, "Socket Error!", SOCKET_TRYING[0], SOCKET_TRYING[1], 490, chan.uuid)
        return
    if is_async:
        yield from park_loop(chan)
    else:
        while not chan.leaving and not listener.finished:
            yield from chan.process_messages()
            if chan.leaving or listener.finished:
                break
            yield from chan.wait_wake()
        if chan.transfer_to is None and not chan.released_sig.is_set:
            yield chan.released_sig   # the application returns when the socket is done


def app_echo(chan: Channel, data: str) -> Generator:
    """Echo media back until hangup (no media here: just stay, serving messages)."""
    while not chan.leaving:
        chan.dtmf.clear()
        yield from chan.process_messages()
        if chan.leaving:
            break
        yield from chan.wait_wake()


def app_log(chan: Channel, data: str) -> Generator:
    level, _, text = data.strip().partition(" ")
    if level.lower() not in LOG_LEVELS:
        level, text = "DEBUG", data.strip()
    chan.sw.log(LOG_LEVELS[level.lower()], text, "mod_dptools.c", "log_function", 1746,
                chan.uuid)
    return
    yield  # pragma: no cover


def app_noop(chan: Channel, data: str) -> Generator:
    return
    yield  # pragma: no cover


def _fire_with_channel(chan: Channel, name: str, calling, post=()) -> None:
    ev = chan.sw.new_event(name, calling)
    chan.set_event_data(ev)
    for header, value in post:
        ev.add(header, value)
    chan.sw.fire(ev)


def _set_after(seconds: float, signal) -> Generator:
    yield seconds
    signal.set()


def record_session(chan: Channel, path: str, limit: int, stop) -> Generator:
    """A session recording (``uuid_record``, ``record_session``): RECORD_START now; when
    ``stop`` is set, the limit (seconds) passes or the call ends, a silent WAV of the
    recorded length and RECORD_STOP."""
    sw = chan.sw
    _fire_with_channel(chan, "RECORD_START", ("switch_ivr_async.c", "record_callback", 1482),
                       (("Record-File-Path", path),))
    started = time.monotonic()
    if limit > 0:
        sw.loop.spawn(_set_after(limit, stop), "record limit")
    yield stop
    seconds = time.monotonic() - started
    if limit > 0:
        seconds = min(seconds, float(limit))
    chan.media_bugs.pop(path, None)
    samples = int(seconds * 8000)
    try:
        write_silence(path, samples)
    except OSError as exc:
        sw.log(3, "Error opening %s: %s" % (path, exc), "switch_ivr_async.c",
               "switch_ivr_record_session_event", 2983, chan.uuid)
        return
    chan.setvar("record_samples", str(samples))
    chan.setvar("record_seconds", str(samples // 8000))
    chan.setvar("record_ms", str(samples // 8))
    _fire_with_channel(chan, "RECORD_STOP", ("switch_ivr_async.c", "send_record_stop_event",
                                             1241), (("Record-File-Path", path),))


def app_record_session(chan: Channel, data: str) -> Generator:
    """``record_session <path> [<limit>]``: record in the background while the call goes on
    (stopped by ``stop_record_session``, the limit or the hangup, which ends every recording
    through the channel's media bugs)."""
    argv = _args(data)
    if argv and argv[0] not in chan.media_bugs:
        stop = chan.loop.signal()
        chan.media_bugs[argv[0]] = stop.set
        chan.loop.spawn(record_session(chan, argv[0], to_int(argv[1]) if len(argv) > 1 else 0,
                                       stop), "record " + argv[0])
    return
    yield  # pragma: no cover


def app_stop_record_session(chan: Channel, data: str) -> Generator:
    """``stop_record_session <path>|all``."""
    path = data.strip()
    for p in list(chan.media_bugs) if path == "all" else [path]:
        if p in chan.media_bugs:
            chan.media_bugs.pop(p)()
    return
    yield  # pragma: no cover


def app_multiset(chan: Channel, data: str) -> Generator:
    """``multiset a=1 b=2`` or ``multiset ^^<d>a=1<d>b=2`` (a delimiter of one's own)."""
    delim = " "
    if data.startswith("^^") and len(data) > 2:
        delim, data = data[2], data[3:]
    for item in data.split(delim):
        yield from app_set(chan, item)


def app_multiunset(chan: Channel, data: str) -> Generator:
    """``multiunset a b`` or ``multiunset ^^<d>a<d>b``."""
    delim = " "
    if data.startswith("^^") and len(data) > 2:
        delim, data = data[2], data[3:]
    for name in data.split(delim):
        if name.strip():
            chan.setvar(name.strip(), None)
    return
    yield  # pragma: no cover


def app_set_global(chan: Channel, data: str) -> Generator:
    name, _, value = data.partition("=")
    if name.strip():
        chan.sw.global_vars[name.strip()] = value
    return
    yield  # pragma: no cover


def hash_op(sw, data: str) -> Optional[str]:
    """One ``hash`` operation on mod_hash's table (``insert|insert_ifempty|select|delete|
    delete_ifmatch/<realm>/<key>[/<value>]``): its api output, or None for bad syntax."""
    argv = data.split("/", 3)
    if len(argv) < 3 or not argv[0]:
        return None
    op, key = argv[0].lower(), "%s_%s" % (argv[1], argv[2])
    value = argv[3] if len(argv) > 3 else None
    table = sw.hash_db
    if op in ("insert", "insert_ifempty", "delete_ifmatch") and value is None:
        return None
    if op == "insert":
        table[key] = value
        return "+OK\n"
    if op == "insert_ifempty":
        if key in table:
            return "-ERR key already exists\n"
        table[key] = value
        return "+OK\n"
    if op == "select":
        return table.get(key, "")
    if op == "delete":
        return "+OK\n" if table.pop(key, None) is not None else "-ERR Not found\n"
    if op == "delete_ifmatch":
        if key not in table:
            return "-ERR Not found\n"
        if table[key] != value:
            return "-ERR Doesn't match\n"
        del table[key]
        return "+OK\n"
    return None


def app_hash(chan: Channel, data: str) -> Generator:
    """The ``hash`` application: ``insert|delete/<realm>/<key>[/<value>]``, no output."""
    if data.split("/", 1)[0].lower() in ("insert", "insert_ifempty", "delete",
                                         "delete_ifmatch"):
        hash_op(chan.sw, data)
    return
    yield  # pragma: no cover


def app_sched_hangup(chan: Channel, data: str) -> Generator:
    """``sched_hangup +<seconds>|<epoch> [<cause>]``: a scheduler task hangs the channel up
    then (cause ``ALLOTTED_TIMEOUT`` unless given), as switch_ivr_schedule_hangup."""
    argv = _args(data)
    if argv:
        when = time.time() + to_int(argv[0][1:]) if argv[0].startswith("+") else to_int(argv[0])
        schedule_hangup(chan, float(when), argv[1] if len(argv) > 1 else "ALLOTTED_TIMEOUT")
    return
    yield  # pragma: no cover


APPLICATIONS = {
    "answer": app_answer, "pre_answer": app_pre_answer, "ring_ready": app_ring_ready,
    "park": app_park, "hangup": app_hangup, "sleep": app_sleep, "set": app_set,
    "export": app_export, "unset": app_unset, "playback": app_playback,
    "play_and_get_digits": app_play_and_get_digits, "read": app_read, "record": app_record,
    "transfer": app_transfer, "bridge": app_bridge, "socket": app_socket, "echo": app_echo,
    "log": app_log, "info": app_noop, "record_session": app_record_session,
    "stop_record_session": app_stop_record_session, "multiset": app_multiset,
    "multiunset": app_multiunset, "set_global": app_set_global, "hash": app_hash,
    "sched_hangup": app_sched_hangup,
}   # type: dict
