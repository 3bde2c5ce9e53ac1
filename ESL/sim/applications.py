"""The dialplan applications of the simulated switch (mod_dptools' behaviour for each).

Each application is a generator ``f(channel, data)`` run on the switch loop by
:meth:`Channel.execute <ESL.sim.channel.Channel.execute>`, which fires CHANNEL_EXECUTE and
CHANNEL_EXECUTE_COMPLETE around it. The :class:`~ESL.sim.Simulator` installs
:data:`APPLICATIONS` as the switch's application table; this module imports only the switch
model below it.
"""
import re
from typing import Generator

from .channel import FRAME, Channel
from .core import LOG_LEVELS

__all__ = ["APPLICATIONS", "tone_duration", "park_loop"]


def tone_duration(spec: str) -> float:
    """Seconds a ``tone_stream://`` spec plays: loops × the sum of its on/off times."""
    loops = 1
    total_ms = 0
    for part in spec.split(";"):
        part = part.strip()
        m = re.match(r"^[lL]=(-?\d+)$", part)
        if m:
            loops = int(m.group(1))
            continue
        for tone in re.findall(r"%\(([^)]*)\)", part):
            nums = [x.strip() for x in tone.split(",")]
            try:
                total_ms += int(nums[0]) + (int(nums[1]) if len(nums) > 1 else 0)
            except ValueError:
                pass
    if loops < 0:
        loops = 1   # Difference: an endless tone plays once; a test must end.
    return loops * total_ms / 1000.0


# -- applications (generators taking (channel, data)) ----------------------------------------

def app_answer(chan: Channel, data: str) -> Generator:
    chan.answer()
    chan.setvar("endpoint_disposition", "ANSWER")
    return
    yield  # pragma: no cover


def app_pre_answer(chan: Channel, data: str) -> Generator:
    return
    yield  # pragma: no cover


def app_park(chan: Channel, data: str) -> Generator:
    """Park: wait for messages (sendmsg) or hangup; CHANNEL_PARK / CHANNEL_UNPARK around it."""
    yield from park_loop(chan)


def park_loop(chan: Channel) -> Generator:
    chan.parked = True
    chan.fire("PARK")
    while not chan.hungup and chan.parked:
        yield from chan.process_messages()
        if chan.hungup or not chan.parked:
            break
        yield from chan.wait_wake()
    if chan.hungup:
        yield FRAME   # the park loop notices a hangup on its next frame
    chan.parked = False
    chan.fire("UNPARK")


def app_hangup(chan: Channel, data: str) -> Generator:
    chan.hangup((data or "NORMAL_CLEARING").strip() or "NORMAL_CLEARING")
    return
    yield  # pragma: no cover


def app_sleep(chan: Channel, data: str) -> Generator:
    try:
        ms = int(data.strip() or "0")
    except ValueError:
        ms = 0
    yield from chan.sleep(ms / 1000.0)


def app_set(chan: Channel, data: str) -> Generator:
    name, _, value = data.partition("=")
    if name:
        chan.setvar(name.strip(), value)
    return
    yield  # pragma: no cover


def app_unset(chan: Channel, data: str) -> Generator:
    chan.setvar(data.strip(), None)
    return
    yield  # pragma: no cover


def app_playback(chan: Channel, data: str) -> Generator:
    spec = data.strip()
    if spec.startswith("tone_stream://"):
        seconds = tone_duration(spec[len("tone_stream://"):])
    elif spec.startswith("silence_stream://"):
        try:
            seconds = int(spec[len("silence_stream://"):].split(",")[0]) / 1000.0
        except ValueError:
            seconds = 0.0
    else:
        chan.setvar("current_application_response", "FILE NOT FOUND")
        return
    played = yield from chan.sleep(seconds)
    ms = int(round(min(played, seconds) * 1000))
    samples = ms * 8
    chan.setvar("playback_last_offset_pos", str(samples))
    chan.setvar("playback_seconds", str(ms // 1000))
    chan.setvar("playback_ms", str(ms))
    chan.setvar("playback_samples", str(samples))
    chan.setvar("current_application_response",
                "FILE PLAYED" if played >= seconds - 0.001 else "PLAYBACK ERROR")


def app_socket(chan: Channel, data: str) -> Generator:
    """Outbound event socket: connect to host:port, then let the client drive the call."""
    parts = data.split()
    targets = parts[0].split("|") if parts else []
    is_async = "async" in parts[1:]
    full = "full" in parts[1:]
    done = chan.loop.signal()
    chan.sw.connect_outbound(chan, targets, is_async, full, done)
    listener = yield done
    if listener is None:
        chan.hangup("DESTINATION_OUT_OF_ORDER")
        return
    if is_async:
        yield from park_loop(chan)
    else:
        while not chan.hungup and not listener.finished:
            yield from chan.process_messages()
            if chan.hungup or listener.finished:
                break
            yield from chan.wait_wake()
        if not chan.released_sig.is_set:
            yield chan.released_sig   # the application returns when the socket is done


def app_echo(chan: Channel, data: str) -> Generator:
    """Echo media back until hangup (no media here: just stay, serving messages)."""
    while not chan.hungup:
        yield from chan.process_messages()
        if chan.hungup:
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


APPLICATIONS = {
    "answer": app_answer, "pre_answer": app_pre_answer, "park": app_park,
    "hangup": app_hangup, "sleep": app_sleep, "set": app_set, "export": app_set,
    "unset": app_unset, "playback": app_playback, "socket": app_socket, "echo": app_echo,
    "log": app_log, "info": app_noop, "ring_ready": app_noop,
}
