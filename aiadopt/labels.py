"""The label catalogue: every word a reader sees, in English and Dutch.

The catalogue is the set of YAML files in ``aiadopt/data/labels/``; each
file holds whole groups (``report``, ``pitfall``, ...) and a group lives in
exactly one file. A key is ``"<group>.<name>"``; its entry has one text per
language. A text that depends on a count has one form per CLDR plural
category, chosen with Babel's plural rules for the language::

    n_use_cases:
      en: {one: "{n} use case", other: "{n} use cases"}
      nl: {one: "{n} use case", other: "{n} use cases"}

Such entries are looked up with the count as ``n``:
``label("report.n_use_cases", "en", n=1)`` gives ``"1 use case"``.
Numbers inside sentences are formatted by the caller with
:class:`aiadopt.present.formats.Formatter`, so a Dutch text gets decimal
commas; the catalogue only places them.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["LANGUAGES", "label", "labels", "catalogue"]

LANGUAGES: tuple[str, ...] = ("en", "nl")

_FOLDER = "data/labels"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, dict]]:
    """The whole catalogue: group -> name -> {lang: text or {plural: text}}.

    Raises ``ValueError`` when a group is defined in two files.
    """
    table: dict[str, dict[str, dict]] = {}
    origin: dict[str, str] = {}
    folder = resources.files("aiadopt").joinpath(_FOLDER)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        content = yaml.safe_load(entry.read_text("utf-8")) or {}
        for group, items in content.items():
            if group in table:
                raise ValueError(
                    f"label group {group!r} is defined in both {origin[group]} and {entry.name}; "
                    "keep each group in one file"
                )
            origin[group] = entry.name
            table[group] = {str(k): v for k, v in (items or {}).items()}
    return table


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")


@lru_cache(maxsize=4)
def _plural_rule(lang: str):
    from babel import Locale

    return Locale.parse(lang).plural_form


def _choose(text, key: str, lang: str, fmt: dict) -> str:
    if isinstance(text, str):
        return text
    if "n" not in fmt:
        raise TypeError(f"label {key!r} has plural forms; pass the count as n=")
    count = fmt["n"]
    try:
        number = abs(float(str(count).replace(",", ".").replace("\u2212", "-")))
    except ValueError:
        number = 0.0
    if number.is_integer():
        number = int(number)
    form = _plural_rule(lang)(number)
    return text.get(form, text["other"])


def label(key: str, lang: str = "en", **fmt) -> str:
    """The text of ``"<group>.<name>"`` in ``lang`` (``en`` or ``nl``).

    Unknown keys raise ``KeyError`` naming the key, so a typo cannot show up
    in a report as a raw key. Entries with plural forms pick the form for the
    count ``n``.

    Examples
    --------
    >>> label("status.scaled", "nl")
    'Opgeschaald'
    >>> label("text.top_n_labelled", n=20)
    'Labels: top 20 by priority'
    >>> label("report.n_use_cases", "en", n=1), label("report.n_use_cases", "en", n=3)
    ('1 use case', '3 use cases')
    """
    _check_lang(lang)
    group, _, name = key.partition(".")
    try:
        text = catalogue()[group][name][lang]
    except KeyError:
        raise KeyError(f"no label {key!r} in the catalogue (aiadopt/data/labels/*.yaml)") from None
    text = _choose(text, key, lang, fmt)
    return text.format(**fmt) if fmt else text


def labels(group: str, lang: str = "en") -> dict[str, str]:
    """All single-form labels of a group: name -> text."""
    _check_lang(lang)
    try:
        items = catalogue()[group]
    except KeyError:
        raise KeyError(
            f"no label group {group!r} in the catalogue (aiadopt/data/labels/*.yaml)"
        ) from None
    return {k: v[lang] for k, v in items.items() if isinstance(v[lang], str)}
