"""pytest fixtures for tests that need a running simulator.

Use it with ``pytest -p ESL.sim.pytest_plugin`` (or ``pytest_plugins = ["ESL.sim.pytest_plugin"]``
in a top-level conftest), or import the fixture into a test module::

    from ESL.sim.pytest_plugin import esl_sim   # noqa: F401

    def test_status(esl_sim):
        conn = ESL.ESLconnection("127.0.0.1", str(esl_sim.port), "ClueCon")
"""
import pytest

from . import Simulator

__all__ = ["esl_sim", "esl_sim_factory"]


@pytest.fixture
def esl_sim_factory():
    """Returns ``make(conf_dir=None, **kwargs)``, which starts a :class:`Simulator` with those
    arguments (``port=0`` unless given) and returns it; every simulator made is stopped when
    the test ends."""
    made = []

    def make(conf_dir=None, **kwargs):
        kwargs.setdefault("port", 0)
        sim = Simulator(conf_dir, **kwargs).start()
        made.append(sim)
        return sim
    yield make
    for sim in made:
        sim.stop()


@pytest.fixture
def esl_sim(esl_sim_factory):
    """A running stock simulator on 127.0.0.1 and a free port (password ClueCon)."""
    return esl_sim_factory()
