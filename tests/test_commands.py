"""Client commands as bytes: the C library's formatting and buffer limits."""
from ESL.protocol import commands


def test_frame_adds_blank_line_only_when_missing():
    assert commands.frame(b"") == b"\n\n"
    assert commands.frame(b"x\n") == b"x\n\n\n"
    assert commands.frame(b"x\n\n") == b"x\n\n"


def test_auth_and_userauth():
    assert commands.auth(None, "ClueCon") == b"auth ClueCon\n\n"
    assert commands.auth("", "ClueCon") == b"auth ClueCon\n\n"
    assert commands.auth("u@d", "p") == b"userauth u@d:p\n\n"
    assert commands.auth(None, None) == b"auth (null)\n\n"
    long = commands.auth(None, "p" * 300)
    assert len(long) == 255 and long.endswith(b"pp")   # snprintf into 256 bytes


def test_api_always_has_the_space():
    assert commands.frame(commands.api("status", None)) == b"api status \n\n"
    assert commands.frame(commands.api("", None)) == b"api  \n\n"
    assert commands.frame(commands.api("a\0b", "x")) == b"api a x\n\n"


def test_execute_field_limits():
    block = commands.execute("a" * 600, None, None, False, False)
    app_line = block.split(b"\n")[2]
    assert len(app_line) == 511 and not block.endswith(b"\n\n")
    assert commands.frame(block).endswith(b"a\n\n\n")   # the cut line lost its own newline
    assert commands.execute(None, None, "u" * 200, False, False).startswith(b"sendmsg " + b"u" * 119 + b"\n")


def test_events_type_is_case_sensitive():
    assert commands.events("json", "ALL") == b"event json ALL\n\n"
    assert commands.events("JSON", "ALL") == b"event plain ALL\n\n"
    assert commands.events("xml", None) == b"event xml (null)\n\n"


def test_is_true_and_atoi():
    assert [commands.is_true(v) for v in ("yes", "ON", "allow", "1", " 2x", "0", "no", "")] == [
        True, True, True, True, True, False, False, False]
    assert [commands.atoi(v) for v in ("8021xyz", " +8021", "0x10", "abc", "", "-1")] == [
        8021, 8021, 0, 0, 0, -1]
