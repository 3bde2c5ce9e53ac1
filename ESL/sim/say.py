"""The ``say`` application: mod_dptools' ``say`` with mod_say_en's rules for numbers.

``say <module>[:<lang>] <type> <method> [<gender>] <text>`` turns the text into the sound
files that speak it and plays them as one ``file_string://`` path, as FreeSWITCH does. The
simulator has no sound files, so the path plays as on a switch without them ("Can't open" in
the log, no PLAYBACK events) and the application ends at once. Only the ``en`` module exists;
of its types, the counting ones (NUMBER, ITEMS, PERSONS, MESSAGES) build their file lists, the
others play nothing.
"""
from typing import Generator, List, Optional

from .applications import play_file
from .channel import Channel

__all__ = ["SAY_APPLICATIONS", "say_files"]

USAGE = "Usage: <module_name>[:<lang>] <say_type> <say_method> [<say_gender>] <text>"
_COUNTING = ("NUMBER", "ITEMS", "PERSONS", "MESSAGES")


def _group(method: str, hundreds: int, tens: int, units: int,
           unit_name: Optional[str]) -> List[str]:
    """The files of one three-digit group ("digits/3", "digits/hundred", ...)."""
    counted = method == "counted"
    files = []
    if hundreds:
        files += ["digits/%d" % hundreds, "digits/hundred"]
    if tens == 1:   # 10-19 have files of their own
        files.append("digits/1%d" % units)
        units = 0
    elif tens:
        files.append(("digits/h-%d0" if counted and not units else "digits/%d0") % tens)
    if units:
        files.append(("digits/h-%d" if counted else "digits/%d") % units)
    if unit_name and (hundreds or tens or units):
        files.append(unit_name)
    return files


def say_files(text: str, method: str) -> Optional[List[str]]:
    """mod_say_en's files for a counting type, or None when the text does not parse."""
    method = method.lower()
    text = text.replace(",", "")
    if method == "iterated":
        return ["digits/%s" % ch for ch in text]
    if len(text) > 9:
        return None
    try:
        number = int(text) if text.strip() else 0
    except ValueError:
        digits = ""
        for ch in text.strip():   # atoi: the leading digits
            if not ch.isdigit():
                break
            digits += ch
        number = int(digits or 0)
    if number == 0:
        return ["digits/0"]
    if method not in ("pronounced", "counted"):
        return []
    places = [int(d) for d in "%09d" % number]
    return (_group("pronounced", *places[0:3], "digits/million")
            + _group("pronounced", *places[3:6], "digits/thousand")
            + _group(method, *places[6:9], None))


def app_say(chan: Channel, data: str) -> Generator:
    """``say``: play the files that speak ``text`` (a digit in ``playback_terminators``,
    default ``*``, stops it)."""
    args = data.split(None, 4) if data else []
    if len(args) not in (4, 5):
        chan.log(3, USAGE, ("mod_dptools.c", "say_function", 2934))
        return
    module = args[0].partition(":")[0]
    if module != "en":
        chan.sw.log(3, "Invalid SAY Interface [%s]!" % args[0], "switch_ivr_play_say.c",
                    "switch_ivr_say", 304, chan.uuid)
        return
    files = [] if args[1].upper() not in _COUNTING else say_files(args[-1], args[2])
    if files is None:
        chan.sw.log(3, "Parse Error!", "mod_say_en.c", "en_say_general_count", 142, chan.uuid)
        return
    if files:
        terminators = chan.getvar("playback_terminators") or "*"
        yield from play_file(chan, "file_string://" + "!".join(f + ".wav" for f in files),
                             terminators="" if terminators.lower() == "none" else terminators)


SAY_APPLICATIONS = {"say": app_say}
