"""The project's modules import without circles: every module imports, and the import graph has no cycle."""

import ast
import importlib
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # src/civicdesk


def project_modules() -> dict[str, Path]:
    """Every non-test, non-migration module of the project, by dotted name."""
    found = {}
    for path in PACKAGE_ROOT.rglob("*.py"):
        parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
        if "migrations" in parts or "tests" in parts:
            continue
        name = ".".join(parts).removesuffix(".__init__")
        found[name] = path
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports, counting imports inside functions too (they close circles)."""
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            graph[name] |= {target for target in targets if target in modules and target != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_module_imports():
    for name in project_modules():
        if name.endswith(("wsgi", "asgi", "__main__")):
            continue
        importlib.import_module(name)


def test_there_is_no_import_circle_among_the_project_modules():
    assert circles(import_graph(project_modules())) == []


def test_the_circle_finder_sees_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_channel_layer_imports_nothing_from_cases_or_contacts():
    graph = import_graph(project_modules())
    upward = {(name, target) for name, targets in graph.items() if name.startswith("civicdesk.channels.models")
              for target in targets if target.startswith(("civicdesk.cases", "civicdesk.contacts"))}
    assert upward == set()


BELOW_THE_CHANNEL_LAYER = ("civicdesk.channels", "civicdesk.core", "civicdesk.agencies")


def test_the_channel_layer_is_the_bottom_it_imports_only_core_and_agencies():
    graph = import_graph(project_modules())
    upward = {(name, target) for name, targets in graph.items()
              if name.startswith("civicdesk.channels.") and ".tests." not in name and ".migrations." not in name
              for target in targets
              if target.startswith("civicdesk.") and not target.startswith(BELOW_THE_CHANNEL_LAYER)}
    assert upward == set()


def test_the_domain_core_never_imports_the_conversation_layer_or_the_uis():
    above = ("civicdesk.conversations", "civicdesk.inbox", "civicdesk.api", "civicdesk.portal", "civicdesk.open311",
             "civicdesk.mail", "civicdesk.notifications")
    graph = import_graph(project_modules())
    upward = {(name, target) for name, targets in graph.items()
              if name.startswith(("civicdesk.cases.", "civicdesk.contacts.", "civicdesk.agencies."))
              and ".tests." not in name for target in targets if target.startswith(above)}
    assert upward == set()


BELOW_NOTIFICATIONS = ("civicdesk.channels.", "civicdesk.cases.", "civicdesk.contacts.", "civicdesk.agencies.",
                       "civicdesk.conversations.", "civicdesk.mail.", "civicdesk.inbox.", "civicdesk.core.")


def test_notifications_sit_above_the_desk_the_layers_below_never_import_them():
    """Cases and conversations publish events (cases.events) that notifications subscribe to; the inbox shows the
    bell through an optional fragment. None of them imports notifications."""
    graph = import_graph(project_modules())
    upward = {(name, target) for name, targets in graph.items() if name.startswith(BELOW_NOTIFICATIONS)
              for target in targets if target.startswith("civicdesk.notifications")}
    assert upward == set()
