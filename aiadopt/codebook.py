"""The survey codebook: which columns are items of which scale, and which
labels mean what. Declarative (YAML), shipped with a default that follows
docs/metrics.md §1; users pass their own to read other exports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

import yaml

from .errors import DataValidationError, Problem
from .schema import FREQUENCIES, GOALS, ROLES, SCALE_FAMILIES, SKILL_LEVELS, STATUSES

__all__ = ["Codebook", "load_codebook", "normalise_label", "normalise_header"]

_CATEGORIES = {
    "status": STATUSES,
    "goal": GOALS,
    "role": ROLES,
    "ai_use_frequency": FREQUENCIES,
    "ai_skill_level": SKILL_LEVELS,
}
_PHASE_LABELS = {
    1: ["unaware", "onwetend"],
    2: ["waiting", "afwachtend"],
    3: ["trying", "proberend"],
    4: ["learning", "lerend"],
    5: ["embedded", "doorgevoerd"],
}


def normalise_label(value: str) -> str:
    """Lower-case, trim and collapse inner whitespace of a label."""
    return " ".join(str(value).split()).lower()


def normalise_header(name: object) -> str:
    """Canonical form of a column header: trimmed, lower-case, spaces,
    hyphens and dots as ``_`` (``"Use case ID"`` -> ``use_case_id``)."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-\.]+", "_", text)


@dataclass(frozen=True)
class Codebook:
    """A parsed codebook. Use :func:`load_codebook` to build one."""

    source: str
    columns: dict[str, str] = field(default_factory=dict)
    scales: dict[str, dict[str, dict]] = field(default_factory=dict)
    likert: dict[str, float] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    free_text: frozenset[str] = frozenset()

    def category_map(self, column: str) -> dict[str, str]:
        """Normalised label -> canonical value for a categorical column."""
        return self.values.get(column, {})

    def allowed(self, column: str) -> tuple[str, ...]:
        return _CATEGORIES[column]

    @property
    def phase_labels(self) -> dict[str, float]:
        out = {}
        for num, labels in _PHASE_LABELS.items():
            for label in labels:
                out[label] = float(num)
        return out

    def extended(
        self,
        *,
        likert: dict[str, float] | None = None,
        values: dict[str, dict[str, str]] | None = None,
        source: str | None = None,
    ) -> Codebook:
        """This codebook with more Likert labels and category labels; the
        added entries win. A survey tool's mapping file extends the codebook
        this way (:mod:`aiadopt.io.exports`).

        Parameters
        ----------
        likert : dict, optional
            Label -> score from 1 to 5.
        values : dict, optional
            Categorical column (``role``, ``ai_use_frequency``, ...) ->
            {label: canonical value}.
        source : str, optional
            Name of what extends it, for messages (default: unchanged).

        Raises
        ------
        ValueError
            For a score outside 1-5 or a canonical value the column does not have.
        """
        merged_likert = dict(self.likert)
        for label, score in (likert or {}).items():
            if not 1 <= float(score) <= 5:
                raise ValueError(f"Likert label {label!r}: score {score!r} is outside 1-5")
            merged_likert[normalise_label(label)] = float(score)
        merged_values = {c: dict(m) for c, m in self.values.items()}
        for column, mapping in (values or {}).items():
            if column not in _CATEGORIES:
                raise ValueError(
                    f"values: unknown column {column!r}; expected {sorted(_CATEGORIES)}"
                )
            for label, canonical in mapping.items():
                if canonical not in _CATEGORIES[column]:
                    raise ValueError(
                        f"values.{column}: {canonical!r} is not one of {list(_CATEGORIES[column])}"
                    )
                merged_values.setdefault(column, {})[normalise_label(label)] = canonical
        return replace(
            self, source=source or self.source, likert=merged_likert, values=merged_values
        )

    def match_items(self, columns: list[str]) -> dict[str, dict[str, str]]:
        """Map survey columns onto scales.

        Returns
        -------
        dict
            Scale column (``comp_change``) -> {source column: canonical item
            column (``comp_change_1``)}, in the order the columns appear.
        """
        out: dict[str, dict[str, str]] = {}
        taken: dict[str, str] = {}
        for family, keys in self.scales.items():
            prefix = SCALE_FAMILIES[family][0]
            for key, spec in keys.items():
                scale = f"{prefix}_{key}"
                explicit = [normalise_header(c) for c in spec.get("items", [])]
                pattern = spec.get("pattern")
                regex = re.compile(pattern) if pattern else None
                matched = [
                    c
                    for c in columns
                    if c in explicit or (regex is not None and regex.fullmatch(c))
                ]
                if not matched:
                    continue
                mapping = {}
                for n, col in enumerate(matched, start=1):
                    if col in taken:
                        raise DataValidationError(
                            [
                                Problem(
                                    file=self.source,
                                    rule=f"column {col!r} is mapped to both {taken[col]} and {scale}",
                                    fix="Give each item column one scale in the codebook.",
                                )
                            ]
                        )
                    taken[col] = scale
                    # Keep the source suffix when it is the canonical form already.
                    canonical = col if re.fullmatch(rf"{scale}_\w+", col) else f"{scale}_{n}"
                    mapping[col] = canonical
                out[scale] = mapping
        return out


def _fail(source: str, rule: str) -> DataValidationError:
    return DataValidationError(
        [
            Problem(
                file=source,
                rule=rule,
                fix="Correct the codebook (see aiadopt/data/codebook.yaml for the format).",
            )
        ]
    )


def _merge_with_default(own: dict, default: dict) -> dict:
    """A user's codebook extends the default: ``columns``, ``likert``,
    ``values`` and ``free_text`` are merged (the user's entries win);
    ``scales``, when given, replace the default scales entirely."""
    merged = dict(default)
    for key, value in own.items():
        if key == "columns":
            merged[key] = {**(default.get(key) or {}), **(value or {})}
        elif key == "likert":
            merged[key] = {
                k: list(default[key].get(k, [])) + list(v or [])
                for k, v in {**default[key], **(value or {})}.items()
            }
        elif key == "values":
            out = {c: dict(m) for c, m in (default.get(key) or {}).items()}
            for column, mapping in (value or {}).items():
                out.setdefault(column, {})
                for canonical, synonyms in (mapping or {}).items():
                    out[column][canonical] = list(out[column].get(canonical, [])) + list(
                        synonyms or []
                    )
            merged[key] = out
        elif key == "free_text":
            merged[key] = list(default.get(key) or []) + list(value or [])
        else:
            merged[key] = value
    return merged


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read a codebook YAML file; ``None`` gives the default codebook.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file in the format of the shipped default
        (``aiadopt/data/codebook.yaml``).

    Raises
    ------
    DataValidationError
        When the file is missing or malformed; the message says where.
    """
    default_text = resources.files("aiadopt").joinpath("data/codebook.yaml").read_text("utf-8")
    if path is None:
        text = default_text
        source = "codebook.yaml (default)"
    else:
        p = Path(path)
        source = p.name
        if not p.is_file():
            raise _fail(source, f"codebook file {str(p)!r} does not exist")
        text = p.read_text("utf-8")
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise _fail(source, f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise _fail(source, "the top level must be a mapping")
    unknown = set(raw) - {"version", "columns", "scales", "likert", "values", "free_text"}
    if unknown:
        raise _fail(source, f"unknown top-level keys {sorted(unknown)}")
    if path is not None:
        raw = _merge_with_default(raw, yaml.safe_load(default_text))

    columns = {
        normalise_header(k): normalise_header(v) for k, v in (raw.get("columns") or {}).items()
    }

    scales: dict[str, dict[str, dict]] = {}
    for family, keys in (raw.get("scales") or {}).items():
        if family not in SCALE_FAMILIES:
            raise _fail(
                source, f"unknown scale family {family!r}; expected one of {sorted(SCALE_FAMILIES)}"
            )
        allowed = SCALE_FAMILIES[family][1]
        scales[family] = {}
        for key, spec in (keys or {}).items():
            if key not in allowed:
                raise _fail(
                    source, f"unknown {family} key {key!r}; expected one of {list(allowed)}"
                )
            if not isinstance(spec, dict) or not ({"pattern", "items"} & set(spec)):
                raise _fail(source, f"scale {family}.{key} needs 'pattern' or 'items'")
            if "pattern" in spec:
                try:
                    re.compile(spec["pattern"])
                except re.error as exc:
                    raise _fail(
                        source, f"scale {family}.{key}: bad pattern {spec['pattern']!r} ({exc})"
                    ) from None
            scales[family][key] = spec

    likert: dict[str, float] = {}
    for num, labels in (raw.get("likert") or {}).items():
        try:
            value = float(num)
        except (TypeError, ValueError):
            raise _fail(source, f"likert key {num!r} is not a number") from None
        if not 1 <= value <= 5:
            raise _fail(source, f"likert key {num!r} is outside 1-5")
        for label in labels or []:
            likert[normalise_label(label)] = value

    values: dict[str, dict[str, str]] = {}
    for column, allowed in _CATEGORIES.items():
        mapping = {normalise_label(v): v for v in allowed}
        for canonical, synonyms in ((raw.get("values") or {}).get(column) or {}).items():
            if canonical not in allowed:
                raise _fail(source, f"values.{column}: {canonical!r} is not one of {list(allowed)}")
            for s in synonyms or []:
                mapping[normalise_label(s)] = canonical
        values[column] = mapping
    extra = set(raw.get("values") or {}) - set(_CATEGORIES)
    if extra:
        raise _fail(
            source, f"values: unknown columns {sorted(extra)}; expected {sorted(_CATEGORIES)}"
        )

    free_text = frozenset(normalise_header(c) for c in raw.get("free_text") or [])
    return Codebook(
        source=source,
        columns=columns,
        scales=scales,
        likert=likert,
        values=values,
        free_text=free_text,
    )
