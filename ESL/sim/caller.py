"""A scripted caller: a test places an inbound call, presses keys, hangs up, and waits.

:class:`Call` is what :meth:`Simulator.call <ESL.sim.Simulator.call>` returns. Its methods are
safe from any thread (they run on the switch loop) and never wait longer than asked:
``wait_for`` raises ``TimeoutError`` with the state the call did reach.
"""
import time
from typing import Optional

from .channel import Channel
from .core import Switch

__all__ = ["Call"]

_POLL = 0.01


class Call:
    """One inbound call placed from Python, seen from the caller's phone.

    ``uuid`` is the switch's channel for it (what ``uuid_*`` commands and an outbound socket
    see as ``Unique-ID``).
    """

    def __init__(self, switch: Switch, channel: Channel) -> None:
        self._sw = switch
        self._chan = channel
        self.uuid = channel.uuid

    def __repr__(self) -> str:
        return "<Call %s %s>" % (self.uuid, self.state)

    # -- what the phone does ----------------------------------------------------------------
    def send_dtmf(self, digits: str, duration_ms: int = 250) -> None:
        """Press ``digits`` (``0-9*#A-D``): the switch hears them as DTMF on this channel."""
        samples = max(int(duration_ms), 1) * 8
        self._sw.loop.call(lambda: self._chan.receive_dtmf(digits, samples))

    def hangup(self, cause: str = "NORMAL_CLEARING") -> None:
        """Hang up from the caller's side (the switch sees ``cause``, as for a SIP BYE)."""
        self._sw.loop.call(lambda: self._chan.hangup(cause))

    # -- what the caller can observe --------------------------------------------------------
    @property
    def state(self) -> str:
        """The channel state (``CS_ROUTING``, ``CS_EXECUTE``, ``CS_HANGUP``, ...,
        ``CS_DESTROY`` once gone)."""
        return self._sw.loop.call(lambda: self._chan.running)

    @property
    def call_state(self) -> str:
        """``RINGING``, ``EARLY``, ``ACTIVE``, ``HANGUP``, ..."""
        return self._sw.loop.call(lambda: self._chan.callstate)

    @property
    def answered(self) -> bool:
        """True once the switch answered the call (it stays True after hangup)."""
        return self._sw.loop.call(lambda: "answered" in self._chan.times)

    @property
    def hangup_cause(self) -> Optional[str]:
        """The hangup cause, or None while the call is up."""
        return self._sw.loop.call(lambda: self._chan.hangup_cause)

    def getvar(self, name: str) -> Optional[str]:
        """A channel variable, or None if unset."""
        return self._sw.loop.call(lambda: self._chan.getvar(name))

    def wait_for(self, state: str, timeout: float = 10.0) -> "Call":
        """Wait until the call reaches ``state``; returns self.

        ``state`` is a channel state (``CS_EXECUTE``, ``CS_HANGUP``, ``CS_DESTROY``...), a call
        state (``RINGING``, ``EARLY``, ``ACTIVE``, ``HANGUP``) or ``answered``; a state the
        call has already been through counts (waiting for ``CS_EXECUTE`` after the call
        ended returns at once). Raises ``TimeoutError`` after ``timeout`` seconds.
        """
        want = state.strip().upper()

        def reached() -> bool:
            if want == "ANSWERED":
                return "answered" in self._chan.times
            return want in self._chan.seen
        deadline = time.monotonic() + timeout
        while True:
            if self._sw.loop.call(reached):
                return self
            if time.monotonic() >= deadline:
                raise TimeoutError("call %s did not reach %s within %s s (it is in %s, %s)"
                                   % (self.uuid, state, timeout, self.state, self.call_state))
            time.sleep(_POLL)

    def wait_hangup(self, timeout: float = 10.0) -> Optional[str]:
        """Wait until the call has ended (CS_DESTROY); returns its hangup cause."""
        self.wait_for("CS_DESTROY", timeout)
        return self.hangup_cause
