"""Twilio's error codes in plain words for agents: what went wrong with a text, with the code kept in brackets."""

import re

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

CODE_RE = re.compile(r"\(Twilio error (\d+)\)\.?\s*$")
# The codes agents meet most (twilio.com/docs/api/errors); any other is shown with Twilio's own message if known.
PLAIN_WORDS: dict[str, Promise] = {
    "30001": _("Twilio's sending queue for our number was full, so the text expired before it could be sent."),
    "30002": _("Our Twilio account is suspended, so the text was not sent."),
    "30003": _("The resident's phone could not be reached: it may be switched off or out of coverage."),
    "30004": _("The resident's number or their carrier blocked the text."),
    "30005": _("The number does not exist or is no longer in service."),
    "30006": _("The number cannot receive texts: it is probably a landline, or its carrier is unreachable."),
    "30007": _("The resident's carrier filtered the text as possible spam."),
    "30008": _("The text could not be delivered, and the carrier did not say why."),
    "30034": _("The text was blocked because our number is not registered for A2P 10DLC messaging."),
    "30410": _("The resident's carrier timed out; the text may or may not have arrived."),
    "21211": _("The resident's phone number is not a valid number."),
    "21408": _("Our Twilio account is not allowed to send texts to the resident's country or region."),
    "21610": _("The resident has opted out of texts from our number by replying STOP."),
    "21611": _("Our number has too many texts waiting to be sent; try again later."),
    "21612": _("Texts cannot be sent between our number and the resident's number."),
    "21614": _("The resident's number is not a mobile number and cannot receive texts."),
    "21606": _("Our number cannot send texts: it is not an SMS-capable Twilio number on this account."),
    "21617": _("The text is too long: Twilio accepts at most 1600 characters."),
    "20003": _("Twilio refused our account's credentials: check the account SID and auth token."),
    "20429": _("Twilio asked us to slow down (too many requests)."),
}


def plain_error(code: object, message: str = "") -> str:
    """A sentence an agent understands for Twilio's error `code`, ending with the code: "... (Twilio error 30003).".

    An unknown code keeps Twilio's own `message` when there is one; no code at all gives a general sentence."""
    text = str(code or "").strip()
    if text.endswith(".0"):  # a JSON number read as a float
        text = text[:-2]
    if text in PLAIN_WORDS:
        reason = str(PLAIN_WORDS[text]).rstrip(".")
        return gettext("%(reason)s (Twilio error %(code)s).") % {"reason": reason, "code": text}
    if text and message:
        return gettext("Twilio reported: %(message)s (Twilio error %(code)s).") % {
            "message": message.strip().rstrip("."), "code": text}
    if text:
        return gettext("Twilio could not deliver the text (Twilio error %(code)s).") % {"code": text}
    if message:
        return gettext("Twilio reported: %(message)s") % {"message": message.strip()}
    return gettext("Twilio reported the text undelivered, without saying why.")


def as_clause(error: str) -> str:
    """A failure written by plain_error() as a clause for "The SMS ... could not be delivered: <clause>." (the code
    kept); "" when `error` is not one of ours. Proper nouns (Twilio) keep their capital."""
    text = (error or "").strip()
    if not CODE_RE.search(text):
        return ""
    text = text.rstrip(".")
    first = text.split(" ", 1)[0]
    return text if first.startswith("Twilio") or first.isupper() else text[:1].lower() + text[1:]
