"""Unit tests of the compat harness and runner logic (no reference binding needed)."""
import json
import os
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
COMPAT = os.path.join(os.path.dirname(HERE), "compat")
sys.path.insert(0, COMPAT)

import harness  # noqa: E402
import run  # noqa: E402


def test_command_end_reads_like_mod_event_socket():
    assert harness._command_end(b"api status\n\n") == len(b"api status\n\n")
    assert harness._command_end(b"api status\n") == -1
    body = b"sendevent CUSTOM\nContent-Length: 5\n\nhello"
    assert harness._command_end(body) == len(body)
    assert harness._command_end(body[:-1]) == -1
    # leading blank lines (the ESL client's extra "\n\n") belong to the next command
    assert harness._command_end(b"\n\nexit\n\nmore") == len(b"\n\nexit\n\n")
    assert harness._command_end(b"x\n\r\ny") == 4


def test_expected_key_field_patterns():
    a = {"t": "ESLevent", "plain": "x", "json": "j"}
    assert run._expected_key("k", ["k::plain"], a, dict(a, plain="y"))
    assert not run._expected_key("k", ["k::plain"], a, dict(a, plain="y", json="z"))
    assert run._expected_key("k: fd 0", ["*: fd 0"], a, {})


def test_judge_checks_what_ours_must_show():
    ref = {"c": {"t": "int", "v": 1}, "exit": {"status": "SIGSEGV"}}
    ours = {"c": {"exc": "TypeError", "msg": "m"}, "exit": {"status": "0"}}
    spec = {"s": {"reason": "r", "keys": "*", "ours": {"c": {"exc": "TypeError"}}}}
    assert run.judge("s", ref, ours, spec) == ([], ["c", "exit"], [])
    spec["s"]["ours"]["c"] = {"exc": "ValueError"}
    assert run.judge("s", ref, ours, spec)[2]


def test_scenario_records_api_values_and_wire(tmp_path):
    """A scenario run against a stand-in ESL module records calls, exceptions and wire bytes."""
    impl = tmp_path / "impl"
    impl.mkdir()
    (impl / "ESL.py").write_text("def hello(x):\n    return x * 2\n")
    script = tmp_path / "s.py"
    script.write_text(textwrap.dedent("""
        import socket
        from harness import Server, call, import_esl, reply, send, wait_eof
        ESL = import_esl()
        call("double", ESL.hello, 21)
        call("boom", ESL.hello)
        srv = Server([send(b"hi\\n\\n"), reply(b"ok\\n\\n"), wait_eof()])
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.recv(4)
        s.sendall(b"cmd\\nContent-Length: 2\\n\\nab")
        s.recv(4)
        s.close()
        srv.finish()
    """))
    rec = run.run_one(str(script), str(impl), "test")
    assert rec["double"] == {"t": "int", "v": 42}
    assert rec["boom"]["exc"] == "TypeError"
    assert rec["wire:srv.0.00"] == {"w": {"got": "cmd\nContent-Length: 2\n\nab"}}
    assert rec["wire:srv.0.01"] == {"w": {"got": "", "end": "eof"}}
    assert rec["exit"] == {"status": "0"}
