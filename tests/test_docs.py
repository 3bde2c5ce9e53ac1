"""The examples in README.md and docs/ run, against the simulator, and say what they claim.

Each example runs as its own program (a subprocess, as a user would run it), with only the
port changed: 8021 becomes the simulator's port, 9000 a free port for the outbound server.
Also: the API reference mentions every public method.
"""
import os
import re
import socket
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import free_port

import ESL
from ESL.sim import Simulator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = 60


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as fh:
        return fh.read()


def readme_blocks():
    return re.findall(r"```python\n(.*?)```", _read("README.md"), re.S)


def rst_python_blocks(name):
    """The bodies of the ``.. code-block:: python`` directives of docs/<name> (without their
    options, such as ``:caption:``)."""
    lines = _read("docs", name).splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == ".. code-block:: python":
            i += 1
            while i < len(lines) and re.match(r"   :\w+:", lines[i]):
                i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("   ")):
                body.append(lines[i])
                i += 1
            blocks.append(textwrap.dedent("\n".join(body)).strip("\n") + "\n")
        else:
            i += 1
    return blocks


def run_example(code, cwd):
    path = os.path.join(cwd, "example.py")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(code)
    return subprocess.run([sys.executable, "-u", path], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=TIMEOUT,
                          env=_env())


def _env():
    # The example imports this checkout's ESL, wherever it runs.
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_readme_has_an_inbound_and_an_outbound_example():
    blocks = readme_blocks()
    assert len(blocks) == 4         # each in the SWIG API, then in the modern one
    assert 'ESLconnection("127.0.0.1", "8021", "ClueCon")' in blocks[0]
    assert "ESLconnection(self.request.fileno())" in blocks[1]
    assert "getInfo()" in blocks[1] and 'execute("answer"' in blocks[1]


@pytest.mark.parametrize("source", ["README.md", "getting-started.rst"])
def test_inbound_example_runs_against_the_simulator(tmp_path, source):
    if source == "README.md":
        code = readme_blocks()[0]
    else:
        code = rst_python_blocks(source)[0]
    assert '"8021"' in code
    with Simulator() as sim:
        result = run_example(code.replace('"8021"', '"%d"' % sim.port), str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "UP 0 years" in result.stdout                       # api("status") output
    # A stock simulator has no user 1000: the background job reports it, and the loop ends.
    assert "originate: -ERR SUBSCRIBER_ABSENT" in result.stdout
    assert "BACKGROUND_JOB" in result.stdout


def _conf_routing_100_to(port, directory):
    with open(os.path.join(directory, "freeswitch.xml"), "w", encoding="utf-8") as fh:
        fh.write("""<document type="freeswitch/xml">
  <section name="dialplan">
    <context name="default">
      <extension name="to_app">
        <condition field="destination_number" expression="^100$">
          <action application="socket" data="127.0.0.1:%d async full"/>
        </condition>
      </extension>
    </context>
  </section>
</document>
""" % port)
    return directory


def _wait_listening(port, proc):
    """True once something accepts on ``port``; False if ``proc`` exited first."""
    for _ in range(400):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def test_readme_outbound_example_handles_a_call_from_the_simulator(tmp_path):
    code = readme_blocks()[1]
    assert "9000" in code
    port = free_port()
    path = tmp_path / "outbound.py"
    path.write_text(code.replace("9000", str(port)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-u", str(path)], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, env=_env())
    try:
        assert _wait_listening(port, proc), "the example's server did not start"
        conf = _conf_routing_100_to(port, str(tmp_path))
        with Simulator(conf) as sim:
            con = ESL.ESLconnection("127.0.0.1", sim.port, "ClueCon")
            reply = con.api("originate", "loopback/100 &park")
            body = reply.getBody()
            con.disconnect()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=TIMEOUT)
    # The handler answered the call, so originate succeeded ...
    assert body.startswith("+OK "), body
    uuid = body[4:].strip()
    # ... and printed the caller and the channel's Unique-ID it got from getInfo().
    assert re.search(r"call from \S+ [0-9a-f-]{36}", out), out
    assert "Traceback" not in out, out
    assert uuid and len(uuid) == 36


@pytest.mark.parametrize("index", range(len(rst_python_blocks("simulator.rst"))))
def test_simulator_page_examples_run(tmp_path, index):
    code = rst_python_blocks("simulator.rst")[index]
    if "\ndef test_" in code:
        # A pytest module (the scripted-caller example): run it as pytest would.
        path = tmp_path / "test_example.py"
        path.write_text(code)
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                 str(path)], cwd=str(tmp_path), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, universal_newlines=True,
                                timeout=TIMEOUT, env=_env())
        assert result.returncode == 0, result.stdout
        assert re.search(r"\b1 passed\b", result.stdout), result.stdout
        return
    result = run_example(code, str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "Traceback" not in result.stdout
    if "originate" in code:
        assert re.search(r"^\+OK [0-9a-f-]{36}$", result.stdout, re.M), result.stdout
        assert "call to 100" in result.stdout
    else:
        assert "UP 0 years" in result.stdout


def _public_methods(cls):
    return sorted(n for n, v in vars(cls).items() if callable(v) and not n.startswith("_"))


@pytest.mark.parametrize("cls", [ESL.ESLconnection, ESL.ESLevent])
def test_api_reference_describes_every_public_method(cls):
    api = _read("docs", "api.rst")
    methods = _public_methods(cls)
    assert len(methods) >= 12
    missing = [m for m in methods if "``%s(" % m not in api]
    assert missing == []


def test_readme_links_point_at_existing_files():
    readme = _read("README.md")
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert links
    missing = [link for link in links if not os.path.exists(os.path.join(ROOT, link))]
    assert missing == []


# -- the modern API's page ---------------------------------------------------------------------

def _modern_blocks(flavour):
    """The modern page's examples of one front end ("sync" or "asyncio")."""
    return [b for b in rst_python_blocks("modern.rst")
            if ("from ESL.asyncio import" in b) == (flavour == "asyncio")]


@pytest.mark.parametrize("flavour", ["sync", "asyncio"])
def test_modern_page_inbound_examples_run_against_the_simulator(tmp_path, flavour):
    from modern import SIM_CONF
    blocks = [b for b in _modern_blocks(flavour) if "8021" in b]
    assert len(blocks) == 3
    assert all("from ESL.%s import connect" % flavour in b for b in blocks)
    with Simulator(SIM_CONF) as sim:
        out = ""
        for code in blocks:
            result = run_example(code.replace("8021", str(sim.port)), str(tmp_path))
            assert result.returncode == 0, result.stdout
            out += result.stdout
    assert "UP 0 years" in out and "refused: -ERR no_such_command" in out
    assert re.search(r"^originate: \+OK [0-9a-f-]{36}$", out, re.M), out
    assert re.search(r"^CHANNEL_HANGUP_COMPLETE [0-9a-f-]{36} NORMAL_CLEARING$", out, re.M), out


@pytest.mark.parametrize("flavour", ["sync", "asyncio"])
def test_modern_page_outbound_example_handles_a_call(tmp_path, flavour):
    from modern import SIM_CONF, originate_to
    code = next(b for b in _modern_blocks(flavour) if "serve(" in b)
    assert "from ESL.%s import serve" % flavour in code
    port = free_port()
    path = tmp_path / "outbound.py"
    path.write_text(code.replace("8040", str(port)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-u", str(path)], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, env=_env())
    try:
        assert _wait_listening(port, proc), "the example's server did not start"
        with Simulator(SIM_CONF) as sim:
            con = ESL.ESLconnection("127.0.0.1", sim.port, "ClueCon")
            con.events("plain", "CHANNEL_HANGUP_COMPLETE")
            body = con.api("originate", originate_to(port)).getBody()
            ev = con.recvEventTimed(10000)
            con.disconnect()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=TIMEOUT)
    assert body.startswith("+OK "), body
    assert ev is not None and ev.getType() == "CHANNEL_HANGUP_COMPLETE"
    assert re.search(r"call from \S+ %s" % body[4:].strip(), out), out
    assert "played: FILE PLAYED" in out and "Traceback" not in out, out


def test_readme_modern_inbound_example_runs_against_the_simulator(tmp_path):
    code = readme_blocks()[2]
    assert "from ESL.sync import connect" in code and "8021" in code
    with Simulator() as sim:
        result = run_example(code.replace("8021", str(sim.port)), str(tmp_path))
    assert result.returncode == 0, result.stdout
    assert "UP 0 years" in result.stdout
    assert "originate failed: -ERR SUBSCRIBER_ABSENT" in result.stdout   # no user 1000 here
    assert "no event for 1 s" in result.stdout


def test_readme_modern_outbound_example_handles_a_call(tmp_path):
    code = readme_blocks()[3]
    assert "serve(handle" in code and "9000" in code
    port = free_port()
    path = tmp_path / "outbound.py"
    path.write_text(code.replace("9000", str(port)), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-u", str(path)], cwd=str(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, env=_env())
    try:
        assert _wait_listening(port, proc), "the example's server did not start"
        with Simulator(_conf_routing_100_to(port, str(tmp_path))) as sim:
            con = ESL.ESLconnection("127.0.0.1", sim.port, "ClueCon")
            con.events("plain", "CHANNEL_HANGUP_COMPLETE")
            body = con.api("originate", "loopback/100 &park").getBody()
            ev = con.recvEventTimed(10000)
            con.disconnect()
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=TIMEOUT)
    assert body.startswith("+OK "), body
    assert ev is not None and ev.getType() == "CHANNEL_HANGUP_COMPLETE"
    assert re.search(r"call from \S+ [0-9a-f-]{36}", out), out
    assert "Traceback" not in out, out


def test_migration_page_same_script_in_both_apis(tmp_path):
    from modern import SIM_CONF
    blocks = rst_python_blocks("migration.rst")[-2:]
    assert "import ESL " in blocks[0] and "from ESL.sync import connect" in blocks[1]
    outputs = []
    with Simulator(SIM_CONF) as sim:
        for code in blocks:
            code = code.replace('"8021"', '"%d"' % sim.port).replace("8021", str(sim.port))
            result = run_example(code, str(tmp_path))
            assert result.returncode == 0, result.stdout
            outputs.append(result.stdout)
    for out in outputs:
        assert "UP 0 years" in out and re.search(r"^originate: \+OK [0-9a-f-]{36}$", out, re.M)
        assert re.search(r"^CHANNEL_ANSWER [0-9a-f-]{36}$", out, re.M), out
