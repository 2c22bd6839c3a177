"""Translated catalogue content: each agency, service and question keeps its other languages in `translations`.

The English columns (name, description, ...) stay the source and the fallback. `translations` holds, per language
code of settings.LANGUAGES, the translated fields: {"es": {"name": "Bache", "description": "..."}}; a question also
translates its answers' labels by key: {"es": {"description": "...", "values": {"yes": "Sí"}}}. Pages read
`obj.translated.name`, which is the active language's text, or the English one when there is none.
"""

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

VALUES = "values"  # the key of a question's answer labels inside one language's translations


def source_language() -> str:
    """The language the model's own columns are written in (settings.LANGUAGE_CODE, e.g. "en")."""
    return settings.LANGUAGE_CODE.split("-")[0]


def other_languages() -> list[tuple[str, str]]:
    """(code, name) of every language but the source one: the ones `translations` may hold."""
    return [(code, name) for code, name in settings.LANGUAGES if code != source_language()]


class Translated:
    """A read-only view of an object in one language: `.name` is the translation when there is one, else the
    object's own (English) text. Templates use it as `service.translated.name`."""

    def __init__(self, obj: "Translatable", language: str) -> None:
        self._obj = obj
        self._language = language

    def __getattr__(self, field: str) -> Any:
        return self._obj.text(field, self._language)


class Translatable(models.Model):
    """Adds `translations` and the lookups to a catalogue model; `translatable_fields` names its text fields."""

    translatable_fields: ClassVar[tuple[str, ...]] = ()
    translates_values: ClassVar[bool] = False  # a question: its answers' labels too, by key
    translations = models.JSONField(
        default=dict, blank=True,
        help_text='Other languages\' texts, e.g. {"es": {"name": "..."}}; empty fields fall back to English.')

    class Meta:
        abstract = True

    def text(self, field: str, language: str | None = None) -> Any:
        """The field in `language` (default: the active one), falling back to the English column."""
        if field not in self.translatable_fields:
            return getattr(self, field)
        language = (language or translation.get_language() or source_language()).split("-")[0]
        if language != source_language():
            value = (self.translations or {}).get(language, {}).get(field)
            if isinstance(value, str) and value.strip():
                return value
        return getattr(self, field)

    @property
    def translated(self) -> Translated:
        return Translated(self, (translation.get_language() or source_language()).split("-")[0])

    def clean(self) -> None:
        """translations: {language of LANGUAGES: {translatable field: text}} and nothing else."""
        super().clean()
        allowed_fields = {*self.translatable_fields, *((VALUES,) if self.translates_values else ())}
        data = self.translations
        if not isinstance(data, dict):
            raise ValidationError({"translations": 'Give an object like {"es": {"name": "..."}}.'})
        languages = {code for code, _ in other_languages()}
        for language, fields in data.items():
            if language not in languages:
                raise ValidationError({"translations": f"'{language}' is not one of the site's other languages "
                                                       f"({', '.join(sorted(languages))})."})
            if not isinstance(fields, dict):
                raise ValidationError({"translations": f"Give the '{language}' texts as an object."})
            for field, value in fields.items():
                if field not in allowed_fields:
                    raise ValidationError({"translations": f"'{field}' cannot be translated here."})
                if field == VALUES:
                    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                        raise ValidationError({"translations": 'Give answer labels as {"key": "label"}.'})
                elif not isinstance(value, str):
                    raise ValidationError({"translations": f"The '{language}' {field} must be text."})


def service_texts(service: Any) -> list[tuple[str, str, str]]:
    """(language, name, description) of a service in every language it has, English first: the hook for search
    (index each language's words with that language's stemmer)."""
    texts = [(source_language(), service.name, service.description)]
    for code, _ in other_languages():
        fields = (service.translations or {}).get(code, {})
        name, description = fields.get("name", "").strip(), fields.get("description", "").strip()
        if name or description:
            texts.append((code, name or service.name, description or service.description))
    return texts
