"""The one registry of inbound-text hooks: exactly these hooks, answers asked before commands."""

from civicdesk.conversations.inbound_hooks import Stage, hooks
from civicdesk.crisis.sms_commands import claim_text
from civicdesk.satisfaction.sms_answers import take_sms_answer


def test_the_hooks_are_exactly_these_answers_first():
    assert hooks() == ((Stage.ANSWER, take_sms_answer), (Stage.COMMAND, claim_text))
