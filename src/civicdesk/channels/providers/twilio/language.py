"""A careful guess of the language of a text message (English or Spanish), so the acknowledgement is readable.

Texts carry no language; a web page does. Only a clear case counts (enough common words of one language and
clearly more than of the other); otherwise "" leaves the contact's known language as it is.
"""

import re

WORD_RE = re.compile(r"[a-záéíóúüñ]+")
SPANISH = frozenset((
    "el", "la", "los", "las", "un", "una", "de", "del", "que", "y", "en", "por", "para", "con", "no", "hay",
    "es", "esta", "está", "están", "calle", "favor", "gracias", "hola", "mi", "su", "se", "al", "lo", "le",
    "muy", "pero", "porque", "como", "donde", "dónde", "cuando", "también", "nadie", "ya", "desde", "frente",
    "número", "señor", "buenos", "buenas", "días", "tardes", "noches", "ayuda", "necesito", "tengo", "puede",
    "pueden", "roto", "rota", "basura", "luz", "agua",
))
ENGLISH = frozenset((
    "the", "a", "an", "of", "and", "in", "on", "at", "for", "with", "is", "are", "there", "this", "that", "it",
    "my", "your", "please", "thanks", "thank", "hello", "hi", "not", "no", "street", "near", "by", "from",
    "have", "has", "been", "broken", "out", "need", "can", "could", "would", "help", "since",
))
ACCENTED = re.compile(r"[áéíóúñ¿¡]")


def guess_language(text: str) -> str:
    """"es" or "en" when the text clearly reads as one of them, else ""."""
    words = WORD_RE.findall(text.lower())
    if len(words) < 3:
        return ""
    spanish = sum(word in SPANISH for word in words) + (2 if ACCENTED.search(text.lower()) else 0)
    english = sum(word in ENGLISH for word in words)
    if spanish >= 3 and spanish >= 2 * max(english, 1):
        return "es"
    if english >= 3 and english >= 2 * max(spanish, 1):
        return "en"
    return ""
