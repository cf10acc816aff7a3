"""Labels a reader sees, in English and Dutch, from one file
(``aiadopt/data/labels.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

__all__ = ["LANGUAGES", "label", "labels"]

LANGUAGES: tuple[str, ...] = ("en", "nl")


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, dict[str, str]]]:
    text = resources.files("aiadopt").joinpath("data/labels.yaml").read_text("utf-8")
    return {group: {str(k): v for k, v in items.items()} for group, items in yaml.safe_load(text).items()}


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")


def label(key: str, lang: str = "en", **fmt) -> str:
    """The label of ``"<group>.<key>"`` in ``lang`` (``en`` or ``nl``).

    Unknown keys raise ``KeyError`` naming the key, so a typo cannot show up
    in a report as a raw key.

    Examples
    --------
    >>> label("status.scaled", "nl")
    'Opgeschaald'
    >>> label("text.top_n_labelled", n=20)
    'Labels: top 20 by priority'
    """
    _check_lang(lang)
    group, _, name = key.partition(".")
    try:
        text = _table()[group][name][lang]
    except KeyError:
        raise KeyError(f"no label {key!r} in aiadopt/data/labels.yaml") from None
    return text.format(**fmt) if fmt else text


def labels(group: str, lang: str = "en") -> dict[str, str]:
    """All labels of a group: key -> label."""
    _check_lang(lang)
    try:
        return {k: v[lang] for k, v in _table()[group].items()}
    except KeyError:
        raise KeyError(f"no label group {group!r} in aiadopt/data/labels.yaml") from None
