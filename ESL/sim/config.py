"""Reading a FreeSWITCH XML configuration directory, as FreeSWITCH itself would.

Only what the simulator needs: the pre-processor (``X-PRE-PROCESS`` include/set and ``$${var}``
expansion), ``event_socket.conf``, ``switch.conf``, ``acl.conf``, the directory (for
``userauth``) and the XML dialplan. Without a directory the defaults of a stock install apply.
"""
import glob
import ipaddress
import os
import re
import socket
import xml.etree.ElementTree as ET
from typing import Dict, List, Optional, Tuple

__all__ = ["Config", "ConfigError", "Acl", "Dialplan", "DirectoryUser", "SofiaProfile"]


class ConfigError(Exception):
    """The configuration directory cannot be read or parsed."""


_PRE = re.compile(r"<X-PRE-PROCESS\s+cmd=\"([^\"]*)\"\s+data=\"([^\"]*)\"\s*/>", re.I)
_VAR = re.compile(r"\$\$\{([^}]*)\}")
_XMLDECL = re.compile(r"<\?xml[^>]*\?>")
_INCLUDE_TAG = re.compile(r"</?include\s*>")


def _default_vars(conf_dir: str) -> Dict[str, str]:
    host = socket.gethostname()
    return {
        "hostname": host, "switch_serial": "", "local_ip_v4": "127.0.0.1",
        "local_mask_v4": "255.0.0.0", "local_ip_v6": "::1", "conf_dir": conf_dir,
        "base_dir": os.path.dirname(conf_dir), "domain": host, "domain_name": host,
    }


class _Preprocessor:
    """Textual pre-processing with FreeSWITCH's rules: include paths are relative to the
    configuration directory and may be glob patterns; ``set`` defines ``$${name}``."""

    def __init__(self, conf_dir: str) -> None:
        self.conf_dir = conf_dir
        self.vars = _default_vars(conf_dir)
        self._depth = 0

    def file(self, path: str) -> str:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                text = fh.read()
        except OSError as exc:
            raise ConfigError("cannot read %s: %s" % (path, exc))
        return self.text(_XMLDECL.sub("", text))

    def text(self, text: str) -> str:
        text = _strip_comments(text)
        out = []
        pos = 0
        for match in _PRE.finditer(text):
            out.append(self._expand(text[pos:match.start()]))
            pos = match.end()
            cmd, data = match.group(1).lower(), self._expand(match.group(2))
            if cmd == "include":
                out.append(self._include(data))
            elif cmd in ("set", "env-set", "exec-set", "stun-set"):
                name, _, value = data.partition("=")
                if cmd != "exec-set":   # never run commands from a config file
                    self.vars[name.strip()] = value.strip()
        out.append(self._expand(text[pos:]))
        return "".join(out)

    def _expand(self, text: str) -> str:
        return _VAR.sub(lambda m: self.vars.get(m.group(1), ""), text)

    def _include(self, pattern: str) -> str:
        if self._depth > 20:
            raise ConfigError("include nesting too deep at %s" % pattern)
        full = pattern if os.path.isabs(pattern) else os.path.join(self.conf_dir, pattern)
        parts = []
        self._depth += 1
        try:
            for path in sorted(glob.glob(full)):
                parts.append(_INCLUDE_TAG.sub("", self.file(path)))
        finally:
            self._depth -= 1
        return "".join(parts)


def _strip_comments(text: str) -> str:
    # FreeSWITCH ignores pre-process tags inside comments; dropping comments is simplest.
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def _params(elem: Optional[ET.Element], tag: str = "param") -> List[Tuple[str, str]]:
    if elem is None:
        return []
    return [(p.get("name", ""), p.get("value", "")) for p in elem.findall(tag)]


class Acl:
    """Network lists (acl.conf) plus the built-in ``loopback.auto`` and ``localnet.auto``."""

    def __init__(self) -> None:
        # name -> (default_allow, [(network, allow)])
        self.lists = {}   # type: Dict[str, Tuple[bool, List[Tuple[object, bool]]]]
        self.add_list("loopback.auto", False, [
            (ipaddress.ip_network("127.0.0.0/8"), True), (ipaddress.ip_network("::1/128"), True)])
        # Difference: FreeSWITCH derives localnet.auto from the host's interface; we allow the
        # private ranges and loopback.
        self.add_list("localnet.auto", False, [
            (ipaddress.ip_network(n), True) for n in
            ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "::1/128")])

    def add_list(self, name: str, default_allow: bool, nodes: List[Tuple[object, bool]]) -> None:
        self.lists[name.lower()] = (default_allow, nodes)

    def allows(self, name: str, ip: str) -> bool:
        """True if ``ip`` passes list ``name`` (or the literal CIDR ``name``).

        The most specific matching node decides; no match gives the list default. An
        unknown list that is not a CIDR denies.
        """
        try:
            addr = ipaddress.ip_address(ip.split("%")[0])
        except ValueError:
            return False
        if getattr(addr, "ipv4_mapped", None):
            addr = addr.ipv4_mapped
        entry = self.lists.get(name.lower())
        if entry is None:
            try:
                return addr in ipaddress.ip_network(name, strict=False)
            except ValueError:
                return False
        default, nodes = entry
        best = None   # type: Optional[Tuple[int, bool]]
        for net, allow in nodes:
            if addr.version == net.version and addr in net:
                if best is None or net.prefixlen > best[0]:
                    best = (net.prefixlen, allow)
        return default if best is None else best[1]


class DirectoryUser:
    """A user of the XML directory with the parameters and variables collected
    domain → group → user (later wins)."""

    def __init__(self, user_id: str, domain: str, params: Dict[str, str],
                 variables: Optional[Dict[str, str]] = None) -> None:
        self.id = user_id
        self.domain = domain
        self.params = params
        self.variables = variables or {}

    def param(self, name: str) -> Optional[str]:
        return self.params.get(name.lower())


class SofiaProfile:
    """A ``<profile>`` of ``sofia.conf``: its name, settings, gateways and aliases."""

    def __init__(self, elem: ET.Element) -> None:
        self.name = elem.get("name", "")
        self.settings = dict(_params(elem.find("settings")))
        gateways = elem.find("gateways")
        #: gateway name -> its parameters
        self.gateways = {gw.get("name", ""): dict(_params(gw))
                         for gw in (gateways.findall("gateway") if gateways is not None else [])}
        aliases = elem.find("aliases")
        self.aliases = [a.get("name", "") for a in
                        (aliases.findall("alias") if aliases is not None else [])]

    @property
    def url(self) -> str:
        """The profile's own SIP URL, as ``sofia status`` prints it."""
        ip = self.settings.get("sip-ip", "127.0.0.1")
        host = "[%s]" % ip if ":" in ip else ip
        return "sip:mod_sofia@%s:%s" % (host, self.settings.get("sip-port", "5060"))

    @property
    def address(self) -> str:
        """``sip-ip:sip-port`` where the profile listens (a call there comes back in)."""
        return "%s:%s" % (self.settings.get("sip-ip", "127.0.0.1"),
                          self.settings.get("sip-port", "5060"))


class Dialplan:
    """The XML dialplan: contexts of extensions of conditions (mod_dialplan_xml rules)."""

    def __init__(self, root: Optional[ET.Element]) -> None:
        self.contexts = {}   # type: Dict[str, ET.Element]
        if root is not None:
            for ctx in root.iter("context"):
                self.contexts.setdefault(ctx.get("name", ""), ctx)

    def route(self, context: str, fields: Dict[str, str],
              getvar=None, trace=None) -> List[Tuple[str, str]]:
        """Return the ``(application, data)`` list the dialplan builds for a call.

        ``fields`` holds caller-profile fields (``destination_number``, ...); ``getvar``
        resolves ``${var}`` field names. An unknown context gives an empty list. ``trace``,
        if given, is called as ``trace(text, function, line)`` with each line of
        mod_dialplan_xml's hunt log (extension parsed, regex PASS/FAIL, action).
        """
        ctx = self.contexts.get(context)
        if ctx is None:
            return []
        trace = trace or (lambda text, func, line: None)
        apps = []   # type: List[Tuple[str, str]]
        for ext in ctx.findall("extension"):
            cont = ext.get("continue")
            trace("parsing [%s->%s] continue=%s" % (context, ext.get("name") or "UNKNOWN",
                                                    cont or "false"), "dialplan_hunt", 705)
            matched = self._extension(ext, fields, getvar, apps, trace)
            if matched and (cont or "false").lower() != "true":
                break
        return apps

    def _extension(self, ext, fields, getvar, apps, trace) -> bool:
        # As mod_dialplan_xml: the extension matched if the last condition evaluated passed.
        ok = False
        name = ext.get("name") or "UNKNOWN"
        for cond in ext.findall("condition"):
            brk_text = cond.get("break")
            brk = (brk_text or "on-false").lower()
            ok, groups = self._test(cond, fields, getvar)
            field = cond.get("field")
            if field is None or cond.get("expression") is None:
                trace("Absolute Condition [%s]" % name, "parse_exten", 441)
            else:
                value = groups.string if groups is not None else self._value(field, fields,
                                                                              getvar)
                trace("Regex (%s) [%s] %s(%s) =~ /%s/ break=%s" % (
                    "PASS" if ok else "FAIL", name, field, value, cond.get("expression"),
                    brk_text or "on-false"), "parse_exten", 419 if ok else 430)
            tag = "action" if ok else "anti-action"
            for act in cond.findall(tag):
                data = act.get("data", "")
                if groups is not None:
                    data = re.sub(r"\$(\d)", lambda m: _group(groups, int(m.group(1))), data)
                trace("%s %s(%s) %s" % ("Action" if ok else "ANTI-Action",
                                         act.get("application", ""), data,
                                         "INLINE" if act.get("inline") == "true" else ""),
                      "parse_exten", 566 if ok else 499)
                apps.append((act.get("application", ""), data))
            if (ok and brk == "on-true") or (not ok and brk == "on-false") or brk == "always":
                break
        return ok

    @staticmethod
    def _value(field, fields, getvar) -> str:
        if field.startswith("${") and field.endswith("}"):
            return (getvar(field[2:-1]) if getvar else None) or ""
        return fields.get(field, "")

    @staticmethod
    def _test(cond, fields, getvar):
        field = cond.get("field")
        expr = cond.get("expression")
        if field is None or expr is None:
            return True, None
        value = Dialplan._value(field, fields, getvar)
        try:
            match = re.search(expr, value)
        except re.error:
            return False, None
        return (match is not None), match


def _group(match, n: int) -> str:
    try:
        return match.group(n) or ""
    except IndexError:
        return ""


class Config:
    """Everything the simulator reads from a configuration directory (or the defaults).

    Attributes: ``listen_ip``, ``listen_port``, ``password``, ``inbound_acls`` (list of
    names), ``acl`` (:class:`Acl`), ``heartbeat_interval`` (s), ``max_sessions``,
    ``sessions_per_second``, ``dialplan`` (:class:`Dialplan`), ``vars`` (global variables),
    ``sofia_profiles`` (name -> :class:`SofiaProfile`).
    """

    def __init__(self) -> None:
        self.listen_ip = "127.0.0.1"
        self.listen_port = 8021
        self.password = "ClueCon"
        self.inbound_acls = []   # type: List[str]
        self.acl = Acl()
        self.heartbeat_interval = 20.0
        self.max_sessions = 1000
        self.sessions_per_second = 30
        self.dialplan = Dialplan(None)
        self.vars = _default_vars("")
        self._directory = None   # type: Optional[ET.Element]
        self.sofia_profiles = []   # type: List[SofiaProfile]

    @classmethod
    def load(cls, conf_dir: Optional[str]) -> "Config":
        """Read ``conf_dir/freeswitch.xml``; None gives a stock install's defaults."""
        cfg = cls()
        if conf_dir is None:
            cfg.inbound_acls = ["loopback.auto"]
            return cfg
        conf_dir = os.path.abspath(conf_dir)
        main = os.path.join(conf_dir, "freeswitch.xml")
        pre = _Preprocessor(conf_dir)
        text = pre.file(main)
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise ConfigError("%s: %s" % (main, exc))
        cfg.vars = pre.vars
        cfg._apply(root)
        return cfg

    def _section(self, root: ET.Element, name: str) -> Optional[ET.Element]:
        for sec in root.findall("section"):
            if sec.get("name") == name:
                return sec
        return None

    def _configuration(self, root: ET.Element, name: str) -> Optional[ET.Element]:
        sec = self._section(root, "configuration")
        if sec is None:
            return None
        for conf in sec.iter("configuration"):
            if conf.get("name") == name:
                return conf
        return None

    def _apply(self, root: ET.Element) -> None:
        es = self._configuration(root, "event_socket.conf")
        if es is not None:
            for name, value in _params(es.find("settings")):
                if name == "listen-ip":
                    self.listen_ip = value
                elif name == "listen-port":
                    try:
                        self.listen_port = int(value)
                    except ValueError:
                        raise ConfigError("bad listen-port %r" % value)
                elif name == "password":
                    self.password = value
                elif name == "apply-inbound-acl":
                    self.inbound_acls.append(value)
        if not self.inbound_acls:
            self.inbound_acls = ["loopback.auto"]
        sw = self._configuration(root, "switch.conf")
        if sw is not None:
            for name, value in _params(sw.find("settings")):
                try:
                    if name == "event-heartbeat-interval":
                        self.heartbeat_interval = float(value)
                    elif name == "max-sessions":
                        self.max_sessions = int(value)
                    elif name == "sessions-per-second":
                        self.sessions_per_second = int(value)
                except ValueError:
                    raise ConfigError("bad %s %r in switch.conf" % (name, value))
        self._directory = self._section(root, "directory")
        acl = self._configuration(root, "acl.conf")
        if acl is not None:
            lists = acl.find("network-lists")
            for lst in (lists.findall("list") if lists is not None else []):
                self._add_acl_list(lst)
        self.dialplan = Dialplan(self._section(root, "dialplan"))
        sofia = self._configuration(root, "sofia.conf")
        profiles = sofia.find("profiles") if sofia is not None else None
        for prof in (profiles.findall("profile") if profiles is not None else []):
            self.sofia_profiles.append(SofiaProfile(prof))

    def _add_acl_list(self, lst: ET.Element) -> None:
        nodes = []   # type: List[Tuple[object, bool]]
        for node in lst.findall("node"):
            allow = node.get("type", "allow").lower() == "allow"
            cidrs = []
            if node.get("cidr"):
                cidrs = [c.strip() for c in node.get("cidr", "").split(",") if c.strip()]
            elif node.get("host") and node.get("mask"):
                cidrs = ["%s/%s" % (node.get("host"), node.get("mask"))]
            elif node.get("domain"):
                cidrs = self._domain_cidrs(node.get("domain", ""))
            for cidr in cidrs:
                try:
                    nodes.append((ipaddress.ip_network(cidr, strict=False), allow))
                except ValueError:
                    raise ConfigError("bad cidr %r in acl list %s" % (cidr, lst.get("name")))
        default = lst.get("default", "deny").lower() == "allow"
        self.acl.add_list(lst.get("name", ""), default, nodes)

    def _domain_cidrs(self, domain: str) -> List[str]:
        out = []
        dom = self._find_domain(domain)
        if dom is not None:
            for user in dom.iter("user"):
                if user.get("cidr"):
                    out.extend(c.strip() for c in user.get("cidr", "").split(","))
        return out

    def _find_domain(self, name: str) -> Optional[ET.Element]:
        if self._directory is None:
            return None
        for dom in self._directory.iter("domain"):
            if dom.get("name", "").lower() == name.lower():
                return dom
        return None

    def find_user(self, user: str, domain: str) -> Optional[DirectoryUser]:
        """Look a user up in the directory; None if the domain or user does not exist.

        Parameters are collected from the domain, then the group, then the user (later
        wins), names lower-cased.
        """
        dom = self._find_domain(domain)
        if dom is None:
            return None
        found = None
        for group in dom.iter("group"):
            for u in group.iter("user"):
                if u.get("id") == user:
                    found = (group, u)
                    break
            if found:
                break
        if found is None:
            for u in dom.iter("user"):
                if u.get("id") == user:
                    found = (None, u)
                    break
        if found is None:
            return None
        params = {}   # type: Dict[str, str]
        variables = {}   # type: Dict[str, str]
        for elem in (dom, found[0], found[1]):
            if elem is not None:
                for name, value in _params(elem.find("params")):
                    params[name.lower()] = value
                for var in (elem.find("variables").findall("variable")
                            if elem.find("variables") is not None else []):
                    variables[var.get("name", "")] = var.get("value", "")
        return DirectoryUser(user, dom.get("name", domain), params, variables)

    def directory_users(self):
        """Every user of the directory, in document order, as ``(domain, group, user)``
        elements (``group`` is None for a user outside groups)."""
        if self._directory is None:
            return
        for dom in self._directory.iter("domain"):
            groups = dom.find("groups")
            if groups is not None:
                for group in groups.findall("group"):
                    for users in group.findall("users"):
                        for user in users.findall("user"):
                            yield dom, group, user
            else:
                for users in dom.findall("users"):
                    for user in users.findall("user"):
                        yield dom, None, user
