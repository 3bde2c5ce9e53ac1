"""How long the simulator's sound files play (there is no audio, only time): tone and
silence streams, WAV files, the ``{param=value}`` block a file name may start with, and the
playback counters switch_ivr_play_file leaves on a channel."""
import os
import re
import wave
from typing import Dict, Optional, Tuple

from .channel import FRAME

__all__ = ["tone_duration", "file_seconds", "file_params", "tone_kind", "playback_counts",
           "to_int"]


def tone_duration(spec: str) -> float:
    """Seconds a ``tone_stream://`` spec plays: loops × the sum of its on/off times.

    Loops come from ``L=N`` or a trailing ``;loops=N`` (mod_tone_stream reads both).
    """
    loops = 1
    total_ms = 0
    for part in spec.split(";"):
        part = part.strip()
        m = re.match(r"^(?:[lL]|loops)=(-?\d+)$", part)
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


def to_int(text: str, default: int = 0) -> int:
    """``text`` as an integer, or ``default`` when it is not one."""
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        return default


def file_params(spec: str) -> Tuple[Dict[str, str], str]:
    """Split the ``{name=value,...}`` blocks a file name may start with (the file handle's
    parameters, as switch_core_file_open reads them) from the file itself."""
    params = {}   # type: Dict[str, str]
    while spec.startswith("{") and "}" in spec:
        block, _, spec = spec[1:].partition("}")
        for pair in block.split(","):
            name, sep, value = pair.partition("=")
            if sep:
                params[name.strip()] = value.strip()
        spec = spec.lstrip(" ")
    return params, spec


def tone_kind(spec: str) -> Tuple[Tuple[str, str], ...]:
    """The ``Playback-File-Type`` header PLAYBACK events carry for ``spec`` (tones only)."""
    is_tone = file_params(spec)[1].startswith("tone_stream:")
    return (("Playback-File-Type", "tone_stream"),) if is_tone else ()


def file_seconds(spec: str) -> Optional[float]:
    """How long ``spec`` plays: a ``tone_stream://``, a ``silence_stream://`` or a WAV file
    that exists; None for anything else (FreeSWITCH's "file not found"). A tone's loops may
    also come from a ``{loops=N}`` block, unless the tone has its own ``;loops=N``."""
    params, spec = file_params(spec)
    if spec.startswith("tone_stream://"):
        tone = spec[len("tone_stream://"):]
        if "loops" in params and ";loops=" not in tone.lower():
            tone += ";loops=%s" % params["loops"]
        return tone_duration(tone)
    if spec.startswith("silence_stream://"):
        ms = to_int(spec[len("silence_stream://"):].split(",")[0], 0)
        return ms / 1000.0 if ms >= 0 else float("inf")   # until a digit or hangup
    if os.path.isfile(spec):
        try:
            with wave.open(spec, "rb") as wav:
                return wav.getnframes() / float(wav.getframerate() or 8000)
        except (wave.Error, EOFError, OSError):
            return None
    return None


#: Samples switch_ivr_play_file asks the file for at a time (FILE_STARTSAMPLES / 2).
_FILE_READ_SAMPLES = 16384


def playback_counts(spec: str, played: float, seconds: float):
    """``(offset_pos, samples_in, file_rate)`` after ``played`` of ``seconds`` of ``spec``.

    As switch_ivr_play_file counts them: ``playback_last_offset_pos`` is the samples of the
    20 ms frames written to the channel (8 kHz L16: 160 a frame); a digit or hangup is noticed
    at the next frame, so a prompt stopped after 68 ms has played 4 frames (640). The file is
    read ahead in blocks of 16384 samples, so ``playback_samples`` (and ``playback_ms``,
    ``playback_seconds``) count what was read: a whole short prompt even when it was cut.
    """
    rate = 8000
    spec = file_params(spec)[1]
    if not spec.startswith(("tone_stream://", "silence_stream://")) and os.path.isfile(spec):
        try:
            with wave.open(spec, "rb") as wav:
                rate = wav.getframerate() or 8000
        except (wave.Error, EOFError, OSError):
            pass
    if seconds == float("inf"):   # endless silence: as long as it ran, frame by frame
        seconds = max(played, 0.0)
    total_out = int(round(seconds * 8000))   # the channel's samples (8 kHz)
    total_in = int(round(seconds * rate))    # the file's own samples
    if played >= seconds - 0.0005:
        frames_out = total_out
    else:
        frames = int(-(-round(played * 1000, 3) // (FRAME * 1000)))   # ceil, in frames
        frames_out = min(frames * int(8000 * FRAME), total_out)
    blocks = -(-frames_out * rate // 8000 // _FILE_READ_SAMPLES)
    samples_in = min(total_in, blocks * _FILE_READ_SAMPLES)
    return frames_out, samples_in, rate
