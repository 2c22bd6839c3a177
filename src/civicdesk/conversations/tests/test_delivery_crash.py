"""A delivery worker killed mid-send (the message already `sending`): recovery sends it exactly once."""

from pathlib import Path

import pytest

from civicdesk.testing.processes import migrated_environment, run_django

pytestmark = pytest.mark.slow

SETUP = """
from django.utils import timezone
from civicdesk.cases.models import Direction, Message
from civicdesk.testing.factories import create_agency, create_case
create_agency("311", "Riverbend 311")
case = create_case(email="")
Message.objects.create(case=case, direction=Direction.OUTBOUND, channel="email", subject="Re", body_text="Hello",
                       recipient="pat.resident@example.com", email_message_id="<crash-out@civicdesk.example>",
                       delivery_status="queued", created_at=timezone.now())
"""

DIE_MID_SEND = """
import os, signal
from civicdesk.cases.models import Message
from civicdesk.conversations.tasks import deliver_message
from civicdesk.mail.adapter import EmailAdapter

def die(self, message, account=None):
    os.kill(os.getpid(), signal.SIGKILL)  # the worker dies inside the provider call, after the state went to sending

EmailAdapter.send = die
deliver_message.call(Message.objects.get(channel="email", direction="out").pk)
"""

RECOVER = """
import datetime
from django.utils import timezone
from civicdesk.cases.models import Message
from civicdesk.conversations.tasks import recover_stalled
from civicdesk.mail.adapter import EmailAdapter

sent = []

def send(self, message, account=None):
    sent.append(message.message_id)
    return message.message_id

EmailAdapter.send = send
message = Message.objects.get(channel="email", direction="out")
print("before", message.delivery_status, message.attempts)
recover_stalled.call()  # the attempt's lease has not run out: a live worker may still be sending it
print("leased", len(sent), Message.objects.get(pk=message.pk).delivery_status)
Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1),
                                             created_at=timezone.now() - datetime.timedelta(minutes=10))
recover_stalled.call()
recover_stalled.call()
message.refresh_from_db()
print("after", len(sent), message.delivery_status, message.attempts, message.provider_message_id)
"""


def test_a_delivery_killed_mid_send_is_recovered_and_sent_exactly_once(tmp_path: Path) -> None:
    env = migrated_environment(tmp_path)
    setup = run_django(SETUP, env)
    assert setup.returncode == 0, setup.stderr

    crashed = run_django(DIE_MID_SEND, env)
    assert crashed.returncode == -9, crashed.stderr

    recovered = run_django(RECOVER, env)
    assert recovered.returncode == 0, recovered.stderr
    assert recovered.stdout.strip().splitlines() == [
        "before sending 1",
        "leased 0 sending",
        "after 1 sent 2 <crash-out@civicdesk.example>",
    ]
