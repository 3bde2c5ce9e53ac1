"""eslSetLogLevel and the library's log lines (API.md section 9).

The C library writes to file descriptor 2, so each case runs in a child interpreter whose
stderr is captured.
"""
import logging
import os
import subprocess
import sys
import textwrap

import pytest

import ESL
from ESL import log

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(code):
    """Run ``code`` in a child Python; return (stdout, stderr) as text."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode(), proc.stderr.decode("utf-8", "surrogateescape")


NULL_EVENT_CALLS = """
    import ESL
    e = ESL.ESLevent(None)
    e.getType(); e.getHeader("x"); e.getBody(); e.addHeader("a", "b"); e.pushHeader("a", "b")
    e.unshiftHeader("a", "b"); e.delHeader("a"); e.addBody("b"); e.setPriority()
    e.serialize(); e.firstHeader(); e.nextHeader()
"""

NULL_EVENT_LINES = (
    "[ERROR] esl_oop.cpp:516 getType() Trying to getType an event that does not exist!\n"
    "[ERROR] esl_oop.cpp:424 getHeader() Trying to getHeader an event that does not exist!\n"
    "[ERROR] esl_oop.cpp:503 getBody() Trying to getBody an event that does not exist!\n"
    "[ERROR] esl_oop.cpp:436 addHeader() Trying to addHeader an event that does not exist!\n"
    "[ERROR] esl_oop.cpp:449 pushHeader() Trying to addHeader an event that does not exist!\n"
    "[ERROR] esl_oop.cpp:462 unshiftHeader() Trying to addHeader an event that does not "
    "exist!\n"
    "[ERROR] esl_oop.cpp:475 delHeader() Trying to delHeader an event that does not exist!\n"
    "[ERROR] esl_oop.cpp:489 addBody() Trying to addBody an event that does not exist!\n"
    "[ERROR] esl_oop.cpp:412 setPriority() Trying to setPriority an event that does not "
    "exist!\n")


def test_silent_until_the_first_call():
    _out, err = run(NULL_EVENT_CALLS + """
    ESL.ESLevent("HEARTBEAT", "sub"); ESL.ESLevent("HEARTBEAT", "")
    """)
    assert err == ""


def test_null_event_errors():
    _out, err = run("import ESL; ESL.eslSetLogLevel(3)\n" + textwrap.dedent(NULL_EVENT_CALLS))
    assert err == NULL_EVENT_LINES


def test_constructor_messages():
    _out, err = run("""
    import ESL
    ESL.eslSetLogLevel(7)
    ESL.ESLevent("HEARTBEAT", "sub")
    ESL.ESLevent("HEARTBEAT", "")
    ESL.ESLevent("json", "bad")
    ESL.ESLevent("CUSTOM", "x")
    """)
    assert err == ("[WARNING] esl_oop.cpp:310 ESLevent() Changing event type to custom because "
                   "you specified a subclass name!\n"
                   "[ERROR] esl_oop.cpp:315 ESLevent() Failed to create event!\n")


@pytest.mark.parametrize("level, printed", [
    (0, False), (2, False), (3, True), (-1, True), (8, True), (2 ** 31 - 1, True)])
def test_threshold_and_clamping(level, printed):
    _out, err = run("import ESL; ESL.eslSetLogLevel(%d); ESL.ESLevent(None).getType()" % level)
    expected = ("[ERROR] esl_oop.cpp:516 getType() Trying to getType an event that does not "
                "exist!\n")
    assert err == (expected if printed else "")


def test_warning_needs_level_4():
    _out, err = run("import ESL; ESL.eslSetLogLevel(3); ESL.ESLevent('HEARTBEAT', 'sub')")
    assert err == ""
    _out, err = run("import ESL; ESL.eslSetLogLevel(4); ESL.ESLevent('HEARTBEAT', 'sub')")
    assert err.startswith("[WARNING] esl_oop.cpp:310 ESLevent() ")


def test_written_to_fd_2_not_sys_stderr():
    _out, err = run("""
    import io, sys, ESL
    ESL.eslSetLogLevel(7)
    sys.stderr = io.StringIO()
    ESL.ESLevent(None).getBody()
    captured = sys.stderr.getvalue()
    sys.stderr = sys.__stderr__
    print(repr(captured))
    """)
    assert "getBody() Trying to getBody" in err
    assert _out == "''\n"


def test_emit_format_and_non_utf8_text():
    out, err = run("""
    from ESL import log
    log.emit(7, "esl.c", 1, "f", "before level set\\n")
    log.eslSetLogLevel(7)
    log.emit(7, "esl.c", 1315, "esl_recv_event", "RECV HEADER [X] = [\\udcff é]\\n")
    print(log.enabled(7), log.enabled(8), log.level)
    log.eslSetLogLevel(0)
    print(log.enabled(1), log.enabled(0))
    """)
    assert err.encode("utf-8", "surrogateescape") == \
        "[DEBUG] esl.c:1315 esl_recv_event() RECV HEADER [X] = [\udcff é]\n".encode(
            "utf-8", "surrogateescape")
    assert out == "True False 7\nFalse True\n"


def test_logging_bridge_only_route():
    _out, err = run("""
    import logging, sys
    from ESL import log
    import ESL
    log.to_stderr = False
    logging.basicConfig(stream=sys.stdout, level=logging.DEBUG,
                        format="%(name)s %(levelname)s %(esl_file)s:%(esl_line)d %(message)s")
    ESL.eslSetLogLevel(7)
    ESL.ESLevent(None).getType()
    """)
    assert err == ""
    assert _out == ("ESL ERROR esl_oop.cpp:516 Trying to getType an event that does not "
                    "exist!\n")


def test_set_log_level_arguments():
    for args, exc, text in [
        ((), TypeError, "_ESL.eslSetLogLevel() takes exactly one argument (0 given)"),
        ((1, 2), TypeError, "_ESL.eslSetLogLevel() takes exactly one argument (2 given)"),
        (("3",), TypeError, "in method 'eslSetLogLevel', argument 1 of type 'int'"),
        ((3.0,), TypeError, "in method 'eslSetLogLevel', argument 1 of type 'int'"),
        ((None,), TypeError, "in method 'eslSetLogLevel', argument 1 of type 'int'"),
        ((2 ** 31,), OverflowError, "in method 'eslSetLogLevel', argument 1 of type 'int'"),
        ((-2 ** 31 - 1,), OverflowError, "in method 'eslSetLogLevel', argument 1 of type 'int'"),
        ((2 ** 64,), OverflowError, "in method 'eslSetLogLevel', argument 1 of type 'int'"),
    ]:
        with pytest.raises(exc) as info:
            ESL.eslSetLogLevel(*args)
        assert str(info.value) == text
    # (texts of the 1.4.18 binding, whose eslSetLogLevel is the builtin _ESL.eslSetLogLevel)


def test_set_log_level_by_keyword():
    # The SWIG 4 proxy of the 1.4.18 binding is "def eslSetLogLevel(level)": level= works.
    saved = log.level
    try:
        assert ESL.eslSetLogLevel(level=5) is None
        assert log.level == 5
        assert ESL.eslSetLogLevel(level=0) is None
        assert log.level == 0
        ESL.eslSetLogLevel(level=99)
        assert log.level == 7
        for kwargs, args, exc, text in [
            ({"lvl": 1}, (), TypeError, "eslSetLogLevel() got an unexpected keyword argument 'lvl'"),
            ({"level": 2}, (1,), TypeError, "eslSetLogLevel() got multiple values for argument 'level'"),
            ({"level": "3"}, (), TypeError, "in method 'eslSetLogLevel', argument 1 of type 'int'"),
            ({"level": 2 ** 31}, (), OverflowError, "in method 'eslSetLogLevel', argument 1 of type 'int'"),
        ]:
            with pytest.raises(exc) as info:
                ESL.eslSetLogLevel(*args, **kwargs)
            assert str(info.value) == text
        assert log.level == 7   # failed calls change nothing
    finally:
        log.level = saved


def test_returns_none_and_accepts_bool():
    saved = log.level
    try:
        assert ESL.eslSetLogLevel(True) is None
        assert log.level == 1
    finally:
        log.level = saved


def test_logging_records(monkeypatch):
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Keep(logging.DEBUG)
    logger = logging.getLogger("ESL")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    monkeypatch.setattr(log, "to_stderr", False)
    monkeypatch.setattr(log, "level", 7)
    try:
        ESL.ESLevent(None).getType()
        ESL.ESLevent("HEARTBEAT", "sub")
        log.emit(log.DEBUG, "esl.c", 1, "esl_send", "SEND\nexit\n")
        log.emit(log.EMERG, "esl.c", 2, "f", "no newline")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert [(r.levelname, r.getMessage()) for r in records] == [
        ("ERROR", "Trying to getType an event that does not exist!"),
        ("WARNING", "Changing event type to custom because you specified a subclass name!"),
        ("DEBUG", "SEND\nexit"),
        ("CRITICAL", "no newline"),
    ]
    first = records[0]
    assert (first.esl_file, first.esl_line, first.esl_function, first.esl_level) == \
        ("esl_oop.cpp", 516, "getType", "ERROR")
    assert records[0].name == "ESL"


def test_import_ESL_loads_neither_logging_nor_json_until_needed():
    # A blocking client that never logs and never sees JSON does without both modules.
    code = textwrap.dedent("""
        import sys, ESL
        e = ESL.ESLevent("CUSTOM", "a::b")
        e.addHeader("X", "y"); e.serialize()
        print("logging" in sys.modules, "json" in sys.modules)
        ESL.ESLevent("json", '{"Event-Name": "API"}')   # not compact: the json module's
        print("json" in sys.modules)
        ESL.eslSetLogLevel(7)
        import os; os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        ESL.ESLevent(None).getType()
        print("logging" in sys.modules, type(ESL.log.logger).__name__)
    """)
    out = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=ROOT,
                         universal_newlines=True, check=True).stdout
    assert out.split() == ["False", "False", "True", "True", "Logger"]
