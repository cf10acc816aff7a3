"""The mapping file of a survey tool's export (YAML).

It maps the tool's question ids (or question texts) onto aiadopt's survey
columns and the tool's answers onto aiadopt's values, and extends the
codebook (:mod:`aiadopt.codebook`) with more Likert and category labels.
Every problem of the file is reported at once, each with its line and key.
See docs/survey-exports.md for the format and one example per tool.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ...codebook import Codebook, normalise_header, normalise_label
from ...errors import DataValidationError, Problem
from ...schema import FREQUENCIES, ROLES, SKILL_LEVELS, SURVEY_OPTIONAL, SURVEY_REQUIRED

__all__ = ["Mapping", "load_mapping", "SURVEY_COLUMNS", "FORMAT_NAMES"]

#: aiadopt's survey columns other than the scale items.
SURVEY_COLUMNS: tuple[str, ...] = SURVEY_REQUIRED + SURVEY_OPTIONAL
#: The names ``--survey-format`` takes (``auto`` recognises the export).
FORMAT_NAMES: tuple[str, ...] = ("auto", "aiadopt", "qualtrics", "msforms", "limesurvey")

_CATEGORY_COLUMNS = {
    "role": ROLES,
    "ai_use_frequency": FREQUENCIES,
    "ai_skill_level": SKILL_LEVELS,
}
_BOOLS = {
    "true": "true",
    "yes": "true",
    "ja": "true",
    "1": "true",
    "false": "false",
    "no": "false",
    "nee": "false",
    "0": "false",
}
_KEYS = ("version", "format", "wave", "columns", "likert", "values", "answers", "personal")
_FIX = "Correct the mapping file (docs/survey-exports.md describes its format)."


@dataclass(frozen=True)
class Mapping:
    """A parsed mapping file. Use :func:`load_mapping` to build one.

    Attributes
    ----------
    source : str
        The file name, for messages.
    format : str or None
        The tool the file is written for, if it says so.
    wave : str or None
        ``YYYY-MM``: the wave of every response, for exports without a
        wave column.
    columns : dict
        The tool's question id or text, as written -> aiadopt column.
    lines : dict
        Each key of ``columns`` and ``personal`` -> its ``line N``.
    likert : dict
        Extra Likert label -> score (extends the codebook).
    values : dict
        Extra category labels: column -> {label: canonical value}.
    answers : dict
        aiadopt column -> {the tool's answer (normalised): aiadopt value as text}.
    personal : tuple of str
        More of the tool's columns to drop at read time as personal data.
    size : int or None
        The file's size in bytes, as read (the run's manifest lists it).
    sha256 : str or None
        The SHA-256 of the file's bytes, as read.
    """

    source: str
    format: str | None = None
    wave: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)
    likert: dict[str, float] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    personal: tuple[str, ...] = ()
    size: int | None = None
    sha256: str | None = None

    def extend(self, codebook: Codebook) -> Codebook:
        """``codebook`` with this file's Likert and category labels added."""
        if not self.likert and not self.values:
            return codebook
        return codebook.extended(likert=self.likert, values=self.values)


class _Checker:
    """Walks the YAML node tree, collecting every problem with its line."""

    def __init__(self, source: str, codebook: Codebook):
        self.source = source
        self.codebook = codebook
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node | None, key: str, rule: str, fix: str = _FIX, value=None):
        line = None if node is None else f"line {node.start_mark.line + 1}"
        self.problems.append(
            Problem(
                file=self.source,
                rule=f"key {key}: {rule}" if key else rule,
                fix=fix,
                line=line,
                value=value,
            )
        )

    def pairs(self, node: yaml.Node, key: str) -> list[tuple[yaml.Node, yaml.Node]]:
        """The key/value nodes of a mapping node; duplicate keys are problems."""
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, key, "must be a mapping (key: value lines)")
            return []
        seen: dict[str, yaml.Node] = {}
        out = []
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                self.fail(k, key, "a key must be plain text")
                continue
            if k.value in seen:
                self.fail(
                    k,
                    f"{key}.{k.value}" if key else k.value,
                    f"appears twice (also on line {seen[k.value].start_mark.line + 1})",
                    "Keep one of the two.",
                )
                continue
            seen[k.value] = k
            out.append((k, v))
        return out

    def scalars(self, node: yaml.Node, key: str) -> list[yaml.ScalarNode]:
        """A scalar or a list of scalars."""
        if isinstance(node, yaml.ScalarNode):
            return [] if node.tag.endswith(":null") else [node]
        if isinstance(node, yaml.SequenceNode):
            out = []
            for item in node.value:
                if isinstance(item, yaml.ScalarNode):
                    out.append(item)
                else:
                    self.fail(item, key, "a list item must be plain text")
            return out
        self.fail(node, key, "must be a text or a list of texts")
        return []

    def is_item(self, column: str) -> bool:
        return bool(self.codebook.match_items([column]))

    def target(self, node: yaml.ScalarNode, key: str) -> str | None:
        """An aiadopt survey column named by ``node``, or None (a problem)."""
        name = normalise_header(node.value)
        if name in SURVEY_COLUMNS or self.is_item(name):
            return name
        self.fail(
            node,
            key,
            f"{node.value!r} is not one of aiadopt's survey columns",
            f"Use one of {', '.join(SURVEY_COLUMNS)}, or an item column such as comp_change_1 "
            "(see the codebook's scales).",
            value=node.value,
        )
        return None


def _parse(root: yaml.Node, c: _Checker) -> Mapping:
    found: dict[str, yaml.Node] = {}
    for k, v in c.pairs(root, ""):
        if k.value not in _KEYS:
            c.fail(k, k.value, "unknown key", f"Use only {', '.join(_KEYS)}.", value=k.value)
            continue
        found[k.value] = v

    if "version" in found and found["version"].value != "1":
        c.fail(found["version"], "version", "only version 1 exists", value=found["version"].value)

    fmt = None
    if "format" in found:
        node = found["format"]
        if not isinstance(node, yaml.ScalarNode) or node.value not in FORMAT_NAMES[1:]:
            c.fail(
                node,
                "format",
                "unknown survey format",
                f"Use one of {', '.join(FORMAT_NAMES[1:])}.",
                value=getattr(node, "value", None),
            )
        else:
            fmt = node.value

    wave = None
    if "wave" in found:
        node = found["wave"]
        text = node.value if isinstance(node, yaml.ScalarNode) else ""
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(text)):
            c.fail(node, "wave", "not a month", "Write the wave as YYYY-MM (2026-10).", value=text)
        else:
            wave = text

    columns: dict[str, str] = {}
    lines: dict[str, str] = {}
    claimed: dict[str, yaml.Node] = {}
    for k, v in c.pairs(
        found.get("columns", yaml.ScalarNode("tag:yaml.org,2002:null", "")), "columns"
    ):
        key = f"columns.{k.value}"
        if not isinstance(v, yaml.ScalarNode):
            c.fail(v, key, "must name one aiadopt column")
            continue
        target = c.target(v, key)
        if target is None:
            continue
        if target in claimed:
            first = claimed[target]
            c.fail(
                k,
                key,
                f"maps onto {target!r}, as {first.value!r} on line {first.start_mark.line + 1} does",
                "Map each aiadopt column from one question.",
                value=k.value,
            )
            continue
        claimed[target] = k
        columns[k.value] = target
        lines[k.value] = f"line {k.start_mark.line + 1}"

    likert: dict[str, float] = {}
    for k, v in c.pairs(found.get("likert", _null()), "likert"):
        key = f"likert.{k.value}"
        try:
            score = float(k.value)
        except ValueError:
            score = None
        if score is None or not 1 <= score <= 5:
            c.fail(k, key, "a Likert score is a number from 1 to 5", value=k.value)
            continue
        for label in c.scalars(v, key):
            likert[label.value] = score

    values: dict[str, dict[str, str]] = {}
    for k, v in c.pairs(found.get("values", _null()), "values"):
        key = f"values.{k.value}"
        allowed = _CATEGORY_COLUMNS.get(k.value)
        if allowed is None:
            c.fail(
                k,
                key,
                "not a category column of the survey",
                f"Use one of {', '.join(_CATEGORY_COLUMNS)}.",
                value=k.value,
            )
            continue
        for canonical, synonyms in c.pairs(v, key):
            if canonical.value not in allowed:
                c.fail(
                    canonical,
                    f"{key}.{canonical.value}",
                    f"not one of {', '.join(allowed)}",
                    value=canonical.value,
                )
                continue
            for label in c.scalars(synonyms, f"{key}.{canonical.value}"):
                values.setdefault(k.value, {})[label.value] = canonical.value

    answers: dict[str, dict[str, str]] = {}
    for k, v in c.pairs(found.get("answers", _null()), "answers"):
        key = f"answers.{k.value}"
        column = normalise_header(k.value)
        if column not in SURVEY_COLUMNS and not c.is_item(column):
            c.target(k, key)
            continue
        recode: dict[str, str] = {}
        for answer, value in c.pairs(v, key):
            where = f"{key}.{answer.value}"
            if not isinstance(value, yaml.ScalarNode):
                c.fail(value, where, "must be one value")
                continue
            checked = _check_answer(
                column, value.value, codebook=c.codebook, likert=likert, values=values
            )
            if checked is None:
                c.fail(
                    value,
                    where,
                    f"not a value of {column}",
                    _answer_fix(column),
                    value=value.value,
                )
                continue
            recode[normalise_label(answer.value)] = checked
        answers[column] = recode

    personal = []
    for node in c.scalars(found.get("personal", _null()), "personal"):
        personal.append(node.value)
        lines.setdefault(node.value, f"line {node.start_mark.line + 1}")

    return Mapping(
        source=c.source,
        format=fmt,
        wave=wave,
        columns=columns,
        lines=lines,
        likert=likert,
        values=values,
        answers=answers,
        personal=tuple(personal),
    )


def _null() -> yaml.ScalarNode:
    return yaml.ScalarNode("tag:yaml.org,2002:null", "")


def _check_answer(
    column: str, value: str, *, codebook: Codebook, likert: dict, values: dict
) -> str | None:
    """The aiadopt value an ``answers`` entry gives ``column``, as text, or None."""
    text = normalise_label(value)
    if column in _CATEGORY_COLUMNS:
        known = dict(codebook.category_map(column))
        known.update({normalise_label(k): v for k, v in values.get(column, {}).items()})
        return known.get(text)
    if column == "ai_training_done":
        return _BOOLS.get(text)
    if column == "team_phase" or codebook.match_items([column]):
        labels = codebook.phase_labels if column == "team_phase" else dict(codebook.likert)
        if column != "team_phase":
            labels.update({normalise_label(k): s for k, s in likert.items()})
        score = labels.get(text)
        if score is None:
            try:
                score = float(text.replace(",", "."))
            except ValueError:
                return None
        if not (1 <= score <= 5 and score == int(score)):
            return None
        return str(int(score))
    return " ".join(str(value).split()) or None  # department, team, respondent_id, wave: text


def _answer_fix(column: str) -> str:
    if column in _CATEGORY_COLUMNS:
        return f"Use one of {', '.join(_CATEGORY_COLUMNS[column])} (or a label of the codebook's 'values')."
    if column == "ai_training_done":
        return "Use true or false."
    return "Use a whole number from 1 to 5 (or a label of the codebook's 'likert')."


def load_mapping(path: str | Path, *, codebook: Codebook) -> Mapping:
    """Read and check a survey tool's mapping file.

    Parameters
    ----------
    path : str or Path
        The YAML file (docs/survey-exports.md).
    codebook : Codebook
        The codebook it extends: its scales say which item columns exist,
        its labels which answers are known.

    Returns
    -------
    Mapping

    Raises
    ------
    DataValidationError
        Listing every problem of the file, each with its line and key.
    """
    p = Path(path)
    source = p.name
    if not p.is_file():
        raise DataValidationError(
            [
                Problem(
                    file=source,
                    rule=f"mapping file {str(p)!r} does not exist",
                    fix="Check the path.",
                )
            ]
        )
    data = p.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataValidationError(
            [
                Problem(
                    file=source, rule="the mapping file is not UTF-8 text", fix="Save it as UTF-8."
                )
            ]
        ) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataValidationError(
            [
                Problem(
                    file=source,
                    rule=f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                    fix="Correct the YAML syntax (indentation, quotes, colons).",
                    line=None if mark is None else f"line {mark.line + 1}",
                )
            ]
        ) from None
    checker = _Checker(source, codebook)
    if root is None:
        checker.fail(None, "", "the file is empty")
        raise DataValidationError(checker.problems)
    mapping = _parse(root, checker)
    if checker.problems:
        raise DataValidationError(checker.problems)
    return dataclasses.replace(mapping, size=len(data), sha256=hashlib.sha256(data).hexdigest())
