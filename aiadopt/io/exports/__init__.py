"""Survey-tool exports: Qualtrics (CSV/TSV, current and legacy), Microsoft
Forms (xlsx) and LimeSurvey (CSV), read as aiadopt's survey table.

The export is recognised from its header (or named with
``--survey-format``). Reading one:

1. the tool's extra header rows (question text, ``{"ImportId": ...}``) are
   taken off, their lines still counted in error messages;
2. personal-data columns (IP address, names, e-mail, location, recipient
   and token fields) are dropped before anything else looks at the rows,
   and the file's text is not kept: they are never stored, cached or shown;
3. previews, spam and unfinished responses are left out and counted
   (:attr:`Prepared.notes`, shown as ``Dataset.warnings``);
4. the tool's question ids or texts are renamed to aiadopt's survey
   columns and its answers recoded, with a mapping file
   (:mod:`aiadopt.io.exports.mapping`); an export whose ids already are
   aiadopt's column names needs none.

What varies by tool sits in :data:`FORMATS`, one :class:`ExportFormat` each.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...codebook import Codebook, normalise_header, normalise_label
from ...errors import DataValidationError, Problem
from .._read import RawTable
from .mapping import FORMAT_NAMES, Mapping, load_mapping

__all__ = [
    "ExportFormat",
    "FORMATS",
    "FORMAT_NAMES",
    "Mapping",
    "Prepared",
    "load_mapping",
    "prepare_survey",
    "recognise",
]


def _names(*names: str) -> frozenset[str]:
    return frozenset(normalise_label(n) for n in names)


@dataclass(frozen=True)
class ExportFormat:
    """What one survey tool's export looks like.

    Column names are compared case- and whitespace-insensitively.

    Attributes
    ----------
    name : str
        The ``--survey-format`` name.
    title : str
        The tool's name, for messages.
    metadata : frozenset of str
        The tool's own columns (not answers): dropped after filtering,
        unless the mapping maps one.
    personal : frozenset of str
        Columns holding personal data: dropped at read time, never mapped.
    personal_prefixes : tuple of str
        Column-name prefixes that hold personal data too (``Recipient``).
    respondent : frozenset of str
        The tool's response id, the default source of ``respondent_id``.
    signature : callable
        ``(names) -> bool``: whether a header (normalised names) is this tool's.
    """

    name: str
    title: str
    metadata: frozenset[str]
    personal: frozenset[str]
    respondent: frozenset[str]
    signature: Callable[[set[str]], bool]
    personal_prefixes: tuple[str, ...] = ()

    def is_personal(self, column: str) -> bool:
        name = normalise_label(column)
        return name in self.personal or name.startswith(self.personal_prefixes)


_QUALTRICS_PERSONAL = _names(
    "IPAddress",
    "RecipientLastName",
    "RecipientFirstName",
    "RecipientEmail",
    "ExternalReference",
    "LocationLatitude",
    "LocationLongitude",
    # the legacy format's names
    "Name",
    "EmailAddress",
    "ExternalDataReference",
    "LocationAccuracy",
)
_QUALTRICS = ExportFormat(
    name="qualtrics",
    title="Qualtrics",
    metadata=_names(
        "StartDate",
        "EndDate",
        "Status",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "DistributionChannel",
        "UserLanguage",
        "ResponseSet",
    )
    | _QUALTRICS_PERSONAL,
    personal=_QUALTRICS_PERSONAL,
    personal_prefixes=("recipient", "location"),
    respondent=_names("ResponseId"),
    signature=lambda names: "responseid" in names and bool(names & _names("StartDate", "Finished")),
)

_FORMS_PERSONAL = _names("Email", "E-mail", "Name", "Naam")
_MSFORMS = ExportFormat(
    name="msforms",
    title="Microsoft Forms",
    metadata=_names(
        "ID",
        "Start time",
        "Completion time",
        "Last modified time",
        "Begintijd",
        "Tijd van voltooien",
        "Tijdstip van voltooien",
        "Tijdstip van laatste wijziging",
    )
    | _FORMS_PERSONAL,
    personal=_FORMS_PERSONAL,
    respondent=_names("ID"),
    signature=lambda names: (
        "id" in names
        and bool(names & _names("Start time", "Begintijd"))
        and bool(names & _names("Completion time", "Tijd van voltooien", "Tijdstip van voltooien"))
    ),
)

_LIME_PERSONAL = _names(
    "ipaddr",
    "token",
    "refurl",
    "firstname",
    "lastname",
    "email",
    "IP address",
    "Token",
    "Access code",
    "Referrer URL",
    "First name",
    "Last name",
    "Email address",
)
_LIMESURVEY = ExportFormat(
    name="limesurvey",
    title="LimeSurvey",
    metadata=_names(
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "startdate",
        "datestamp",
        "Response ID",
        "Date submitted",
        "Last page",
        "Start language",
        "Date started",
        "Date last action",
    )
    | _LIME_PERSONAL,
    personal=_LIME_PERSONAL,
    respondent=_names("id", "Response ID"),
    signature=lambda names: (
        bool(names & _names("submitdate", "Date submitted"))
        and bool(names & _names("id", "Response ID"))
    ),
)

_AIADOPT = ExportFormat(
    name="aiadopt",
    title="aiadopt",
    metadata=frozenset(),
    personal=frozenset(),
    respondent=frozenset(),
    signature=lambda names: False,
)

#: ``--survey-format`` name -> format; ``auto`` tries the tools in this order.
FORMATS: dict[str, ExportFormat] = {
    f.name: f for f in (_QUALTRICS, _MSFORMS, _LIMESURVEY, _AIADOPT)
}

_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"')
_LEGACY_ID = re.compile(r"^V\d+$")


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _text_column(values: pd.Series) -> pd.Series:
    """A column as stripped text (empty for missing)."""
    return values.astype(object).map(_cell)


@dataclass
class _Header:
    """The tool's header rows: per column its id, question text and ImportId."""

    ids: list[str]
    texts: list[str]
    import_ids: list[str]
    rows: int  # extra header rows under the first


def _qualtrics_rows(frame: pd.DataFrame) -> int:
    """How many rows under the header are Qualtrics' own (question text,
    ImportId): 2 for the current format, 1 for the legacy one."""
    head = [[_cell(v) for v in row] for row in frame.head(2).itertuples(index=False)]
    if not head:
        return 0
    if any(_IMPORT_ID.match(v) for v in head[0]):
        return 1
    if len(head) > 1 and any(_IMPORT_ID.match(v) for v in head[1]):
        return 2
    # The question-text row: "Response ID" under ResponseId (legacy:
    # "ResponseID" under V1), where responses hold R_ ids.
    texts = {normalise_label(v) for v in head[0]}
    return 1 if texts & {"response id", "responseid"} else 0


def _header(fmt: ExportFormat, raw: RawTable) -> _Header:
    frame = raw.frame
    ids = [str(c) for c in frame.columns]
    if fmt.name != "qualtrics":
        return _Header(ids=ids, texts=list(ids), import_ids=[""] * len(ids), rows=0)
    rows = _qualtrics_rows(frame)
    head = [[_cell(v) for v in row] for row in frame.head(rows).itertuples(index=False)]
    texts = head[0] if rows >= 1 and not any(_IMPORT_ID.match(v) for v in head[0]) else list(ids)
    import_ids = [""] * len(ids)
    json_row = next((r for r in head if any(_IMPORT_ID.match(v) for v in r)), None)
    if json_row is not None:
        for i, v in enumerate(json_row):
            try:
                import_ids[i] = str(json.loads(v).get("ImportId", ""))
            except (ValueError, AttributeError):
                import_ids[i] = ""
    # The legacy format names its columns V1, V2, ... and the metadata
    # (ResponseID, IPAddress, ...) in the row under them.
    for i, (col, text) in enumerate(zip(ids, texts, strict=True)):
        if _LEGACY_ID.match(col) and normalise_label(text) in fmt.metadata | _names("ResponseID"):
            ids[i] = text
    return _Header(ids=ids, texts=texts, import_ids=import_ids, rows=rows)


def recognise(raw: RawTable) -> str:
    """The survey tool that wrote ``raw`` (a name of :data:`FORMATS`), from
    its header; ``"aiadopt"`` when it is none of them."""
    names = {normalise_label(c) for c in raw.frame.columns}
    for fmt in FORMATS.values():
        if fmt.signature(names):
            return fmt.name
    head = raw.frame.head(2)
    if len(head) and any(_IMPORT_ID.match(_cell(v)) for v in np.ravel(head.to_numpy(dtype=object))):
        return "qualtrics"
    legacy = {normalise_label(_cell(v)) for v in raw.frame.head(1).to_numpy(dtype=object).ravel()}
    if "responseid" in legacy and any(_LEGACY_ID.match(str(c)) for c in raw.frame.columns):
        return "qualtrics"  # the legacy format: V1..Vn, with the names in the row under them
    return "aiadopt"


@dataclass
class Prepared:
    """A survey export made ready for the survey converter.

    Attributes
    ----------
    raw : RawTable
        Responses only, aiadopt's column names, personal data gone.
    codebook : Codebook
        The codebook extended by the mapping file.
    format : str
        The tool (a name of :data:`FORMATS`).
    tool_columns : dict
        aiadopt column -> the tool's column id it came from.
    left_out : dict
        Reason (``preview``, ``spam``, ``unfinished``) -> number of responses left out.
    notes : list of Problem
        The counts, as warnings for ``Dataset.warnings``.
    """

    raw: RawTable
    codebook: Codebook
    format: str
    tool_columns: dict[str, str] = field(default_factory=dict)
    left_out: dict[str, int] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)
    mapping: Mapping | None = None

    def describe(self, problems: list[Problem]) -> list[Problem]:
        """The survey converter's problems, naming the tool's column id with
        aiadopt's column and pointing at the mapping file in the fix."""
        out = []
        name = self.raw.name
        where = (
            f"the mapping file ({self.mapping.source})"
            if self.mapping
            else "a mapping file (--mapping)"
        )
        for p in problems:
            if p.file != name:
                out.append(p)
                continue
            changes = {}
            tool = self.tool_columns.get(p.column or "")
            if tool is not None and normalise_header(tool) != p.column:
                changes["column"] = f"{tool} (aiadopt: {p.column})"
            if self.format == "aiadopt":
                pass  # aiadopt's own table: the converter's fixes say it
            elif p.rule.startswith("unknown Likert label"):
                changes["fix"] = (
                    f"{p.fix} Or give the label its score in {where}, section 'likert'."
                )
            elif p.rule.startswith(_ANSWER_RULES):
                changes["fix"] = f"{p.fix} Or map the tool's answer in {where}, section 'answers'."
            elif p.rule.startswith("required column"):
                changes["fix"] = (
                    f"Map the tool's question onto it in {where}, section 'columns'"
                    + (
                        " (or give every response one wave with 'wave: YYYY-MM')"
                        if "'wave'" in p.rule
                        else ""
                    )
                    + "."
                )
            out.append(dataclasses.replace(p, **changes) if changes else p)
        return out


_ANSWER_RULES = ("unknown phase label", "value not in", "not a yes/no value")

#: Reasons a response is left out, in the order they are checked.
REASONS = ("preview", "spam", "unfinished")
_PREVIEW = _names("1", "2", "17", "Survey Preview", "Survey Test", "Offline Survey Preview")
_SPAM = _names("8", "9", "12", "Spam", "Preview Spam", "Imported Spam")
_FALSE = _names("0", "false", "no", "onwaar")


def _left_out(
    fmt: ExportFormat, frame: pd.DataFrame, ids: list[str]
) -> tuple[dict[str, pd.Series], dict[str, str]]:
    """Reason -> mask of responses left out, and reason -> the column that said so."""
    by_name = {normalise_label(i): frame.columns[n] for n, i in enumerate(ids)}
    masks: dict[str, pd.Series] = {}
    columns: dict[str, str] = {}
    none = pd.Series(False, index=frame.index)

    def values(name: str) -> pd.Series | None:
        col = by_name.get(normalise_label(name))
        return None if col is None else _text_column(frame[col]).map(normalise_label)

    if fmt.name == "qualtrics":
        status, channel, finished = (
            values("Status"),
            values("DistributionChannel"),
            values("Finished"),
        )
        preview = none.copy()
        if status is not None:
            preview |= status.isin(_PREVIEW)
            columns["preview"] = "Status"
        if channel is not None:
            preview |= channel.isin(_names("preview", "test"))
            columns["preview"] = "Status" if status is not None else "DistributionChannel"
        masks["preview"] = preview
        if status is not None:
            masks["spam"] = status.isin(_SPAM)
            columns["spam"] = "Status"
        if finished is not None:
            masks["unfinished"] = finished.isin(_FALSE)
            columns["unfinished"] = "Finished"
    elif fmt.name == "limesurvey":
        for name in ("submitdate", "Date submitted"):
            submitted = values(name)
            if submitted is not None:
                masks["unfinished"] = submitted == ""
                columns["unfinished"] = next(
                    i for i in ids if normalise_label(i) == normalise_label(name)
                )
                break
    return masks, columns


_NOTE_RULES = {
    "preview": "responses left out as survey previews or tests",
    "spam": "responses left out as spam",
    "unfinished": "responses left out as unfinished",
}


def _match(key: str, header: _Header) -> list[int]:
    """Positions of the columns a mapping key names: the tool's id exactly,
    else case-insensitively, else its ImportId, else its question text."""
    for test in (
        lambda i: header.ids[i] == key,
        lambda i: normalise_label(header.ids[i]) == normalise_label(key),
        lambda i: header.import_ids[i] != "" and header.import_ids[i] == key,
        lambda i: normalise_label(header.texts[i]) == normalise_label(key),
    ):
        found = [i for i in range(len(header.ids)) if test(i)]
        if found:
            return found
    return []


def prepare_survey(
    raw: RawTable,
    *,
    survey_format: str = "auto",
    mapping: Mapping | None = None,
    codebook: Codebook,
) -> Prepared:
    """Turn a survey file as read into the table the survey converter expects.

    Parameters
    ----------
    raw : RawTable
        The survey as read with ``read_raw(..., survey_tool=True)``.
    survey_format : {"auto", "aiadopt", "qualtrics", "msforms", "limesurvey"}, default="auto"
        The tool, or ``"auto"`` to recognise it from the header.
    mapping : Mapping, optional
        The mapping file (:func:`load_mapping`).
    codebook : Codebook

    Returns
    -------
    Prepared

    Raises
    ------
    DataValidationError
        Every problem at once: a format that does not fit the file, mapping
        keys that name no column, personal-data columns mapped, ...
    ValueError
        For a format name that does not exist.
    """
    if survey_format not in FORMAT_NAMES:
        raise ValueError(
            f"unknown survey format {survey_format!r}; expected one of {', '.join(FORMAT_NAMES)}"
        )
    name = raw.name
    found = recognise(raw)
    if survey_format == "auto":
        survey_format = found
        if found == "aiadopt" and mapping is not None and mapping.format:
            survey_format = mapping.format
    fmt = FORMATS[survey_format]
    if mapping is not None and mapping.format and mapping.format != fmt.name:
        raise DataValidationError(
            [
                Problem(
                    file=mapping.source,
                    rule=f"key format: the mapping file is for {FORMATS[mapping.format].title} exports, "
                    f"{name} is read as {_kind(fmt.name)}",
                    fix="Pass the mapping file written for this export, or correct --survey-format.",
                    value=mapping.format,
                )
            ]
        )
    if fmt.name == "aiadopt" and mapping is None:
        return Prepared(raw=raw, codebook=codebook, format=fmt.name)
    if fmt.name not in (found, "aiadopt"):
        seen = _kind(found)
        raise DataValidationError(
            [
                Problem(
                    file=name,
                    rule=f"the file is not a {fmt.title} export (its header is that of {seen})",
                    fix=f"Pass --survey-format {found} or auto"
                    + (
                        f", or correct 'format' in {mapping.source}"
                        if mapping and mapping.format
                        else ""
                    )
                    + ".",
                )
            ]
        )
    problems: list[Problem] = []
    header = _header(fmt, raw)
    frame = raw.frame
    # 1. Line numbers now, while the text is at hand; then the text goes (it
    # holds the personal data).
    if raw.kind == "csv":
        raw._line_numbers()
        raw._text = None
        raw._text_on_demand = False
    if header.rows:
        frame = frame.iloc[header.rows :]
    # 2. Personal data: gone before anything looks at the rows.
    extra_personal = set()
    if mapping is not None:
        for key in mapping.personal:
            hits = _match(key, header)
            if not hits:
                problems.append(_no_column(mapping, key, name, "personal"))
            extra_personal.update(hits)
    personal = [i for i, c in enumerate(header.ids) if fmt.is_personal(c) or i in extra_personal]
    refused: set[str] = set()  # mapping keys naming personal data
    if mapping is not None:
        for key, target in mapping.columns.items():
            if any(i in personal for i in _match(key, header)):
                refused.add(key)
                problems.append(
                    Problem(
                        file=mapping.source,
                        rule=f"key columns.{key}: the column holds personal data, which aiadopt drops when it reads the export",
                        fix=f"Remove the line; map {target!r} from another question.",
                        line=mapping.lines.get(key),
                        value=key,
                    )
                )
    frame = frame.drop(columns=[frame.columns[i] for i in personal])
    keep = [i for i in range(len(header.ids)) if i not in personal]
    header = _Header(
        ids=[header.ids[i] for i in keep],
        texts=[header.texts[i] for i in keep],
        import_ids=[header.import_ids[i] for i in keep],
        rows=header.rows,
    )
    # 3. Previews, spam, unfinished responses.
    masks, said_by = _left_out(fmt, frame, header.ids)
    gone = pd.Series(False, index=frame.index)
    left_out: dict[str, int] = {}
    notes: list[Problem] = []
    for reason in REASONS:
        if reason not in masks:
            continue
        mask = masks[reason] & ~gone
        gone |= mask
        n = int(mask.sum())
        if n:
            left_out[reason] = n
            notes.append(
                Problem(
                    file=name,
                    rule=_NOTE_RULES[reason],
                    fix="Nothing to do: they are not answers of the survey.",
                    column=said_by[reason],
                    value=n,
                    code=f"export_{reason}",
                )
            )
    if gone.any():
        frame = frame.loc[~gone]
    if len(frame) == 0:
        problems.append(
            Problem(
                file=name,
                rule="no responses are left after leaving out previews, spam and unfinished ones",
                fix="Export the survey again once responses are in.",
            )
        )
    # 4. The tool's columns -> aiadopt's.
    rename: dict[int, str] = {}
    if mapping is not None:
        for key, target in mapping.columns.items():
            hits = _match(key, header)
            if key in refused:
                continue
            if not hits:
                problems.append(_no_column(mapping, key, name, "columns"))
            elif len(hits) > 1:
                problems.append(
                    Problem(
                        file=mapping.source,
                        rule=f"key columns.{key}: names {len(hits)} columns of {name} "
                        f"({', '.join(header.ids[i] for i in hits)})",
                        fix="Use the tool's question id, which is unique.",
                        line=mapping.lines.get(key),
                        value=key,
                    )
                )
            else:
                rename[hits[0]] = target
    targets = set(rename.values())
    for i, tool_id in enumerate(header.ids):
        if i in rename:
            continue
        label = normalise_label(tool_id)
        if label in fmt.respondent and "respondent_id" not in targets:
            rename[i] = "respondent_id"
            targets.add("respondent_id")
    for i, tool_id in enumerate(header.ids):
        if i in rename:
            continue
        canonical = codebook.columns.get(normalise_header(tool_id), normalise_header(tool_id))
        if canonical in targets:
            problems.append(
                Problem(
                    file=name,
                    rule=f"two columns give {canonical!r}: this one and "
                    f"{next(header.ids[j] for j, t in rename.items() if t == canonical)!r}",
                    fix="Map one of them to another column in the mapping file, or remove one from the export.",
                    column=tool_id,
                )
            )
    dropped = [
        i
        for i, tool_id in enumerate(header.ids)
        if i not in rename and normalise_label(tool_id) in fmt.metadata
    ]
    columns = {}
    tool_columns: dict[str, str] = {}
    for i, col in enumerate(frame.columns):
        if i in dropped:
            continue
        target = rename.get(i, header.ids[i])
        columns[col] = target
        if i in rename:
            tool_columns[target] = header.ids[i]
    frame = frame[list(columns)].copy()
    frame.columns = list(columns.values())
    if mapping is not None and mapping.wave is not None:
        if "wave" in targets or "wave" in {normalise_header(c) for c in frame.columns}:
            problems.append(
                Problem(
                    file=mapping.source,
                    rule=f"key wave: the export has a wave column already ({tool_columns.get('wave', 'wave')})",
                    fix="Remove 'wave' from the mapping file, or the column from its 'columns'.",
                )
            )
        else:
            frame = frame.assign(wave=mapping.wave)
    if problems:
        raise DataValidationError(problems)
    # 5. Answers: the mapping's recodes; a multi-select answer of one choice is that choice.
    recode = mapping.answers if mapping is not None else {}
    for column in list(frame.columns):
        canonical = normalise_header(column)
        values = None
        if fmt.name == "msforms" and column in tool_columns:
            values = _text_column(frame[column])
            single = values.str.fullmatch(r"[^;]+;")
            values = values.where(~single, values.str[:-1])
            several = values.str.contains(";", regex=False)
            for pos in several.index[several.to_numpy()]:
                problems.append(
                    Problem(
                        file=name,
                        rule="a multi-select answer with more than one choice; aiadopt's column takes one",
                        fix="Make the question single-choice in the form, or map another question onto it.",
                        line=raw.where(pos),
                        column=f"{tool_columns[column]} (aiadopt: {canonical})",
                        value=values[pos],
                    )
                )
        if canonical in recode:
            values = _text_column(frame[column]) if values is None else values
            table = recode[canonical]
            values = values.map(lambda v, table=table: table.get(normalise_label(v), v))
        if values is not None:
            frame[column] = values.where(values != "", None)
    if problems:
        raise DataValidationError(problems)
    raw.frame = frame
    return Prepared(
        raw=raw,
        codebook=mapping.extend(codebook) if mapping is not None else codebook,
        format=fmt.name,
        tool_columns=tool_columns,
        left_out=left_out,
        notes=notes,
        mapping=mapping,
    )


def _kind(fmt: str) -> str:
    return "aiadopt's own survey table" if fmt == "aiadopt" else f"a {FORMATS[fmt].title} export"


def _no_column(mapping: Mapping, key: str, name: str, section: str) -> Problem:
    return Problem(
        file=mapping.source,
        rule=f"key {section}.{key}: no column of {name} has this id or question text",
        fix="Copy the question id (or its full text) from the export's header.",
        line=mapping.lines.get(key),
        value=key,
    )
