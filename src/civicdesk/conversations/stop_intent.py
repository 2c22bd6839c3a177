"""Does a text ask us to stop writing, without being a keyword? Phrases in English and Spanish, for a person to check.

Deliberately narrow: "stop" must be about messages or contacting the writer ("please stop texting me", "no más
mensajes"), so "stop by tomorrow please" or "the water won't stop" are not requests. A match only flags the case;
a person confirms the opt-out.
"""

import re
import unicodedata

_MESSAGES_EN = (r"(?:text(?:s|ing)?|messag(?:e|es|ing)|sms|contact(?:ing)?|writ(?:e|ing)|notifications?|alerts?"
                r"|updates?)")
_MESSAGES_ES = (r"(?:mensajes?|textos?|sms|notificaciones|alertas|avisos|escrib\w*|contact\w*|mand\w*|envi\w*"
                r"|text\w*)")

PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.IGNORECASE) for p in (
    # English: "please stop", "stop it now" as the whole text (a bare keyword never gets here)
    r"^\W*(?:please\s+)?stop(?:\s+(?:please|now|it|already|this))*\W*$",
    rf"\bstop\s+(?:\w+\s+){{0,2}}{_MESSAGES_EN}\b",  # stop texting me, stop sending me messages
    rf"\b(?:do\s*n[o']?t|do\s+not|never)\s+(?:\w+\s+){{0,1}}{_MESSAGES_EN}\s+(?:me|us|this\s+number)\b",
    rf"\bno\s+more\s+{_MESSAGES_EN}\b",  # no more texts
    r"\bunsubscribe\b",  # unsubscribe me please
    r"\bopt(?:\s|-)?(?:me\s+)?out\b",  # opt me out, opt-out
    r"\b(?:remove|take)\s+(?:me|my\s+number|this\s+number)\s+(?:off|from)\b",  # remove me from your list
    r"\bleave\s+me\s+alone\b",
    # Spanish (accents are removed before matching)
    r"^\W*(?:por\s+favor\s+)?(?:paren|parar|basta)(?:\s+(?:ya|por\s+favor))*\W*$",
    rf"\bno\s+(?:me\s+)?(?:\w+\s+){{0,1}}mas\s+{_MESSAGES_ES}",  # no más mensajes, no me manden más mensajes
    rf"\bya\s+no\s+(?:me\s+)?{_MESSAGES_ES}",  # ya no me escriban
    rf"\bno\s+me\s+(?:vuelvan\s+a\s+)?{_MESSAGES_ES}",  # no me escriban, no me vuelvan a mandar
    rf"\bdej\w*\s+de\s+{_MESSAGES_ES}",  # dejen de enviarme mensajes
    r"\b(?:dar(?:me)?\s+de\s+baja|darse\s+de\s+baja|de\s+baja)\b",  # denme de baja
    r"\b(?:cancelar|cancel\w*)\s+(?:la\s+)?suscripcion\b",
    r"\b(?:quit|borr|elimin|sac)\w*\s+(?:me\s+|mi\s+numero\s+)?de\s+(?:la|su|sus|esta)\s+lista",
))


def _plain(text: str) -> str:
    """Lower case without accents, so "más" and "mas" match alike; apostrophes straightened."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def stop_request(text: str) -> str:
    """The words of the text that read as a request to stop messages ("" when none): shown to staff."""
    plain = _plain(text or "")[:2000]
    for pattern in PATTERNS:
        found = pattern.search(plain)
        if found:
            return found.group(0).strip()
    return ""
