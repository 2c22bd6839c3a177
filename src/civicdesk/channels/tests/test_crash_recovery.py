"""A worker killed in the middle of applying a message leaves no trace; recovery then applies it once."""

from pathlib import Path

import pytest

from civicdesk.testing.processes import migrated_environment, run_django

pytestmark = pytest.mark.slow

SETUP = """
from civicdesk.agencies.models import Agency
from civicdesk.channels.payloads import store_payload
Agency.objects.create(slug="311", name="311")
payload, _ = store_payload("web", b"{}", provider_message_id="crash-1")
print(payload.pk)
"""

DIE_MID_APPLY = """
import os, signal
from civicdesk.cases import models
from civicdesk.conversations.pipeline import apply, prepare
from civicdesk.channels.models import InboundPayload
from civicdesk.channels.events import InboundAttachment, InboundMessage, SenderIdentity

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # the worker dies after the case and message rows were written

models.Attachment.objects.create = die
payload = InboundPayload.objects.get(provider_message_id="crash-1")
apply(payload, [prepare(InboundMessage(channel="web", provider_message_id="crash-1",
      sender=SenderIdentity("email", "crash@example.com"), subject="Crash",
      attachments=[InboundAttachment("a.txt", "text/plain", b"x")]))])
"""

RECOVER = """
import datetime
from django.utils import timezone
from civicdesk.channels.models import InboundPayload
from civicdesk.conversations.tasks import recover_stalled
from civicdesk.cases.models import Case, Message
from civicdesk.channels.registry import get_adapter
from civicdesk.channels.events import InboundMessage, SenderIdentity
import civicdesk.portal.adapter as web

def parse(self, raw, meta):
    return [InboundMessage(channel="web", provider_message_id="crash-1",
                           sender=SenderIdentity("email", "crash@example.com"), subject="Crash")]

web.WebAdapter.parse = parse
print("before", Case.objects.count(), Message.objects.count(), InboundPayload.objects.get().status)
InboundPayload.objects.update(received_at=timezone.now() - datetime.timedelta(minutes=10))
recover_stalled.call()
recover_stalled.call()
print("after", Case.objects.count(), Message.objects.filter(direction="in").count(),
      InboundPayload.objects.get().status)
"""


def test_killed_worker_leaves_nothing_half_done(tmp_path: Path) -> None:
    env = migrated_environment(tmp_path)
    assert run_django(SETUP, env).returncode == 0

    crashed = run_django(DIE_MID_APPLY, env)
    assert crashed.returncode == -9, crashed.stderr

    recovered = run_django(RECOVER, env)
    assert recovered.returncode == 0, recovered.stderr
    lines = recovered.stdout.strip().splitlines()
    assert lines[0] == "before 0 0 received"
    assert lines[1] == "after 1 1 processed"
