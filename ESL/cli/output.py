"""The console's terminal output: escape sequences, fs_cli's colours, prompt-safe writes.

:class:`Output` serialises the writes of the input and reader threads; :func:`_event_text`
formats an event for display. Imports only the standard library.
"""
import threading
from typing import Callable

# ESL_SEQ_* escape sequences and fs_cli's colour per log level (0 EMERG .. 7 DEBUG).
RESET = "\033[m"
_FG = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35,
       "cyan": 36, "white": 37}
LEVEL_COLORS = (RESET, "\033[31m", "\033[31m", "\033[31m", "\033[35m", "\033[36m",
                "\033[32m", "\033[33m")
CLEAR_LINE = "\r\033[K"


def _color(name: str) -> str:
    """fs_cli's colour names (``red``, ``bold-red``, ...); unknown names give the reset code."""
    name = name.strip().lower()
    bold = name.startswith("bold-")
    code = _FG.get(name[5:] if bold else name)
    if code is None:
        return RESET
    # ESL_SEQ_B* are really background colours in esl.h; fs_cli uses them for "bold-*".
    return "\033[%dm" % (code + 10 if bold else code)


class Output:
    """Serialises writes from the input and reader threads; keeps the prompt line intact.

    While the input thread sits at the prompt (``at_prompt``), asynchronous text first clears
    the prompt line and afterwards redraws prompt and typed text, as fs_cli does on a terminal.
    """

    def __init__(self, out, err, color: bool, redraw: bool) -> None:
        self.out = out
        self.err = err
        self.color = color
        self.redraw = redraw
        self.lock = threading.RLock()
        self.at_prompt = False
        self.prompt = ""
        self.line_buffer: Callable[[], str] = lambda: ""

    def write(self, text: str, stream=None) -> None:
        stream = stream or self.out
        with self.lock:
            redraw = self.redraw and self.at_prompt
            if redraw:
                self.out.write(CLEAR_LINE)
                self.out.flush()
            stream.write(text)
            stream.flush()
            if redraw:
                typed = self.line_buffer()
                if isinstance(typed, bytes):   # PyPy's readline
                    typed = typed.decode("utf-8", "replace")
                self.out.write(self.prompt + typed)
                self.out.flush()

    def error(self, text: str) -> None:
        self.write(text + "\n", self.err)


def _event_text(event) -> str:
    """Readable text of an event: ``Name: value`` lines, then the body (values not encoded)."""
    lines = []
    name = event.firstHeader()
    while name is not None:
        value = event.getHeader(name)
        lines.append("%s: %s\n" % (name, "" if value is None else value))
        name = event.nextHeader()
    body = event.getBody()
    text = "".join(lines)
    if body:
        text += "Content-Length: %d\n\n%s" % (len(body.encode("utf-8", "surrogateescape")), body)
    return text
