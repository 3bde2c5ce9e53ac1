"""Jaspion (a Flask-like event handler on greenswitch) against the simulator: its handlers,
the "filter Event-Name" subscriptions it sends, filtrate, and api/bgapi through command()."""
import gevent
from conftest import PASSWORD
from jaspion import Jaspion
from jaspion.utils import filtrate
from test_redfs import gwait


def test_handlers_see_the_events_of_a_call(sim_port):
    app = Jaspion("127.0.0.1", sim_port, PASSWORD)
    seen = []

    @app.handle("CHANNEL_CREATE")
    def create(event):
        seen.append(("CREATE", event["Unique-ID"], event["Caller-Destination-Number"]))

    @app.handle("CHANNEL_HANGUP_COMPLETE")
    @filtrate("Hangup-Cause", "NORMAL_CLEARING")
    def hangup(event):
        seen.append(("HANGUP", event["Unique-ID"]))

    @app.handle("BACKGROUND_JOB")
    def job(event):
        seen.append(("JOB", event["Job-UUID"]))

    # run() connects, sends "events plain ALL" (FreeSWITCH reads any word starting with
    # "event") and a filter per handled event, then processes events.
    running = gevent.spawn(app.run)
    try:
        assert gwait(lambda: app.connected)
        assert app.command("status").startswith("UP 0 years")
        job_uuid = app.command("uptime", background=True)
        uuid = app.command("originate loopback/9998/default &park")[4:].strip()
        assert gwait(lambda: sum(s[0] == "CREATE" for s in seen) == 2)
        assert app.command("uuid_kill %s" % uuid) == "+OK\n"
        assert gwait(lambda: sum(s[0] == "HANGUP" for s in seen) == 2)
        assert ("JOB", job_uuid) in seen
        assert ("CREATE", uuid, "9998") in seen and ("HANGUP", uuid) in seen
    finally:
        app.stop()
        running.kill()
