"""The ESL library's logging: ``eslSetLogLevel`` and the internal log API.

Behaviour of the C library (``esl_global_set_default_logger``):

* Until :func:`eslSetLogLevel` is first called nothing is logged at all.
* ``eslSetLogLevel(level)`` sets the threshold: messages whose severity number is ``<= level``
  are printed. Levels: 0 EMERG, 1 ALERT, 2 CRIT, 3 ERROR, 4 WARNING, 5 NOTICE, 6 INFO, 7 DEBUG.
  A level outside 0..7 becomes 7; there is no way back to silence except ``eslSetLogLevel(0)``.
* Each message is written to file descriptor 2 directly (not to ``sys.stderr``) as
  ``"[LEVEL] file:line function() message"``, where file/line/function name the C source place
  the message comes from; the message normally ends with ``\\n``.

Bridge to :mod:`logging`: every message that passes the threshold is also handed to the logger
named ``"ESL"`` (EMERG/ALERT/CRIT -> CRITICAL, ERROR -> ERROR, WARNING -> WARNING, NOTICE/INFO
-> INFO, DEBUG -> DEBUG). The record's message is the C message without its final newline; the
record carries ``esl_file``, ``esl_line``, ``esl_function`` and ``esl_level`` attributes. The
logger gets a ``NullHandler`` (when the library first logs: ``import ESL`` does not import
:mod:`logging`), so nothing is printed twice unless the application configures logging itself. Set ``ESL.log.to_stderr = False`` to keep only the logging route.

Internal API for the other modules (cheap when logging is off):

* ``level`` -- the current threshold, ``-1`` before ``eslSetLogLevel`` was called. Hot paths
  test ``if log.level >= log.DEBUG:`` before building a message.
* ``enabled(severity) -> bool`` -- the same test as a function.
* ``emit(severity, file, line, function, message)`` -- log one message (does nothing if the
  severity does not pass the threshold).
"""
import os

__all__ = ["eslSetLogLevel"]

EMERG, ALERT, CRIT, ERROR, WARNING, NOTICE, INFO, DEBUG = range(8)
LEVEL_NAMES = ("EMERG", "ALERT", "CRIT", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG")

# -1: the C library's null logger is installed (nothing is ever printed).
level = -1

# Write to file descriptor 2 as the C library does; the logging bridge is independent of this.
to_stderr = True

# logging's CRITICAL, CRITICAL, CRITICAL, ERROR, WARNING, INFO, INFO, DEBUG.
_PY_LEVELS = (50, 50, 50, 40, 30, 20, 20, 10)
_logger = None


def _get_logger():
    """The ``"ESL"`` logger, with its NullHandler (made on first use)."""
    global _logger
    if _logger is None:
        import logging
        logger = logging.getLogger("ESL")
        logger.addHandler(logging.NullHandler())
        _logger = logger
    return _logger


def __getattr__(name):
    # ``ESL.log.logger``, without importing logging before it is needed.
    if name == "logger":
        return _get_logger()
    raise AttributeError("module %r has no attribute %r" % (__name__, name))

_INT_MIN, _INT_MAX = -2 ** 31, 2 ** 31 - 1


def eslSetLogLevel(*args, **kwargs):
    """eslSetLogLevel(level) -> None

    Install the default logger with threshold ``level`` (an int; outside 0..7 -> 7). Returns
    None.

    ``level`` may be passed by keyword, as the proxy SWIG 4 generates for the 1.4.18 binding
    (``def eslSetLogLevel(level)``) allows; the shipped proxy binds the builtin
    ``_ESL.eslSetLogLevel`` instead, which refuses keywords. Other argument errors are the
    builtin's (exactly one int).
    """
    if kwargs:   # Difference: the shipped 1.4.18 proxy refuses keywords
        args = _keyword_args(args, kwargs)
    if len(args) != 1:
        raise TypeError("_ESL.eslSetLogLevel() takes exactly one argument (%d given)"
                        % len(args))
    value = args[0]
    if not isinstance(value, int):
        raise TypeError("in method 'eslSetLogLevel', argument 1 of type 'int'")
    if not _INT_MIN <= value <= _INT_MAX:
        raise OverflowError("in method 'eslSetLogLevel', argument 1 of type 'int'")
    global level
    level = int(value) if 0 <= value <= 7 else 7


def _keyword_args(args, kwargs):
    """``(level,)`` from a call with keywords, or Python's TypeError for ``def f(level)``."""
    unknown = [name for name in kwargs if name != "level"]
    if unknown:
        raise TypeError("eslSetLogLevel() got an unexpected keyword argument '%s'" % unknown[0])
    if args:
        raise TypeError("eslSetLogLevel() got multiple values for argument 'level'")
    return (kwargs["level"],)


def enabled(severity):
    """Return True if a message of ``severity`` (0..7) would be logged now."""
    return severity <= level


def emit(severity, file, line, function, message):
    """Log ``message`` as the C library would from ``function`` at ``file:line``.

    Nothing happens if ``severity`` does not pass the threshold. Write errors on fd 2 are
    ignored, like ``fprintf(stderr, ...)`` failing silently.
    """
    if severity > level:
        return
    if to_stderr:
        text = "[%s] %s:%d %s() %s" % (LEVEL_NAMES[severity], file, line, function, message)
        data = text.encode("utf-8", "surrogateescape")
        try:
            while data:
                data = data[os.write(2, data):]
        except OSError:
            pass
    pylevel = _PY_LEVELS[severity]
    logger = _logger or _get_logger()
    if logger.isEnabledFor(pylevel):
        if message.endswith("\n"):
            message = message[:-1]
        logger.log(pylevel, "%s", message, extra={
            "esl_file": file, "esl_line": line, "esl_function": function,
            "esl_level": LEVEL_NAMES[severity]})
