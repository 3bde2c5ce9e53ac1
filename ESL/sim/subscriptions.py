"""What an event-socket connection has asked to receive: event types, CUSTOM subclasses,
filters and the event permissions of a ``userauth`` login (mod_event_socket's rules).

:class:`EventSubscriber` is the part of a :class:`~ESL.sim.listener.Listener` that answers
``event``, ``nixevent``, ``filter`` and decides, per fired event, whether the connection gets it.
Imports only the protocol core.
"""
import re
from typing import List, Optional, Set, Tuple  # noqa: F401

from ..protocol import server as proto
from ..protocol.server import ServerEvent, event_type_from_name

__all__ = ["EventSubscriber", "MYEVENTS", "permission_events"]

MYEVENTS = ("CHANNEL_ANSWER CHANNEL_APPLICATION CHANNEL_BRIDGE CHANNEL_CREATE CHANNEL_DATA "
             "CHANNEL_DESTROY CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE CHANNEL_HANGUP "
             "CHANNEL_HANGUP_COMPLETE CHANNEL_ORIGINATE CHANNEL_UUID CHANNEL_OUTGOING "
             "CHANNEL_PARK CHANNEL_PROGRESS CHANNEL_PROGRESS_MEDIA CHANNEL_STATE "
             "CHANNEL_UNBRIDGE CHANNEL_UNPARK DETECTED_SPEECH DTMF NOTALK TALK").split()
_ALL_TYPES = [n for n in proto.EVENT_NAMES if n != "ALL"]


class EventSubscriber:
    """Subscription state and commands of one connection (a mixin of the Listener).

    The listener sets these attributes in its constructor: ``events_on``, ``events``,
    ``all_custom``, ``subclasses``, ``filters``, ``myevents``, ``my_uuid``, ``allowed_events``,
    ``finished``; it provides ``_push(item)``.
    """

    def offer_event(self, event: ServerEvent) -> None:
        """Queue ``event`` for this connection if it is subscribed and passes the filters."""
        if not self.events_on or self.finished:
            return
        etype = event.type or event.get("Event-Name") or "CUSTOM"
        if self.myevents and self.my_uuid:
            if (event.get("Unique-ID") != self.my_uuid
                    and event.get("Job-Owner-UUID") != self.my_uuid):
                return
        if etype not in self.events:
            return
        if etype == "CUSTOM" and event.subclass and not self.all_custom \
                and event.subclass not in self.subclasses:
            return
        if self.filters and not self._passes_filters(event):
            return
        self._push(("event", event.copy()))

    # -- filters ---------------------------------------------------------------------------
    def _passes_filters(self, event: ServerEvent) -> bool:
        send = False
        for name, raw in self.filters:
            have = event.get(name)
            if have is None:
                continue
            value = raw.lstrip("+- ")
            positive = not raw.lstrip(" ").startswith("-")
            if send and positive:
                continue
            if raw.startswith("/"):
                match = _regex_match(raw, have)
            else:
                match = value.lower() == have.lower()
            if match:
                if positive:
                    send = True
                else:
                    return False
        return send

    def _filter(self, line: str) -> str:
        rest = line[7:].lstrip(" ")
        name, sp, value = rest.partition(" ")
        val = value if sp else None
        if name.lower() == "delete" and val is not None:
            name, sp, value = val.partition(" ")
            val = value if sp else None
            if name.lower() == "all":
                self.filters = []
            else:
                self.filters = [f for f in self.filters
                                if not (f[0].lower() == name.lower()
                                        and (val is None or f[1] == val))]
            return "+OK filter deleted. [%s][%s]" % (name, val or "")
        if val is None:
            return "-ERR invalid syntax"
        if name.lower() == "add":
            name, sp, value = val.partition(" ")
            if not sp:
                return "-ERR invalid syntax"
            val = value
        self.filters.append((name, val))
        return "+OK filter added. [%s]=[%s]" % (name, val)

    def _tokens(self, line: str) -> List[str]:
        _, sp, rest = line.partition(" ")
        return [t for t in rest.split(" ") if t] if sp else []

    def _event(self, line: str) -> str:
        tokens = self._tokens(line)
        if tokens and tokens[0].lower() in ("plain", "json", "xml"):
            self.fmt = tokens.pop(0).lower()
        custom = False
        count = 0
        for tok in tokens:
            if custom:
                if not self._may_subscribe("CUSTOM", tok):
                    return "-ERR permission denied"
                self.subclasses.add(tok)
                continue
            etype = event_type_from_name(tok)
            if etype is None:
                continue
            if not self._may_subscribe(etype, None):
                return "-ERR permission denied"
            count += 1
            self.events_on = True
            if etype == "ALL":
                self.events |= set(_ALL_TYPES)
                self.all_custom = True
            else:
                self.events.add(etype)
                if etype == "CUSTOM":
                    custom = True
        if not count:
            return "-ERR no keywords supplied"
        return "+OK event listener enabled %s" % self.fmt

    def _may_subscribe(self, etype: str, subclass: Optional[str]) -> bool:
        if self.allowed_events is None:
            return True
        types, subs, everything = self.allowed_events
        if everything:
            return True
        if subclass is not None:
            return subclass in subs
        if etype == "ALL":
            return False
        return etype in types

    def _nixevent(self, line: str) -> str:
        custom = False
        count = 0
        for tok in self._tokens(line):
            if custom:
                self.subclasses.discard(tok)
                continue
            etype = event_type_from_name(tok)
            if etype is None:
                continue
            count += 1
            if etype == "ALL":
                self.events = set()
                self.subclasses = set()
                self.all_custom = False
            else:
                self.events.discard(etype)
                if etype == "CUSTOM":
                    custom = True
        return "+OK events nixed" if count else "-ERR no keywords supplied"


def permission_events(spec: str) -> Tuple[Set[str], Set[str], bool]:
    sep = " " if " " in spec else ","
    types, subs = set(), set()
    custom = False
    everything = False
    for item in (x.strip() for x in spec.split(sep)):
        if not item:
            continue
        if custom:
            subs.add(item)
            continue
        etype = event_type_from_name(item)
        if etype == "ALL":
            everything = True
        elif etype is not None:
            types.add(etype)
            custom = custom or etype == "CUSTOM"
    return types, subs, everything


def _regex_match(raw: str, value: str) -> bool:
    # "/re/flags": PCRE-like unanchored search; i = caseless, s = dotall.
    end = raw.rfind("/")
    if end <= 0:
        return False
    flags = 0
    for f in raw[end + 1:]:
        if f == "i":
            flags |= re.I
        elif f == "s":
            flags |= re.S
    try:
        return re.search(raw[1:end], value, flags) is not None
    except re.error:
        return False
