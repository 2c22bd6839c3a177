"""A broadcast to 10,000 subscribers by text (a Twilio-shaped Messages API) and email (a real SMTP sink) with the
sending workers killed with SIGKILL midway: after recovery every subscriber has exactly one message and nobody who
opted out or unsubscribed has any.

CRISIS_KILL_TEST_SUBSCRIBERS sets the size: 2,000 by default (the suite's time on a shared 2-core machine);
CRISIS_KILL_TEST_SUBSCRIBERS=10000 is the issue's run (several minutes). The workers run unthrottled. The SMS stand-in
answers as Twilio's Messages API does (201 and a sid): Prism, the project's Twilio mock, validates requests but
cannot count them, and test_broadcast_prism.py sends the same requests to Prism.
"""

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller

from civicdesk.testing.browser import free_port
from civicdesk.testing.processes import migrated_environment

pytestmark = pytest.mark.slow

SIZE = int(os.environ.get("CRISIS_KILL_TEST_SUBSCRIBERS", "2000"))
OUR_NUMBER = "+15550100911"
ACCOUNT_SID = "AC" + "1" * 32

SETUP = """
from django.utils import timezone
from civicdesk.channels.models import ChannelAccount
from civicdesk.contacts.actions import set_opt_out
from civicdesk.conversations.consent import set_consent
from civicdesk.conversations.models import ConsentSource
from civicdesk.crisis import actions
from civicdesk.crisis.models import Subscription
from civicdesk.crisis.subscriptions import new_token
from civicdesk.testing.factories import create_agency

agency = create_agency("311", "Riverbend 311")
account = ChannelAccount(channel="sms", provider="twilio", agency=agency, address="OUR_NUMBER",
                         credentials_ref="env:KILLTEST_TWILIO")
account.save()
now = timezone.now()
rows = []
for n in range(SIZE):
    sms = n % 2 == 0
    rows.append(Subscription(channel="sms" if sms else "email", status="active", created_at=now, confirmed_at=now,
                             address=f"+1215{2_000_000 + n:07d}" if sms else f"resident-{n}@example.com",
                             token=new_token(),
                             language="es" if n % 7 == 0 else "en", account=account if sms else None))
Subscription.objects.bulk_create(rows, batch_size=2000)
for n in range(0, 200, 2):  # texts: 50 numbers stopped every sender, 50 stopped this number
    identity = set_opt_out("phone", f"+1215{2_000_000 + n:07d}", opted_out=n < 100)
    if n >= 100:
        set_consent(identity, account, opted_out=True, source=ConsentSource.KEYWORD, keyword="STOP")
for n in range(1, 101, 2):  # emails: 50 addresses opted out
    set_opt_out("email", f"resident-{n}@example.com", opted_out=True)
incident = actions.declare(title_en="Flood", title_es="Inundación", summary_en="River Road is closed.",
                           summary_es="River Road está cerrada.", whole_city=True, agency=agency)
actions.start_broadcast(incident, text_en="Avoid River Road.", text_es="Evite River Road.",
                        sms_en="Avoid River Road.", sms_es="Evite River Road.")
# 50 numbers unsubscribe after the broadcast was queued, before their copy goes out
leaving = [f"+1215{2_000_000 + n:07d}" for n in range(200, 300, 2)]
Subscription.objects.filter(address__in=leaving).update(status="ended")
"""

# A lane's worker killed inside its Nth provider call (the copy it was sending is not out yet)
DIE_MIDWAY = """
import os, signal
from civicdesk.channels.providers.twilio.adapter import TwilioAdapter
from civicdesk.crisis import sending
calls = [0]
real_sms = TwilioAdapter.send
def sms(self, message, account=None):
    calls[0] += 1
    if calls[0] > KILL_AFTER:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_sms(self, message, account)
TwilioAdapter.send = sms
real_mail = sending.send_mail_copy
def mail(row, connection):
    calls[0] += 1
    if calls[0] > KILL_AFTER:
        connection.connection.sock.close()  # the SMTP session dies with the process, mid-conversation
        os.kill(os.getpid(), signal.SIGKILL)
    return real_mail(row, connection)
sending.send_mail_copy = mail
sending.run_lane("LANE", seconds=600)
"""

RECOVER = """
import json
from django.db.models import Count
from civicdesk.crisis import sending
from civicdesk.crisis.models import BroadcastDelivery, SendLane
before = dict(BroadcastDelivery.objects.values_list("status").annotate(n=Count("pk")))
SendLane.objects.update(lease_until=None)  # the dead workers' leases ran out
stalled = sending.stalled_lanes()
for lane in stalled:
    while sending.run_lane(lane, seconds=600):
        pass
after = dict(BroadcastDelivery.objects.values_list("status").annotate(n=Count("pk")))
blocked = list(BroadcastDelivery.objects.filter(status="opted_out").values_list("subscription__address", flat=True))
print(json.dumps({"before": before, "after": after, "stalled": stalled, "blocked": blocked}))
"""


def run_django(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """testing.processes.run_django with room for 10,000 sends (its own limit is two minutes)."""
    script = "import django; django.setup()\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=3600)


class TwilioStandIn(BaseHTTPRequestHandler):
    """POST .../Messages.json -> 201 with a sid, as Twilio's Messages API answers; every text is recorded."""

    received: list[tuple[str, str]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        form = {k: v[0] for k, v in parse_qs(body).items()}
        with self.lock:
            self.received.append((form.get("To", ""), form.get("Body", "")))
            sid = f"SM{len(self.received):032d}"
        answer = json.dumps({"sid": sid, "account_sid": ACCOUNT_SID, "to": form.get("To"), "from": form.get("From"),
                             "body": form.get("Body"), "status": "queued", "num_segments": "1"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


class Sink:
    def __init__(self) -> None:
        self.received: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.extend(envelope.rcpt_tos)
        return "250 OK"


def test_each_subscriber_gets_exactly_one_alert_after_the_sending_workers_are_killed(tmp_path: Path) -> None:
    twilio = ThreadingHTTPServer(("127.0.0.1", 0), TwilioStandIn)
    TwilioStandIn.received = []
    threading.Thread(target=twilio.serve_forever, daemon=True).start()
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        env = migrated_environment(tmp_path)
        env.update({"TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "LOG_LEVEL": "WARNING",
                    "TWILIO_API_BASE_URL": f"http://127.0.0.1:{twilio.server_address[1]}",
                    "KILLTEST_TWILIO_AUTH_TOKEN": "kill-test-token", "KILLTEST_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                    "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port),
                    "CRISIS_SMS_SEGMENTS_PER_SECOND": "1000000", "CRISIS_EMAILS_PER_SECOND": "1000000"})
        setup = run_django(SETUP.replace("OUR_NUMBER", OUR_NUMBER).replace("SIZE", str(SIZE)), env)
        assert setup.returncode == 0, setup.stderr[-3000:]
        for lane in ("sms", "email"):
            died = run_django(DIE_MIDWAY.replace("KILL_AFTER", str(SIZE // 8)).replace("LANE", lane), env)
            assert died.returncode == -9, died.stderr[-3000:]
        texted_before, mailed_before = len(TwilioStandIn.received), len(sink.received)
        assert 0 < texted_before < SIZE // 2 and 0 < mailed_before < SIZE // 2
        recovered = run_django(RECOVER, env)
        assert recovered.returncode == 0, recovered.stderr[-3000:]
        state = json.loads(recovered.stdout.strip().splitlines()[-1])
    finally:
        twilio.shutdown()
        smtp.stop()

    assert state["before"].get("sending", 0) >= 2  # each killed worker held its batch, the copy in its hands too
    assert sorted(state["stalled"]) == ["email", "sms"]
    texts = Counter(to for to, _body in TwilioStandIn.received)
    mails = Counter(sink.received)
    blocked = set(state["blocked"])
    expected_texts = {f"+1215{2_000_000 + n:07d}" for n in range(0, SIZE, 2)} - blocked
    expected_mails = {f"resident-{n}@example.com" for n in range(1, SIZE, 2)} - blocked
    assert len(blocked) == 50 + 50 + 50 + 50  # texts: two kinds of opt-out and unsubscribed; emails opted out
    assert set(texts) == expected_texts and set(mails) == expected_mails
    assert set(texts.values()) == {1} and set(mails.values()) == {1}  # exactly one each
    assert state["after"] == {"sent": len(expected_texts) + len(expected_mails), "opted_out": len(blocked)}
    spanish = [body for to, body in TwilioStandIn.received if to == "+12152000308"]
    assert spanish == ["Evite River Road. Responda PARAR para no recibir más alertas."]

