"""Telephony sits beside the domain core: it never imports the conversation layer or the staff pages (the
pipeline calls into it, the inbox shows its calls)."""

from civicdesk.core.tests.test_import_graph import import_graph, project_modules


def test_telephony_imports_neither_the_conversation_layer_nor_the_uis():
    above = ("civicdesk.conversations", "civicdesk.inbox", "civicdesk.portal", "civicdesk.api")
    graph = import_graph(project_modules())
    upward = {(name, target) for name, targets in graph.items() if name.startswith("civicdesk.telephony.")
              for target in targets if target.startswith(above)}
    assert upward == set()
