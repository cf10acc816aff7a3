"""The label catalogue: complete in both languages, consistent placeholders, plurals."""

from __future__ import annotations

import string

import pytest

from aiadopt.labels import LANGUAGES, catalogue, label, labels


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _entries():
    for group, items in catalogue().items():
        for name, entry in items.items():
            yield f"{group}.{name}", entry


def test_every_entry_has_every_language_and_the_same_placeholders():
    problems = []
    for key, entry in _entries():
        if set(entry) != set(LANGUAGES):
            problems.append(f"{key}: languages {sorted(entry)}")
            continue
        fields = {}
        for lang in LANGUAGES:
            text = entry[lang]
            forms = text.values() if isinstance(text, dict) else [text]
            if isinstance(text, dict) and "other" not in text:
                problems.append(f"{key}/{lang}: plural forms without 'other'")
            fields[lang] = set().union(*(_fields(f) for f in forms))
        if fields["en"] != fields["nl"]:
            problems.append(
                f"{key}: placeholders en {sorted(fields['en'])} vs nl {sorted(fields['nl'])}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("en", 1, "Top priority"),
        ("en", 0, "Top 0 priorities"),
        ("en", 3, "Top 3 priorities"),
        ("nl", 1, "Hoogste prioriteit"),
        ("nl", 4, "Top 4 prioriteiten"),
    ],
)
def test_plural_forms_follow_the_count(lang, n, expected):
    assert label("report.top_priorities", lang, n=n) == expected


def test_plural_entry_needs_the_count():
    with pytest.raises(TypeError, match="n="):
        label("report.top_priorities", "en")


def test_unknown_key_and_language_are_named():
    with pytest.raises(KeyError, match="report.nope"):
        label("report.nope")
    with pytest.raises(ValueError, match="'de'"):
        label("status.idea", "de")


def test_labels_lists_single_form_entries():
    assert labels("status", "nl")["scaled"] == "Opgeschaald"
