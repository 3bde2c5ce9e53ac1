"""The package's layout rules, checked on the source (docs/architecture.rst explains them).

* No import cycle in ``ESL/``: every ``import`` and ``from ... import`` statement of every
  module counts, including those inside functions (a function-level import that closes a
  cycle is still a cycle: it only moves the failure to run time).
* Imports point down the layers; the front ends do not import one another.
* No module grows past the line budget, except the few listed with their reason.
"""
import ast
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The layers, lowest first: a module may import modules of its own layer or of lower ones.
# A module belongs to the entry that is the longest prefix of its name ("ESL" itself only
# matches the package's __init__, so a new top-level module must be given a row here).
LAYERS = (
    ("core", ("ESL.protocol", "ESL.log", "ESL._swig", "ESL.cstring", "ESL.exceptions",
              "ESL._sockopts")),
    ("event", ("ESL.event_names", "ESL.event_model", "ESL.event_parsing", "ESL.event_json",
               "ESL.event")),
    ("clients", ("ESL.connection", "ESL.datastructures", "ESL.protocol.client")),
    ("front ends", ("ESL.sync", "ESL.asyncio", "ESL.sim", "ESL.cli", "ESL.demo", "ESL.__main__",
                    "ESL")),
)
# Front ends that may use another front end: the guided tour runs the simulator and the
# client; ``python -m ESL`` runs the console.
FRONT_END_USES = {("ESL.demo", "ESL"), ("ESL.demo", "ESL.sim"), ("ESL.__main__", "ESL.cli")}

LINE_BUDGET = 700
# Modules allowed past the budget, each with its own ceiling and the reason.
OVER_BUDGET = {
    # ESLconnection is one class: the 1.4.18 SWIG API, ~30 methods each with the C binding's
    # argument checks, logging and docstring; the wire work already lives in ESL.protocol.
    "ESL/connection.py": 900,
    # ClientProtocol is one state machine: reply FIFO, jobs, execute waits and subscriptions
    # share its state and invariants; the command-byte helpers at its end are 50 lines.
    "ESL/protocol/client.py": 1000,
}


# -- reading the source ----------------------------------------------------------------------

def package_modules(root, package):
    """``{dotted module name: path}`` for every .py file of ``package`` under ``root``."""
    modules = {}
    for folder, dirs, files in os.walk(os.path.join(root, package)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                parts = os.path.relpath(path, root)[:-3].split(os.sep)
                if parts[-1] == "__init__":
                    parts.pop()
                modules[".".join(parts)] = path
    return modules


def module_imports(name, path, modules):
    """``(imported module, line)`` for every import statement in the file, at any depth."""
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    is_package = os.path.basename(path) == "__init__.py"
    package = name.split(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # "from X import y" imports the module X.y when there is one, else X itself.
            targets = [source + "." + alias.name if source + "." + alias.name in modules
                       else source for alias in node.names]
        else:
            continue
        for target in targets:
            # "import ESL.a.b" runs ESL.a.b: keep the longest name that is one of ours.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target.split(".")[0] == package:
                found.append((target, node.lineno))
    return found


def import_graph(root, package):
    """``{module: {imported module: first line importing it}}`` for the whole package."""
    modules = package_modules(root, package)
    graph = {}
    for name, path in modules.items():
        edges = graph[name] = {}
        for target, line in module_imports(name, path, modules):
            edges.setdefault(target, line)
    return graph


def import_cycles(graph):
    """Every cycle as a list of modules ``[a, b, ..., a]``: one per strongly connected
    component of more than one module, or a module importing itself."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):        # Tarjan's algorithm; the package is small enough to recurse
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    cycles = []
    for component in components:
        start = min(component)
        if len(component) == 1 and start not in graph[start]:
            continue
        cycles.append(_path_back(graph, component, start))
    return cycles


def _path_back(graph, component, start):
    """A shortest import path from ``start`` back to itself inside ``component``."""
    paths = {start: [start]}
    queue = [start]
    for node in queue:
        for target in sorted(graph[node]):
            if target == start:
                return paths[node] + [start]
            if target in component and target not in paths:
                paths[target] = paths[node] + [target]
                queue.append(target)
    raise AssertionError("no cycle through %s" % start)


def _describe(graph, cycle, root, package):
    modules = package_modules(root, package)
    steps = ["%s (%s:%d)" % (a, os.path.relpath(modules[a], root), graph[a][b])
             for a, b in zip(cycle, cycle[1:])]
    return " -> ".join(steps) + " -> " + cycle[-1]


def layer_of(name):
    """``(rank, entry)``: the layer of a module and the LAYERS entry it matched; None if none."""
    best = None
    for rank, (_title, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or ("." in prefix and name.startswith(prefix + ".")):
                if best is None or len(prefix) > len(best[1]):
                    best = (rank, prefix)
    return best


# -- the rules ---------------------------------------------------------------------------------

def test_no_import_cycle_in_the_package():
    graph = import_graph(ROOT, "ESL")
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(
        _describe(graph, cycle, ROOT, "ESL") for cycle in cycles)


def test_the_scanner_finds_a_cycle_closed_inside_a_function(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from . import b\n")
    (pkg / "b.py").write_text("import os\n\nfrom .sub import c\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("def late():\n    if True:\n        from ..a import x\n")
    (pkg / "solo.py").write_text("import pkg.solo\n")
    graph = import_graph(str(tmp_path), "pkg")
    assert graph["pkg.sub.c"] == {"pkg.a": 3}
    assert graph["pkg.b"] == {"pkg.sub.c": 3}       # os is not ours
    cycles = import_cycles(graph)
    assert sorted(map(tuple, cycles)) == [("pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"),
                                          ("pkg.solo", "pkg.solo")]
    long_cycle = next(cycle for cycle in cycles if len(cycle) > 2)
    assert "pkg.sub.c (pkg/sub/c.py:3) -> pkg.a" in _describe(graph, long_cycle, str(tmp_path),
                                                               "pkg")
    (pkg / "sub" / "c.py").write_text("def late():\n    return 1\n")
    (pkg / "solo.py").write_text("")
    assert import_cycles(import_graph(str(tmp_path), "pkg")) == []


def test_every_module_has_a_layer():
    unplaced = [name for name in import_graph(ROOT, "ESL") if layer_of(name) is None]
    assert not unplaced, ("give these modules a layer in LAYERS (tests/test_layout.py) and in "
                          "docs/architecture.rst: %s" % unplaced)


def test_imports_point_down_the_layers():
    graph = import_graph(ROOT, "ESL")
    front = len(LAYERS) - 1
    wrong = []
    for name, edges in sorted(graph.items()):
        here = layer_of(name)
        if here is None:
            continue        # reported by test_every_module_has_a_layer
        for target in sorted(edges):
            there = layer_of(target)
            if there is None:
                continue
            if there[0] > here[0]:
                wrong.append("%s (%s) imports %s (%s)" % (name, LAYERS[here[0]][0], target,
                                                          LAYERS[there[0]][0]))
            elif (here[0] == there[0] == front and here[1] != there[1]
                  and (here[1], there[1]) not in FRONT_END_USES):
                wrong.append("front end %s imports front end %s" % (name, target))
    assert not wrong, "\n".join(wrong)


def test_layer_of_matches_whole_names():
    assert layer_of("ESL.protocol.framing")[1] == "ESL.protocol"
    assert layer_of("ESL.protocol.client")[1] == "ESL.protocol.client"
    assert layer_of("ESL.event")[1] == "ESL.event"
    assert layer_of("ESL.event_parsing")[1] == "ESL.event_parsing"
    assert layer_of("ESL.sim.core")[1] == "ESL.sim"
    assert layer_of("ESL")[1] == "ESL"
    assert layer_of("ESL.something_new") is None


@pytest.mark.parametrize("name", sorted(package_modules(ROOT, "ESL")))
def test_module_within_the_line_budget(name):
    path = package_modules(ROOT, "ESL")[name]
    rel = os.path.relpath(path, ROOT).replace(os.sep, "/")
    with open(path, encoding="utf-8") as fh:
        lines = sum(1 for _ in fh)
    limit = OVER_BUDGET.get(rel, LINE_BUDGET)
    assert lines <= limit, ("%s has %d lines (budget %d): split it along its seams, or add it "
                            "to OVER_BUDGET with the reason" % (rel, lines, limit))


def test_over_budget_list_names_existing_modules():
    for rel in OVER_BUDGET:
        assert os.path.exists(os.path.join(ROOT, rel)), rel
