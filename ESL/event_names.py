"""The event-name table of the C client and ``name_event``, its case-insensitive lookup.

Type ids are indexes into :data:`EVENT_NAMES`; a few are named here because the event modules
use them. May import only :mod:`ESL.cstring`.
"""
from .cstring import _cbytes, _clen, _lower

# Section 10 of the spec: the client's table (FreeSWITCH master). Index = type id.
EVENT_NAMES = (
    "CUSTOM", "CLONE", "CHANNEL_CREATE", "CHANNEL_DESTROY", "CHANNEL_STATE",
    "CHANNEL_CALLSTATE", "CHANNEL_ANSWER", "CHANNEL_HANGUP", "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_EXECUTE", "CHANNEL_EXECUTE_COMPLETE", "CHANNEL_HOLD", "CHANNEL_UNHOLD",
    "CHANNEL_BRIDGE", "CHANNEL_UNBRIDGE", "CHANNEL_PROGRESS", "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_OUTGOING", "CHANNEL_PARK", "CHANNEL_UNPARK", "CHANNEL_APPLICATION",
    "CHANNEL_ORIGINATE", "CHANNEL_UUID", "API", "LOG", "INBOUND_CHAN", "OUTBOUND_CHAN",
    "STARTUP", "SHUTDOWN", "PUBLISH", "UNPUBLISH", "TALK", "NOTALK", "SESSION_CRASH",
    "MODULE_LOAD", "MODULE_UNLOAD", "DTMF", "MESSAGE", "PRESENCE_IN", "NOTIFY_IN",
    "PRESENCE_OUT", "PRESENCE_PROBE", "MESSAGE_WAITING", "MESSAGE_QUERY", "ROSTER", "CODEC",
    "BACKGROUND_JOB", "DETECTED_SPEECH", "DETECTED_TONE", "PRIVATE_COMMAND", "HEARTBEAT",
    "TRAP", "ADD_SCHEDULE", "DEL_SCHEDULE", "EXE_SCHEDULE", "RE_SCHEDULE", "RELOADXML",
    "NOTIFY", "PHONE_FEATURE", "PHONE_FEATURE_SUBSCRIBE", "SEND_MESSAGE", "RECV_MESSAGE",
    "REQUEST_PARAMS", "CHANNEL_DATA", "GENERAL", "COMMAND", "SESSION_HEARTBEAT",
    "CLIENT_DISCONNECTED", "SERVER_DISCONNECTED", "SEND_INFO", "RECV_INFO",
    "RECV_RTCP_MESSAGE", "SEND_RTCP_MESSAGE", "CALL_SECURE", "NAT", "RECORD_START",
    "RECORD_STOP", "PLAYBACK_START", "PLAYBACK_STOP", "CALL_UPDATE", "FAILURE", "SOCKET_DATA",
    "MEDIA_BUG_START", "MEDIA_BUG_STOP", "CONFERENCE_DATA_QUERY", "CONFERENCE_DATA",
    "CALL_SETUP_REQ", "CALL_SETUP_RESULT", "CALL_DETAIL", "DEVICE_STATE", "TEXT",
    "SHUTDOWN_REQUESTED", "ALL",
)
CUSTOM, CLONE, MESSAGE = 0, 1, 37
SERVER_DISCONNECTED, SOCKET_DATA = 68, 81
_TYPE_IDS = {name.lower(): i for i, name in reversed(list(enumerate(EVENT_NAMES)))}


def name_event(name):
    """Return the type id for ``name`` (C ``esl_name_event``), or None if unknown."""
    try:
        return _named[name]
    except KeyError:
        pass
    etype = _name_event(name)
    if len(name) <= 64:
        if len(_named) >= 512:      # received names are few; others must not pile up
            _named.clear()
        _named[name] = etype
    return etype


_named = {}


def _name_event(name):
    """``name_event`` without the memo.

    A name matches a table entry case-insensitively, or when it is longer than 13 bytes and its
    part after the first 13 bytes matches (meant for the ``SWITCH_EVENT_`` prefix).
    """
    found = _TYPE_IDS.get(_lower(name))
    if len(name) > 13 or _clen(name) > 13:
        tail = _cbytes(name)[13:]
        if tail.isascii():
            alt = _TYPE_IDS.get(tail.decode("ascii").lower())
            if alt is not None and (found is None or alt < found):
                found = alt
    return found
