"""The sans-I/O client state machine (ESL/protocol/client.py), fed bytes: no sockets."""
import pytest

from ESL.datastructures import Event
from ESL.exceptions import (AuthenticationError, ChannelHungUp, CommandError, ConnectionClosed)
from ESL.protocol import client as pc

GREETING = b"Content-Type: auth/request\n\n"


def reply(text):
    return b"Content-Type: command/reply\nReply-Text: " + text.encode() + b"\n\n"


def api_response(body):
    raw = body.encode()
    return b"Content-Type: api/response\nContent-Length: %d\n\n" % len(raw) + raw


def plain(headers, body=None):
    text = "".join("%s: %s\n" % pair for pair in headers)
    if body is not None:
        text += "Content-Length: %d\n\n%s" % (len(body.encode()), body)
    else:
        text += "\n"
    raw = text.encode()
    return b"Content-Length: %d\nContent-Type: text/event-plain\n\n" % len(raw) + raw


def opened(**kwargs):
    proto = pc.ClientProtocol(**kwargs)
    proto.connection_made()
    proto.receive_data(GREETING)
    assert proto.data_to_send() == b"auth ClueCon\n\n"
    proto.receive_data(reply("+OK accepted"))
    assert proto.state == pc.OPEN
    assert proto.finished() == [proto.handshake]
    return proto


def test_login_with_user_and_refusal():
    proto = pc.ClientProtocol("pw", "me@default")
    proto.connection_made()
    assert proto.state == pc.GREETING and proto.data_to_send() == b""
    proto.receive_data(GREETING)
    assert proto.data_to_send() == b"userauth me@default:pw\n\n"
    proto.receive_data(reply("-ERR invalid"))
    assert proto.state == pc.CLOSED
    assert isinstance(proto.handshake.error, AuthenticationError)


def test_replies_in_order_and_a_tombstone_swallows_a_late_reply():
    proto = opened()
    first = proto.api("msleep", "1000")
    proto.abandon(first)                    # the caller timed out
    second = proto.api("status")
    assert proto.data_to_send() == b"api msleep 1000\n\napi status\n\n"
    proto.receive_data(api_response("+OK slept\n"))
    assert not second.done and proto.finished() == []
    proto.receive_data(api_response("UP 0 years\n"))
    assert second.done and second.value == "UP 0 years\n"
    assert proto.finished() == [second]


def test_api_error_checked_or_not():
    proto = opened()
    checked, unchecked = proto.api("nosuch"), proto.api("nosuch", check=False)
    proto.receive_data(api_response("-ERR nosuch Command not found!\n") * 2)
    assert isinstance(checked.error, CommandError)
    assert checked.error.reply.body == "-ERR nosuch Command not found!\n"
    assert unchecked.value == "-ERR nosuch Command not found!\n"


def test_bgapi_subscribes_for_itself_and_hides_the_event():
    proto = opened()
    job = proto.bgapi("status", job_uuid="job-1")
    assert proto.data_to_send() == (b"event plain BACKGROUND_JOB\n\n"
                                    b"bgapi status\nJob-UUID: job-1\n\n")
    proto.receive_data(reply("+OK event listener enabled plain") + reply("+OK Job-UUID: job-1"))
    assert not job.done
    proto.receive_data(plain([("Event-Name", "BACKGROUND_JOB"), ("Job-UUID", "job-1")],
                             "UP 1 second\n"))
    assert job.done and job.value == "UP 1 second\n" and job.event.name == "BACKGROUND_JOB"
    assert proto.events_received() == []            # the user did not subscribe
    assert proto.data_to_send() == b"nixevent BACKGROUND_JOB\n\n"


def test_bgapi_failed_job_and_user_subscription_surfaces_the_event():
    proto = opened()
    proto.subscribe(["BACKGROUND_JOB"], "json")
    job = proto.bgapi("originate", "loopback/1 &park", job_uuid="j")
    assert proto.data_to_send() == (b"event json BACKGROUND_JOB\n\n"
                                    b"bgapi originate loopback/1 &park\nJob-UUID: j\n\n")
    body = '{"Event-Name":"BACKGROUND_JOB","Job-UUID":"j","_body":"-ERR NO_ANSWER\\n"}'
    raw = body.encode()
    proto.receive_data(b"Content-Length: %d\nContent-Type: text/event-json\n\n" % len(raw) + raw)
    assert isinstance(job.error, CommandError) and str(job.error) == "-ERR NO_ANSWER"
    assert [e.name for e in proto.events_received()] == ["BACKGROUND_JOB"]
    assert proto.data_to_send() == b""              # the subscription is the user's


def test_execute_waits_for_its_own_completion():
    proto = opened()
    slot, wait = proto.execute("playback", "tone_stream://%(100,0,440)", "chan-1")
    sent = proto.data_to_send().decode()
    event_uuid = wait.event_uuid
    assert sent == ("event plain CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP CHANNEL_HANGUP_COMPLETE"
                    "\n\nsendmsg chan-1\ncall-command: execute\nexecute-app-name: playback\n"
                    "execute-app-arg: tone_stream://%(100,0,440)\nEvent-UUID: " + event_uuid
                    + "\n\n")
    proto.receive_data(reply("+OK") + reply("+OK"))
    other = [("Event-Name", "CHANNEL_EXECUTE_COMPLETE"), ("Unique-ID", "chan-1"),
             ("Application", "playback"), ("Application-UUID", "someone-else")]
    proto.receive_data(plain(other))
    assert not wait.done                            # matched by Application-UUID, not name
    mine = other[:3] + [("Application-UUID", event_uuid)]
    proto.receive_data(plain(mine))
    assert wait.done and wait.value["Application-UUID"] == event_uuid
    assert proto.events_received() == []
    assert proto.data_to_send() == (b"nixevent CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP "
                                    b"CHANNEL_HANGUP_COMPLETE\n\n")


def test_execute_interrupted_by_a_hangup_raises_channel_hung_up():
    proto = opened()
    _slot, wait = proto.execute("playback", "x.wav", "chan-1")
    proto.receive_data(reply("+OK") + reply("+OK"))
    proto.receive_data(plain([("Event-Name", "CHANNEL_HANGUP"), ("Unique-ID", "chan-1")]))
    assert not wait.done
    proto.receive_data(plain([("Event-Name", "CHANNEL_EXECUTE_COMPLETE"),
                              ("Unique-ID", "chan-1"), ("Application-UUID", wait.event_uuid)]))
    assert isinstance(wait.error, ChannelHungUp) and wait.error.uuid == "chan-1"


def test_execute_refused_and_execute_cut_by_disconnect():
    proto = opened()
    _slot, refused = proto.execute("park", None, "nope")
    proto.receive_data(reply("+OK"))
    proto.receive_data(reply("-ERR invalid session id [nope]"))
    assert isinstance(refused.error, CommandError)
    _slot, cut = proto.execute("park", None, "chan-2")
    proto.receive_eof()
    assert isinstance(cut.error, ConnectionClosed) and proto.state == pc.CLOSED


def test_arguments_with_line_breaks_are_refused():
    proto = opened()
    for bad in ("status\n\nauth x", "a\rb", "nul\0"):
        with pytest.raises(ValueError):
            proto.api(bad)
        with pytest.raises(ValueError):
            proto.api("echo", bad)
    with pytest.raises(ValueError):
        proto.sendmsg("u", [("call-command", "execute\nexecute-app-name: hangup")])
    with pytest.raises(ValueError):
        proto.command("api status\n\napi version")
    assert proto.data_to_send() == b""


def test_subscriptions_and_filters_are_replayed_on_the_next_link():
    proto = opened(reconnect=True)
    proto.subscribe(["CHANNEL_CREATE", "CUSTOM", "my::a"], "json")
    proto.filter("Event-Subclass", "my::a")
    proto.filter("X", "1")
    proto.filter_delete("X")
    proto.data_to_send()
    pending = proto.api("status")
    proto.receive_eof()
    assert isinstance(pending.error, ConnectionClosed)
    gap = proto.events_received()
    assert [(e.name, e["Reconnecting"]) for e in gap] == [("SERVER_DISCONNECTED", "true")]
    proto.connection_made()
    assert proto.reconnects == 1
    proto.receive_data(GREETING)
    proto.data_to_send()
    proto.receive_data(reply("+OK accepted"))
    assert proto.data_to_send() == (b"event json CHANNEL_CREATE CUSTOM my::a\n\n"
                                    b"filter Event-Subclass my::a\n\n")


def test_filters_let_our_own_events_through():
    proto = opened()
    proto.filter("Unique-ID", "chan-9")
    proto.data_to_send()
    proto.bgapi("status", job_uuid="j")
    assert proto.data_to_send() == (b"event plain BACKGROUND_JOB\n\n"
                                    b"filter Event-Name BACKGROUND_JOB\n\n"
                                    b"bgapi status\nJob-UUID: j\n\n")


def test_outbound_connect_linger_myevents_and_hangup():
    proto = pc.ClientProtocol(outbound=True)
    proto.connection_made()
    assert proto.data_to_send() == b"connect\n\nlinger\n\nmyevents\n\n"
    proto.receive_data(b"Content-Type: command/reply\nReply-Text: +OK\nUnique-ID: call-1\n"
                       b"Channel-Name: loopback/1-a\n\n")
    assert proto.state == pc.OPEN and proto.channel_uuid == "call-1"
    assert proto.handshake.value["channel-name"] == "loopback/1-a"
    proto.receive_data(reply("+OK will linger") + reply("+OK Events Enabled"))
    _slot, wait = proto.execute("playback", "x.wav")
    assert proto.data_to_send().startswith(b"sendmsg\ncall-command: execute\n")   # no subscribe
    proto.hangup(cause="USER_BUSY")
    assert proto.data_to_send() == b"sendmsg\ncall-command: hangup\nhangup-cause: USER_BUSY\n\n"
    proto.receive_data(b"Content-Type: text/disconnect-notice\nControlled-Session-UUID: call-1\n"
                       b"Content-Disposition: linger\nContent-Length: 0\n\n")
    proto.receive_eof()
    assert isinstance(wait.error, ChannelHungUp)


def test_event_buffer_drops_the_oldest_and_counts(caplog):
    buffer = pc.EventBuffer(3)
    events = [Event([("Event-Name", "CUSTOM"), ("N", str(i))]) for i in range(10)]
    with caplog.at_level("WARNING", logger="ESL.client"):
        buffer.put_many(events[:5])
        buffer.put_many(events[5:])
    assert buffer.dropped == 7 and [buffer.get()["N"] for _ in range(3)] == ["7", "8", "9"]
    assert len([r for r in caplog.records if "queue full" in r.message]) == 1


def test_backoff_is_capped_with_jitter():
    assert [pc.backoff(n, 0.5, 4.0, rand=lambda: 1.0) for n in range(6)] == [
        0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert pc.backoff(3, 0.5, 4.0, rand=lambda: 0.0) == 2.0


def test_protocol_error_closes():
    proto = opened()
    pending = proto.api("status")
    proto.receive_data(b"Content-Length: -5\n\n")
    assert proto.state == pc.CLOSED and isinstance(pending.error, ConnectionClosed)


def test_internal_events_stay_hidden_until_the_unsubscribe_is_answered():
    proto = opened()
    job = proto.bgapi("status", job_uuid="j")
    proto.receive_data(reply("+OK event listener enabled plain") + reply("+OK Job-UUID: j"))
    proto.receive_data(plain([("Event-Name", "BACKGROUND_JOB"), ("Job-UUID", "j")], "UP\n"))
    assert job.done and proto.data_to_send().endswith(b"\n\nnixevent BACKGROUND_JOB\n\n")
    late = plain([("Event-Name", "BACKGROUND_JOB"), ("Job-UUID", "someone-else")], "x")
    proto.receive_data(late)                        # sent before the server read nixevent
    assert proto.events_received() == []
    proto.receive_data(reply("+OK no longer listening for BACKGROUND_JOB"))
    proto.command("event plain BACKGROUND_JOB")     # raw: unknown to the record
    proto.receive_data(reply("+OK event listener enabled plain") + late)
    assert [e["Job-UUID"] for e in proto.events_received()] == ["someone-else"]
