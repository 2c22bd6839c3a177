"""Admin forms that edit an agency's, service's or question's other languages as plain fields, not raw JSON."""

from typing import Any

from django import forms

from civicdesk.agencies.translations import VALUES, Translatable, other_languages

LONG_FIELDS = {"description"}


def _field_name(language: str, field: str) -> str:
    return f"translation_{language}_{field}"


def _values_text(labels: dict[str, str]) -> str:
    return "\n".join(f"{key}: {label}" for key, label in labels.items())


def _parse_values(text: str) -> dict[str, str]:
    labels = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, label = line.partition(":")
        if not sep or not key.strip() or not label.strip():
            raise forms.ValidationError(f"Line {number}: write each answer as 'key: label'.")
        labels[key.strip()] = label.strip()
    return labels


class TranslationsForm(forms.ModelForm):
    """Fills `translations` from the generated per-language fields (see translations_form)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.translations or {}
        for language, _ in other_languages():
            texts = stored.get(language, {})
            for field in self._meta.model.translatable_fields:
                self.fields[_field_name(language, field)].initial = texts.get(field, "")
            if self._meta.model.translates_values:
                self.fields[_field_name(language, VALUES)].initial = _values_text(texts.get(VALUES, {}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        translations: dict[str, dict[str, Any]] = {}
        for language, _ in other_languages():
            texts: dict[str, Any] = {}
            for field in self._meta.model.translatable_fields:
                value = (data.get(_field_name(language, field)) or "").strip()
                if value:
                    texts[field] = value
            if self._meta.model.translates_values:
                name = _field_name(language, VALUES)
                try:
                    labels = _parse_values(data.get(name) or "")
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
                    labels = {}
                if labels:
                    texts[VALUES] = labels
            if texts:
                translations[language] = texts
        self.instance.translations = translations
        return data


def translations_form(model: type[Translatable]) -> type[forms.ModelForm]:
    """A ModelForm for `model` with one field per other language and translatable field (English is the model's
    own columns), e.g. "Name (Español)"; a question also gets its answers' labels, one "key: label" a line."""
    declared: dict[str, forms.Field] = {}
    for language, language_name in other_languages():
        for field in model.translatable_fields:
            verbose = str(getattr(model._meta.get_field(field), "verbose_name", field))
            declared[_field_name(language, field)] = forms.CharField(
                label=f"{verbose.capitalize()} ({language_name})", required=False,
                widget=forms.Textarea(attrs={"rows": 3}) if field in LONG_FIELDS else forms.TextInput(
                    attrs={"size": 60}),
                help_text="Empty: residents reading this language see the English text.")
        if model.translates_values:
            declared[_field_name(language, VALUES)] = forms.CharField(
                label=f"Answer labels ({language_name})", required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="One answer a line, as 'key: label', with the keys of the answers above.")
    meta = type("Meta", (), {"model": model, "exclude": ["translations"]})
    return type(f"{model.__name__}TranslationsForm", (TranslationsForm,), {**declared, "Meta": meta})
