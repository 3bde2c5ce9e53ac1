"""The switch's core database: the ``channels`` and ``calls`` tables and what ``show`` prints.

FreeSWITCH keeps these tables in its core database, written by one event handler
(switch_core_sqldb.c) from the channel events every module fires: CHANNEL_CREATE inserts a row,
state, answer, execute and caller-id events update it, CHANNEL_BRIDGE adds a ``calls`` row,
CHANNEL_DESTROY removes them. ``show channels``/``show calls`` (mod_commands) only read them.
:class:`CoreDB` follows the same events with the same column updates, so what ``show`` prints
is what a real switch would print for the same event history. :func:`render` formats rows as
mod_commands' ``show`` does: comma-separated with a title line, ``as json`` or ``as xml``.
"""
import re
import time
from typing import Dict, List, Optional  # noqa: F401 (type comments)

from ..protocol.server import ServerEvent, json_string, xml_text

__all__ = ["CoreDB", "CHANNEL_COLUMNS", "render", "show"]

#: The ``channels`` table, in its CREATE TABLE order (``select *`` prints them so).
CHANNEL_COLUMNS = [
    "uuid", "direction", "created", "created_epoch", "name", "state", "cid_name", "cid_num",
    "ip_addr", "dest", "application", "application_data", "dialplan", "context", "read_codec",
    "read_rate", "read_bit_rate", "write_codec", "write_rate", "write_bit_rate", "secure",
    "hostname", "presence_id", "presence_data", "accountcode", "callstate", "callee_name",
    "callee_num", "callee_direction", "call_uuid", "sent_callee_name", "sent_callee_num",
    "initial_cid_name", "initial_cid_num", "initial_ip_addr", "initial_dest",
    "initial_dialplan", "initial_context"]

# The views' columns: (column of the A channel, of the B channel).
_BASIC_A = ["uuid", "direction", "created", "created_epoch", "name", "state", "cid_name",
            "cid_num", "ip_addr", "dest", "presence_id", "presence_data", "accountcode",
            "callstate", "callee_name", "callee_num", "callee_direction", "call_uuid",
            "hostname", "sent_callee_name", "sent_callee_num"]
_BASIC_B = [c for c in _BASIC_A if c not in ("call_uuid", "hostname")]
_DETAILED_A = CHANNEL_COLUMNS[:CHANNEL_COLUMNS.index("initial_cid_name")]
_DETAILED_B = _DETAILED_A

REGISTRATION_COLUMNS = ["reg_user", "realm", "token", "url", "expires", "network_ip",
                        "network_port", "network_proto", "hostname", "metadata"]

SHOW_SYNTAX = ("codec|endpoint|application|api|dialplan|file|timer|calls [count]|channels "
               "[count|like <match string>]|calls|detailed_calls|bridged_calls|"
               "detailed_bridged_calls|aliases|complete|chat|management|modules|nat_map|say|"
               "interfaces|interface_types|tasks|limits|status")

Row = Dict[str, str]


class CoreDB:
    """The ``channels``, ``calls`` and ``registrations`` tables, kept from fired events.

    Rows are dicts; a column never written reads as ``""`` (SQL NULL, which ``show`` prints
    empty). Rows keep their insertion order, which is SQLite's order for equal sort keys.
    """

    def __init__(self, switchname: str) -> None:
        self.switchname = switchname
        self.channels = {}        # type: Dict[str, Row]
        self.calls = []           # type: List[Row]
        self.registrations = []   # type: List[Row]

    # -- the event handler (core_event_handler) --------------------------------------------
    def on_event(self, ev: ServerEvent) -> None:
        """Apply one fired event to the tables, as switch_core_sqldb's handler does."""
        # Difference: the tables change with the event itself; FreeSWITCH queues the SQL, so
        # there a new channel can be missing from `show channels` for a moment.
        handler = _HANDLERS.get(ev.type or "")
        if handler is not None:
            handler(self, ev, ev.get("Unique-ID") or "")

    def _update(self, uuid: str, **columns: Optional[str]) -> None:
        row = self.channels.get(uuid)
        if row is not None:
            row.update((k, v or "") for k, v in columns.items())

    def _create(self, ev: ServerEvent, uuid: str) -> None:
        g = ev.get
        self.channels[uuid] = {
            "uuid": uuid, "direction": g("Call-Direction") or "",
            "created": g("Event-Date-Local") or "", "created_epoch": str(int(time.time())),
            "name": g("Channel-Name") or "", "state": g("Channel-State") or "",
            "callstate": g("Channel-Call-State") or "", "dialplan": g("Caller-Dialplan") or "",
            "context": g("Caller-Context") or "", "hostname": self.switchname,
            "initial_cid_name": g("Caller-Caller-ID-Name") or "",
            "initial_cid_num": g("Caller-Caller-ID-Number") or "",
            "initial_ip_addr": g("Caller-Network-Addr") or "",
            "initial_dest": g("Caller-Destination-Number") or "",
            "initial_dialplan": g("Caller-Dialplan") or "",
            "initial_context": g("Caller-Context") or ""}

    def _destroy(self, ev: ServerEvent, uuid: str) -> None:
        self.channels.pop(uuid, None)
        self.calls = [c for c in self.calls if uuid not in (c["caller_uuid"], c["callee_uuid"])]

    def _new_uuid(self, ev: ServerEvent, uuid: str) -> None:
        old = ev.get("Old-Unique-ID") or ""
        if old in self.channels:
            row = self.channels.pop(old)
            row["uuid"] = uuid
            self.channels[uuid] = row
        for row in self.channels.values():
            if row.get("call_uuid") == old:
                row["call_uuid"] = uuid

    def _codecs(self, ev: ServerEvent, uuid: str) -> None:
        g = ev.get
        self._update(uuid, read_codec=g("Channel-Read-Codec-Name"),
                     read_rate=g("Channel-Read-Codec-Rate"),
                     read_bit_rate=g("Channel-Read-Codec-Bit-Rate"),
                     write_codec=g("Channel-Write-Codec-Name"),
                     write_rate=g("Channel-Write-Codec-Rate"),
                     write_bit_rate=g("Channel-Write-Codec-Bit-Rate"))

    def _execute(self, ev: ServerEvent, uuid: str) -> None:
        g = ev.get
        self._update(uuid, application=g("Application"), application_data=g("Application-Data"),
                     presence_id=g("Channel-Presence-ID"), presence_data=g("Channel-Presence-Data"),
                     accountcode=g("variable_accountcode"))

    def _originate(self, ev: ServerEvent, uuid: str) -> None:
        g = ev.get
        self._update(uuid, presence_id=g("Channel-Presence-ID"),
                     presence_data=g("Channel-Presence-Data"),
                     accountcode=g("variable_accountcode"), call_uuid=g("Channel-Call-UUID"))

    def _call_update(self, ev: ServerEvent, uuid: str) -> None:
        g = ev.get
        self._update(uuid, callee_name=g("Caller-Callee-ID-Name"),
                     callee_num=g("Caller-Callee-ID-Number"),
                     sent_callee_name=g("Sent-Callee-ID-Name"),
                     sent_callee_num=g("Sent-Callee-ID-Number"), callee_direction=g("Direction"),
                     cid_name=g("Caller-Caller-ID-Name"), cid_num=g("Caller-Caller-ID-Number"))

    def _callstate(self, ev: ServerEvent, uuid: str) -> None:
        number = ev.get("Channel-Call-State-Number") or "0"
        if number not in ("0", "7"):   # CCS_DOWN and CCS_HANGUP leave the row alone
            self._update(uuid, callstate=ev.get("Channel-Call-State"))

    def _state(self, ev: ServerEvent, uuid: str) -> None:
        g = ev.get
        number = g("Channel-State-Number") or "12"
        if number in ("0", "1", "10", "11", "12"):   # NEW, INIT, HANGUP, REPORTING, DESTROY
            return
        if number == "2":   # CS_ROUTING: the caller profile as routed
            self._update(uuid, state=g("Channel-State"), cid_name=g("Caller-Caller-ID-Name"),
                         cid_num=g("Caller-Caller-ID-Number"),
                         callee_name=g("Caller-Callee-ID-Name"),
                         callee_num=g("Caller-Callee-ID-Number"),
                         sent_callee_name=g("Sent-Callee-ID-Name"),
                         sent_callee_num=g("Sent-Callee-ID-Number"),
                         ip_addr=g("Caller-Network-Addr"), dest=g("Caller-Destination-Number"),
                         dialplan=g("Caller-Dialplan"), context=g("Caller-Context"),
                         presence_id=g("Channel-Presence-ID"),
                         presence_data=g("Channel-Presence-Data"),
                         accountcode=g("variable_accountcode"))
        else:
            self._update(uuid, state=g("Channel-State"))

    def _bridge(self, ev: ServerEvent, uuid: str) -> None:
        g = ev.get
        a_uuid, b_uuid = g("Bridge-A-Unique-ID"), g("Bridge-B-Unique-ID")
        if not a_uuid or not b_uuid:
            a_uuid, b_uuid = g("Caller-Unique-ID") or "", g("Other-Leg-Unique-ID") or ""
        call_uuid = g("Channel-Call-UUID") or ""
        for leg in (a_uuid, b_uuid):
            self._update(leg, call_uuid=call_uuid)
        self.calls.append({"call_uuid": call_uuid, "call_created": g("Event-Date-Local") or "",
                           "call_created_epoch": str(int(time.time())),
                           "caller_uuid": a_uuid, "callee_uuid": b_uuid})

    def _unbridge(self, ev: ServerEvent, uuid: str) -> None:
        call_uuid = ev.get("Channel-Call-UUID") or ""
        for row in self.channels.values():
            if row.get("call_uuid") == call_uuid:
                row["call_uuid"] = row["uuid"]
        caller = ev.get("Caller-Unique-ID") or ""
        self.calls = [c for c in self.calls
                      if caller not in (c["caller_uuid"], c["callee_uuid"])]

    def _shutdown(self, ev: ServerEvent, uuid: str) -> None:
        self.channels.clear()
        self.calls = []

    # -- the views -------------------------------------------------------------------------
    def channel_rows(self, like: Optional[str] = None) -> List[Row]:
        """``select * from channels [where ... like ...] order by created_epoch``."""
        rows = list(self.channels.values())
        if like is not None:
            pattern = _like(like if "%" in like else "%" + like + "%")
            rows = [r for r in rows if any(pattern.match(r.get(c, "")) for c in (
                "uuid", "name", "cid_name", "cid_num", "presence_data", "accountcode"))]
        rows.sort(key=lambda r: int(r["created_epoch"]))
        return [{c: r.get(c, "") for c in CHANNEL_COLUMNS} for r in rows]

    def call_rows(self, detailed: bool = False, bridged_only: bool = False) -> List[Row]:
        """The ``basic_calls`` (or ``detailed_calls``) view: each call once, its A leg first."""
        a_cols, b_cols = (_DETAILED_A, _DETAILED_B) if detailed else (_BASIC_A, _BASIC_B)
        callees = {c["callee_uuid"] for c in self.calls}
        out = []
        for a in self.channels.values():
            joined = [c for c in self.calls if c["caller_uuid"] == a["uuid"]]
            if not joined and a["uuid"] in callees:
                continue
            for call in joined or [None]:
                b = self.channels.get(call["callee_uuid"]) if call else None
                row = {c: a.get(c, "") for c in a_cols}
                row.update(("b_" + c, b.get(c, "") if b else "") for c in b_cols)
                row["call_created_epoch"] = call["call_created_epoch"] if call else ""
                if bridged_only and b is None:
                    continue
                out.append(row)
        if bridged_only:
            out.sort(key=lambda r: int(r["created_epoch"]))
        else:   # SQL NULLs (calls never bridged) sort first
            out.sort(key=lambda r: (r["call_created_epoch"] != "",
                                    int(r["call_created_epoch"] or 0)))
        return out

    def registration_rows(self) -> List[Row]:
        return [{c: r.get(c, "") for c in REGISTRATION_COLUMNS} for r in self.registrations]


_HANDLERS = {
    "CHANNEL_CREATE": CoreDB._create, "CHANNEL_DESTROY": CoreDB._destroy,
    "CHANNEL_UUID": CoreDB._new_uuid, "CHANNEL_ANSWER": CoreDB._codecs,
    "CHANNEL_PROGRESS_MEDIA": CoreDB._codecs, "CODEC": CoreDB._codecs,
    "CHANNEL_HOLD": CoreDB._execute, "CHANNEL_UNHOLD": CoreDB._execute,
    "CHANNEL_EXECUTE": CoreDB._execute, "CHANNEL_ORIGINATE": CoreDB._originate,
    "CALL_UPDATE": CoreDB._call_update, "CHANNEL_CALLSTATE": CoreDB._callstate,
    "CHANNEL_STATE": CoreDB._state, "CHANNEL_BRIDGE": CoreDB._bridge,
    "CHANNEL_UNBRIDGE": CoreDB._unbridge, "SHUTDOWN": CoreDB._shutdown,
}


def _like(pattern: str):
    """SQL LIKE (ASCII case-insensitive, ``%`` and ``_``) as a compiled regular expression."""
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts) + r"\Z", re.I | re.S)


# -- output -------------------------------------------------------------------------------------

def render(rows: List[Row], columns: List[str], as_format: str = "delim", delim: str = ",",
           count: Optional[int] = None) -> str:
    """Print rows as mod_commands' ``show`` does; ``count`` prints only the number of rows.

    ``delim``: a title line then one line per row, values joined by ``delim``, then
    ``\\n<N> total.\\n``. ``json``: one unformatted cJSON object. ``xml``: switch_xml's
    layout, two spaces per level.
    """
    fmt = as_format.lower()
    if fmt in ("delim", "csv"):
        out = []
        if count is None:
            if rows:
                out.append(delim.join(columns) + "\n")
            out.extend(delim.join(r.get(c, "") for c in columns) + "\n" for r in rows)
        out.append("\n%d total.\n" % (len(rows) if count is None else count))
        return "".join(out)
    if fmt == "json":
        # The row array exists once the query returned a row (a count always returns one).
        if count is not None:
            return '{"row_count":%d,"rows":[]}' % count
        if not rows:
            return '{"row_count": 0}\n'
        items = ",".join("{%s}" % ",".join('"%s":"%s"' % (json_string(c), json_string(r.get(c, "")))
                                           for c in columns) for r in rows)
        return '{"row_count":%d,"rows":[%s]}' % (len(rows), items)
    if fmt == "xml":
        if count is not None or not rows:
            return '<result row_count="%d"/>\n' % (count or 0)
        out = ['<result row_count="%d">\n' % len(rows)]
        for number, row in enumerate(rows, 1):
            out.append('  <row row_id="%d">\n' % number)
            out.extend("    <%s>%s</%s>\n" % (c, xml_text(row.get(c, "")), c) for c in columns)
            out.append("  </row>\n")
        out.append("</result>\n")
        return "".join(out)
    return "-ERR Cannot find format %s\n" % as_format


def show(db: CoreDB, arg: str) -> Optional[str]:
    """``show <what> [count] [like X] [as json|xml|delim [D]]`` over the tables.

    Returns None for what these tables do not hold (``status``, interfaces, ...).
    """
    argv = [w for w in arg.split(" ") if w][:6]   # switch_separate_string on ' '
    if not argv:
        return "-USAGE: %s\n" % SHOW_SYNTAX

    def word(i):
        return argv[i] if i < len(argv) else None
    command = argv[0].lower()
    as_format = word(2) if word(2) and (word(1) or "").lower() == "as" else None
    counting = (word(1) or "").lower() == "count"
    if counting and word(2) and word(3) and word(2).lower() == "as":
        as_format = word(3)
    if command == "calls":
        rows, columns = db.call_rows(), _view_columns(_BASIC_A, _BASIC_B)
    elif command == "registrations":
        rows, columns = db.registration_rows(), REGISTRATION_COLUMNS
    elif command == "channels" and (word(1) or "").lower() == "like":
        counting = False
        rows, columns = db.channel_rows(word(2)), CHANNEL_COLUMNS
        if word(2) is not None:
            as_format = word(4) if word(4) and (word(3) or "").lower() == "as" else None
    elif command == "channels":
        rows, columns = db.channel_rows(), CHANNEL_COLUMNS
    elif command in ("detailed_calls", "bridged_calls", "detailed_bridged_calls"):
        counting = False
        detailed = command.startswith("detailed")
        rows = db.call_rows(detailed, bridged_only=command.endswith("bridged_calls"))
        columns = (_view_columns(_DETAILED_A, _DETAILED_B) if detailed
                   else _view_columns(_BASIC_A, _BASIC_B))
    else:
        return None
    delim = ","
    if as_format is None:
        as_format = "delim"
    elif as_format.lower() == "delim" and word(3):
        delim = word(3)
    return render(rows, columns, as_format, delim, len(rows) if counting else None)


def _view_columns(a_cols: List[str], b_cols: List[str]) -> List[str]:
    return a_cols + ["b_" + c for c in b_cols] + ["call_created_epoch"]
