"""Our phone numbers as Twilio writes them (E.164), from however an admin typed them."""

import phonenumbers
from django.utils.translation import gettext as _

DEFAULT_REGION = "US"  # a number typed without its country code is read as a North American one


class InvalidNumber(ValueError):
    """Not a valid phone number; the message says how to write one."""


def e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """"(215) 555-0100" or "+1 215 555 0100" -> "+12155550100"; raises InvalidNumber."""
    typed = (raw or "").strip()
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidNumber(_("“%(number)s” is not a valid phone number. Write it with its country code, for example "
                              "+12155550100.") % {"number": typed[:40]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
