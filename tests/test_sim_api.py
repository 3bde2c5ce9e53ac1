"""The simulator's api commands over real sockets, as FreeSWITCH's mod_commands answers them."""
import threading
import time

import ESL
from ESL.sim.pytest_plugin import esl_sim, esl_sim_factory  # noqa: F401 (fixtures)


def connect(sim):
    conn = ESL.ESLconnection("127.0.0.1", str(sim.port), "ClueCon")
    assert conn.connected()
    return conn


def api_body(conn, command):
    reply = conn.api(command)
    assert reply.getHeader("Content-Type") == "api/response"
    return reply.getBody()


def test_msleep_answers_late_without_holding_up_other_connections(esl_sim):
    sleeper, other = connect(esl_sim), connect(esl_sim)
    result = {}

    def sleep():
        start = time.monotonic()
        result["body"] = api_body(sleeper, "msleep 1500")
        result["took"] = time.monotonic() - start
    thread = threading.Thread(target=sleep)
    thread.start()
    time.sleep(0.2)
    # While the first connection waits, the switch still answers the second one at once.
    start = time.monotonic()
    assert api_body(other, "echo hi") == "hi"
    quick = time.monotonic() - start
    assert "body" not in result
    thread.join(10)
    assert result["body"] == "+OK"
    assert result["took"] >= 1.4
    assert quick < result["took"] / 2


def test_msleep_without_a_number_answers_at_once(esl_sim):
    conn = connect(esl_sim)
    assert api_body(conn, "msleep") == "+OK"
    assert api_body(conn, "msleep abc") == "+OK"
    assert api_body(conn, "msleep -5") == "+OK"
