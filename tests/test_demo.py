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
    assert out.rstrip().endswith("[demo] done: every step succeeded")
