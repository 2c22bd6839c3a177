"""Recognising automatic mail (out-of-office replies, bounces, bulk mail) that must never become a case."""

import re
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from civicdesk.mail.parsing import raw_header

AUTOMATIC_PRECEDENCE = {"bulk", "auto_reply", "auto-reply", "junk", "list"}
AUTOMATIC_FLAG_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponse")
ROBOT_LOCAL_PARTS = {"mailer-daemon", "postmaster"}
NO_REPLY_RE = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|bounces?|mailer-daemon|postmaster)([-_.+].*)?$")


def is_null_sender(value: str | None) -> bool:
    """True for the SMTP null reverse-path "<>", which only bounces and receipts use."""
    return value is not None and value.strip() in ("", "<>")


def automatic_reason(message: EmailMessage, meta: dict[str, Any]) -> str:
    """Why this message is automatic, or "" when a person wrote it."""
    auto_submitted = raw_header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted.split(';')[0]}"
    precedence = raw_header(message, "Precedence").lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    for header in AUTOMATIC_FLAG_HEADERS:
        if message.get(header) is not None:  # present at all, whatever its value
            return f"{header} header"
    if "mail_from" in meta and is_null_sender(meta["mail_from"]):
        return "null envelope sender"
    return_path = message.get("Return-Path")
    if return_path is not None and is_null_sender(raw_header(message, "Return-Path")):
        return "null Return-Path"
    _, sender = parseaddr(raw_header(message, "From"))
    if sender.split("@")[0].lower() in ROBOT_LOCAL_PARTS:
        return "sent by a mail system"
    if message.get_content_type() == "multipart/report":
        return f"delivery report ({message.get_param('report-type', '') or 'unknown type'})"
    return ""


def is_no_reply_address(address: str) -> bool:
    """True for addresses nobody reads (noreply@, do-not-reply@, bounces@, mailer-daemon@): never answer them."""
    local = address.rpartition("@")[0].lower()
    return not local or bool(NO_REPLY_RE.match(local))
