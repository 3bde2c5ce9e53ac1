"""redfs (gevent, a greenswitch offshoot) against the simulator: inbound api, bgapi +
BACKGROUND_JOB, events of an originated call, sendmsg execute and DTMF on a uuid, filters,
the log lines of a call."""
import gevent
import redfs
from conftest import PASSWORD


def gwait(predicate, timeout=10.0):
    with gevent.Timeout(timeout, False):
        while not predicate():
            gevent.sleep(0.02)
    return predicate()


def test_inbound_call_control(sim_port):
    fs = redfs.InboundESL("127.0.0.1", sim_port, PASSWORD)
    fs.connect()
    try:
        assert fs.send("api status").data.startswith("UP 0 years, 0 days")
        seen = []
        names = ["BACKGROUND_JOB", "CHANNEL_ANSWER", "CHANNEL_EXECUTE_COMPLETE", "DTMF",
                 "CHANNEL_HANGUP_COMPLETE"]
        fs.register_handle(names, seen.append)
        assert fs.send("event plain " + " ".join(names)).data == \
            "+OK event listener enabled plain"
        job = fs.send("bgapi uptime")
        assert gwait(lambda: any(e.headers.get("Job-UUID") == job.headers["Job-UUID"]
                                 for e in seen))
        result = fs.send("api originate loopback/9998/default &park").data
        uuid = result[4:].strip()
        assert fs.send("sendmsg %s\ncall-command: execute\nexecute-app-name: playback\n"
                       "execute-app-arg: tone_stream://%%(100,0,440)" % uuid).data == "+OK"
        # DTMF sent to the A-leg is heard on its loopback partner, as in FreeSWITCH.
        assert fs.send("api uuid_send_dtmf %s 7" % uuid).data.startswith("+OK")
        assert gwait(lambda: any(e.headers.get("Application") == "playback" for e in seen))
        assert fs.send("api uuid_kill %s" % uuid).data == "+OK\n"
        assert gwait(lambda: sum(e.headers["Event-Name"] == "CHANNEL_HANGUP_COMPLETE"
                                 for e in seen) == 2)
        dtmf = [e for e in seen if e.headers["Event-Name"] == "DTMF"]
        assert [e.headers["DTMF-Digit"] for e in dtmf] == ["7"]
        assert dtmf[0].headers["Unique-ID"] != uuid
        played = [e for e in seen if e.headers.get("Application") == "playback"][0]
        assert played.headers["Unique-ID"] == uuid
        assert fs.send("filter Unique-ID %s" % uuid).data == \
            "+OK filter added. [Unique-ID]=[%s]" % uuid
    finally:
        fs.stop()


def test_log_lines_of_a_call(sim_port):
    fs = redfs.InboundESL("127.0.0.1", sim_port, PASSWORD)
    fs.connect()
    try:
        lines = []
        fs.register_handle(["log"], lines.append)
        assert fs.send("log 7").data == "+OK log level 7 [7]"
        uuid = fs.send("api originate loopback/9998/default &park").data[4:].strip()
        assert fs.send("api uuid_kill %s" % uuid).data == "+OK\n"
        # The call's life as FreeSWITCH logs it, down to its channel closing.
        assert gwait(lambda: any(line.headers.get("User-Data") == uuid
                                 and "Close Channel loopback/9998-a" in line.data
                                 for line in lines))
        assert {line.headers["Log-Level"] for line in lines} >= {"7", "6", "5"}
        assert fs.send("nolog").data == "+OK no longer logging"
    finally:
        fs.stop()
