"""The simulator's ``say`` application over real sockets: mod_say_en's sound files for a
number, played as one file_string:// path that a switch without sounds cannot open."""
from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)
from ESL.sim.say import say_files
from test_sim import Raw, body
from test_sim_calls import CONF, api, start_call


def test_say_files_follow_mod_say_en():
    assert say_files("123", "pronounced") == ["digits/1", "digits/hundred", "digits/20",
                                              "digits/3"]
    assert say_files("1,000,015", "pronounced") == ["digits/1", "digits/million", "digits/15"]
    assert say_files("20", "counted") == ["digits/h-20"]
    assert say_files("42", "iterated") == ["digits/4", "digits/2"]
    assert say_files("0", "pronounced") == ["digits/0"]
    assert say_files("1234567890", "pronounced") is None   # more than 9 digits


def test_say_plays_its_files_and_the_call_goes_on(esl_sim_factory):
    sim = esl_sim_factory(CONF)
    conn = Raw(sim.port).auth()
    assert conn.cmd("log 7").startswith(b"Content-Type: command/reply")
    ev, a, _ = start_call(sim, conn, "9998", "CHANNEL_EXECUTE_COMPLETE PLAYBACK_START")
    for data in ("en NUMBER pronounced FEMININE 123", "xx NUMBER pronounced 1", "en NUMBER"):
        conn.send(("sendmsg %s\ncall-command: execute\nexecute-app-name: say\n"
                   "execute-app-arg: %s\nevent-lock: true\n\n" % (a, data)).encode())
        done = {}
        while done.get("Application") != "say":
            done = [h for h in ev.until("CHANNEL_EXECUTE_COMPLETE")
                    if h.get("Event-Name") == "CHANNEL_EXECUTE_COMPLETE"][-1]
        assert (done["Unique-ID"], done.get("Application-Data")) == (a, data)
    assert api(ev, "uuid_exists " + a) == "true"
    logs = b"".join(f for f in ev.raw if b"Content-Type: log/data" in f)
    assert (b"Can't open file_string://digits/1.wav!digits/hundred.wav!digits/20.wav!"
            b"digits/3.wav") in logs
    assert b"Invalid SAY Interface [xx]!" in logs
    assert b"Usage: <module_name>[:<lang>] <say_type>" in logs
    assert not [f for f in ev.raw if b"Event-Name: PLAYBACK_START" in f]
    assert body(conn.cmd("api uuid_kill " + a)).startswith("+OK")
