"""`make demo`'s tour runs end to end against the embedded simulator."""
import subprocess
import sys


def test_demo_tour_succeeds():
    proc = subprocess.run([sys.executable, "-m", "ESL.demo"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "[inbound] api status -> UP " in out
    assert "CHANNEL_HANGUP_COMPLETE" in out
    assert "BACKGROUND_JOB" in out
    assert "[outbound] CHANNEL_EXECUTE_COMPLETE   playback" in out
    # The bridged call: the simulated phone rings, answers, is bridged, hangs up.
    bridge = [line.split()[1] for line in out.splitlines() if line.startswith("[bridge]   ")]
    assert bridge.index("CHANNEL_PROGRESS") < bridge.index("CHANNEL_BRIDGE") \
        < bridge.index("CHANNEL_UNBRIDGE")
    # The IVR: the scripted caller's key reached play_and_get_digits.
    assert "[caller] DTMF event: digit 2 on sofia/demo/5551234@127.0.0.1" in out
    assert "[ivr] caller chose 2" in out
    assert "[caller] call ended: NORMAL_CLEARING, the IVR heard 2" in out
    assert out.rstrip().endswith("[demo] done: every step succeeded")
