"""Loading an organisation's inputs (docs/metrics.md §1) from a data folder
or a PostgreSQL database (:mod:`aiadopt.io.sql`).

The only code that touches input files and databases. Everything is validated once, here,
and *every* problem is collected before anything is raised: one
:class:`~aiadopt.errors.DataValidationError` lists them all, each with the
file, the line as the user sees it, the column, the bad value and the fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping as _Names
from pathlib import Path

import numpy as np
import pandas as pd

from ..codebook import Codebook, load_codebook
from ..dataset import Dataset
from ..errors import DataValidationError, Problem
from ..schema import TABLES
from ._read import EXTENSIONS, read_raw
from ._tables import Converted, convert_processes, convert_survey, convert_use_cases
from .exports import FORMAT_NAMES, Mapping, load_mapping, prepare_survey

__all__ = ["load", "load_use_cases", "load_processes", "load_survey", "find_table"]

_CONVERTERS = {
    "use_cases": convert_use_cases,
    "processes": convert_processes,
    "survey": convert_survey,
}


def find_table(folder: str | Path, table: str) -> Path:
    """The file holding ``table`` in ``folder``: ``<table>.csv``, ``.xlsx``
    or ``.parquet`` (also ``.tsv``, ``.txt``, ``.xlsm``, ``.pq``).

    Raises
    ------
    DataValidationError
        When the folder or the file is missing, or two files could be meant.
    """
    folder = Path(folder)
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {TABLES}")
    if not folder.is_dir():
        raise DataValidationError(
            [
                Problem(
                    file=str(folder),
                    rule="the data folder does not exist",
                    fix="Pass the folder that holds use_cases, processes and survey files.",
                )
            ]
        )
    found = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.stem.lower() == table and p.suffix.lower() in EXTENSIONS
    )
    if not found:
        names = ", ".join(f"{table}{ext}" for ext in (".csv", ".xlsx", ".parquet"))
        raise DataValidationError(
            [
                Problem(
                    file=f"{table}.*",
                    rule=f"missing file: {folder} holds none of {names}",
                    fix=f"Put the {table.replace('_', ' ')} table in the folder under one of those names.",
                )
            ]
        )
    if len(found) > 1:
        raise DataValidationError(
            [
                Problem(
                    file=found[0].name,
                    rule=f"more than one file for table {table!r} ({', '.join(p.name for p in found)})",
                    fix="Keep one of them in the folder.",
                )
            ]
        )
    return found[0]


def _convert(
    path: str | Path,
    table: str,
    codebook: Codebook,
    today: dt.date | None = None,
    *,
    survey_format: str = "auto",
    mapping: Mapping | None = None,
    notes: list[Problem] | None = None,
) -> Converted:
    if table != "survey":
        raw = read_raw(Path(path), table)
        return _CONVERTERS[table](raw, codebook, today=today)
    # The survey may be a survey tool's export (aiadopt.io.exports).
    raw = read_raw(Path(path), table, survey_tool=True)
    prepared = prepare_survey(raw, survey_format=survey_format, mapping=mapping, codebook=codebook)
    converted = convert_survey(prepared.raw, prepared.codebook, today=today)
    converted.problems = prepared.describe(converted.problems)
    if notes is not None:
        notes.extend(prepared.notes)
    converted.survey_format = prepared.format
    return converted


def _mapping(mapping, codebook: Codebook) -> Mapping | None:
    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    return load_mapping(mapping, codebook=codebook)


def _single(path, table, codebook, survey_format="auto", mapping=None) -> tuple[Converted, Path]:
    path = Path(path)
    if path.is_dir():
        path = find_table(path, table)
    elif not path.is_file():
        raise DataValidationError(
            [
                Problem(
                    file=path.name,
                    rule=f"missing file: {path} does not exist",
                    fix="Check the path.",
                )
            ]
        )
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    converted = _convert(
        path, table, cb, survey_format=survey_format, mapping=_mapping(mapping, cb)
    )
    if converted.problems:
        raise DataValidationError(converted.problems)
    return converted, path


def load_use_cases(
    path: str | Path, *, codebook: Codebook | str | Path | None = None
) -> pd.DataFrame:
    """Read and validate a use-case register (a file, or a folder holding
    ``use_cases.*``). Returns the canonical frame described in
    :class:`~aiadopt.dataset.Dataset`."""
    return _single(path, "use_cases", codebook)[0].frame


def load_processes(
    path: str | Path, *, codebook: Codebook | str | Path | None = None
) -> pd.DataFrame:
    """Read and validate a process catalogue (file or folder)."""
    return _single(path, "processes", codebook)[0].frame


def load_survey(
    path: str | Path,
    *,
    codebook: Codebook | str | Path | None = None,
    survey_format: str = "auto",
    mapping: Mapping | str | Path | None = None,
) -> pd.DataFrame:
    """Read and validate a survey export (file or folder). Item columns are
    renamed to ``<prefix>_<key>_<n>``; free-text and unknown columns are
    dropped. ``survey_format`` and ``mapping`` as in :func:`load`."""
    return _single(path, "survey", codebook, survey_format, mapping)[0].frame


def load(
    path: str | Path,
    *,
    codebook: Codebook | str | Path | None = None,
    today: dt.date | None = None,
    survey_format: str = "auto",
    mapping: Mapping | str | Path | None = None,
    schema: str | None = None,
    tables: str | _Names[str, str] | None = None,
) -> Dataset:
    """Load an organisation's data folder, or its PostgreSQL database.

    Parameters
    ----------
    path : str or Path
        Folder with ``use_cases``, ``processes`` and ``survey`` files, each
        ``.csv``, ``.xlsx`` or ``.parquet``; or a database URL (a ``str``)
        such as ``postgresql+psycopg://user@host:5432/database``, without a
        password (it comes from ``PGPASSWORD`` or ``~/.pgpass``;
        :mod:`aiadopt.io.sql`, docs/databases.md).
    codebook : Codebook, str or Path, optional
        The survey codebook; default: the shipped one (docs/metrics.md §1 names).
    today : date, optional
        The date of the run (default: today). Dates before 1990 or more
        than a year after it are errors, and ``Dataset.latest_period``
        never goes past its month.
    survey_format : {"auto", "aiadopt", "qualtrics", "msforms", "limesurvey"}, default="auto"
        The survey file is aiadopt's own table or a survey tool's export
        (:mod:`aiadopt.io.exports`); ``"auto"`` recognises it from its
        header. Previews, spam and unfinished responses of an export are
        left out and counted in ``Dataset.warnings``; its personal-data
        columns are dropped as it is read.
    mapping : Mapping, str or Path, optional
        A mapping file (YAML, docs/survey-exports.md) from the tool's
        question ids or texts to aiadopt's survey columns and from its
        answers to aiadopt's values; it extends ``codebook``. Not needed
        when the export's question ids are aiadopt's column names.
    schema : str, optional
        Database only: the tables' schema (default: the connection's
        current schema, normally ``public``).
    tables : str or mapping, optional
        Database only: table names other than ``use_cases``, ``processes``
        and ``survey``, as ``{"survey": "pulse"}`` or ``"survey=pulse"``.

    Returns
    -------
    Dataset

    Raises
    ------
    DataValidationError
        Listing every problem in all three files (tables).
    DataSourceError
        The database cannot be read (:class:`aiadopt.io.sql.DataSourceError`).

    Examples
    --------
    >>> import aiadopt
    >>> data = aiadopt.load("data/sample")  # doctest: +SKIP
    >>> data.survey["wave"].max()  # doctest: +SKIP
    Period('2026-10', 'M')
    """
    from .sql import is_database_url

    if survey_format not in FORMAT_NAMES:
        raise ValueError(
            f"unknown survey format {survey_format!r}; expected one of {', '.join(FORMAT_NAMES)}"
        )
    cb = codebook if isinstance(codebook, Codebook) else load_codebook(codebook)
    problems: list[Problem] = []
    converted: dict[str, Converted] = {}
    sources: dict[str, Path | str] = {}
    notes: list[Problem] = []
    if is_database_url(path):
        if survey_format not in ("auto", "aiadopt") or mapping is not None:
            raise ValueError(
                "survey_format and mapping read a survey tool's export file; the data source "
                "is a database (load the export into the survey table as aiadopt's columns, "
                "or give a folder)"
            )
        from .sql import read_tables

        raws, sources, problems = read_tables(path, codebook=cb, schema=schema, tables=tables)
        for table, raw in raws.items():
            converted[table] = _CONVERTERS[table](raw, cb, today=today)
            problems.extend(converted[table].problems)
    else:
        if schema is not None or tables is not None:
            raise ValueError(
                "schema and tables name the tables of a database; the data source "
                f"{str(path)!r} is a folder (give a database URL, or leave them out)"
            )
        try:
            survey_mapping = _mapping(mapping, cb)
        except DataValidationError as exc:
            problems.extend(exc.problems)
            survey_mapping = None
        for table in TABLES:
            try:
                file = find_table(path, table)
                sources[table] = file
                if (
                    table == "survey"
                    and problems
                    and mapping is not None
                    and survey_mapping is None
                ):
                    continue  # the mapping file is wrong: its problems say so
                converted[table] = _convert(
                    file,
                    table,
                    cb,
                    today,
                    survey_format=survey_format,
                    mapping=survey_mapping,
                    notes=notes,
                )
                problems.extend(converted[table].problems)
            except DataValidationError as exc:
                problems.extend(exc.problems)
                if not Path(path).is_dir():
                    break
    if {"use_cases", "survey"} <= set(converted):
        problems.extend(_cross_check_teams(converted["use_cases"], converted["survey"], sources))
    problems.extend(_check_spellings(converted, sources))
    if problems:
        raise DataValidationError(problems)
    survey = converted["survey"]
    return Dataset(
        use_cases=converted["use_cases"].frame,
        processes=converted["processes"].frame,
        survey=survey.frame,
        items=survey.items,
        sources=sources,
        dropped_columns=survey.dropped,
        today=today,
        warnings=tuple(notes) + tuple(_unused_departments(converted, sources)),
        survey_format=survey.survey_format,
        mapping=None if is_database_url(path) else survey_mapping,
    )


def _cross_check_teams(
    use_cases: Converted, survey: Converted, sources: dict[str, Path]
) -> list[Problem]:
    """A team must sit under the same department in the register and in the survey."""
    uc = use_cases.frame[["team", "department"]].dropna()
    sv = survey.frame[["team", "department"]].dropna().drop_duplicates("team")
    merged = uc.reset_index().merge(sv, on="team", suffixes=("", "_survey"))
    clash = merged[merged["department"] != merged["department_survey"]].drop_duplicates("team")
    if clash.empty:
        return []
    file = sources["use_cases"].name
    survey_file = sources["survey"].name
    out = []
    for row in clash.itertuples(index=False):
        out.append(
            Problem(
                file=file,
                rule=f"a team appears under two departments (here and in {survey_file})",
                fix="A team belongs to one department: make the register and the survey agree.",
                line=use_cases.locate(row.index),
                column=use_cases.header.get("team", "team"),
                value=f"{row.team} under {row.department!r}; in {survey_file} under {row.department_survey!r}",
            )
        )
    return out


#: Name columns compared across tables: column -> tables that hold it.
_NAME_COLUMNS: dict[str, tuple[str, ...]] = {
    "department": ("use_cases", "processes", "survey"),
    "team": ("use_cases", "survey"),
    "process": ("use_cases", "processes"),
    "use_case_id": ("use_cases",),
}


def _first_rows(values: pd.Series) -> dict[str, object]:
    """Distinct non-empty value -> index label of its first row."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    present = codes >= 0
    if not present.any():
        return {}
    _, first = np.unique(codes[present], return_index=True)
    labels = values.index[np.flatnonzero(present)[first]]
    return {str(uniques[c]): label for c, label in zip(codes[present][first], labels, strict=True)}


def _check_spellings(converted: dict[str, Converted], sources: dict[str, Path]) -> list[Problem]:
    """Names are kept normalised (:func:`~aiadopt.io._parse.normalise_name`);
    two names that still differ only in case, in one file or between files,
    are one unit spelled two ways: an error listing both."""
    out = []
    for column, tables in _NAME_COLUMNS.items():
        # casefold -> [(spelling, table, row label)]; the line of a row is
        # looked up only for a spelling that is reported (finding it reads
        # the file again).
        seen: dict[str, list[tuple[str, str, object]]] = {}
        for table in tables:
            conv = converted.get(table)
            if conv is None or column not in conv.frame:
                continue
            for spelling, label in _first_rows(conv.frame[column]).items():
                group = seen.setdefault(spelling.casefold(), [])
                if all(e[0] != spelling for e in group):
                    group.append((spelling, table, label))
        for group in seen.values():
            if len(group) < 2:
                continue
            first, *others = (
                (
                    spelling,
                    sources[table].name,
                    converted[table].locate(label),
                    converted[table].header.get(column, column),
                )
                for spelling, table, label in group
            )
            for spelling, file, line, shown in others:
                out.append(
                    Problem(
                        file=file,
                        rule=f"two spellings of one {column.replace('_', ' ')} differ only in case",
                        fix="Write the name the same way in every row and file, or give the units names that differ by more than case.",
                        line=line,
                        column=shown,
                        value=f"{spelling!r} here; {first[0]!r} in {first[1]} {first[2]}",
                    )
                )
    return out


def _unused_departments(converted: dict[str, Converted], sources: dict[str, Path]) -> list[Problem]:
    """Departments of the process catalogue with no use case and no survey
    row: often a typo, and their core processes count as processes without AI."""
    used = {
        str(v)
        for table in ("use_cases", "survey")
        for v in converted[table].frame["department"].dropna().unique()
    }
    processes = converted["processes"]
    out = []
    for name, label in _first_rows(processes.frame["department"]).items():
        if name in used:
            continue
        out.append(
            Problem(
                file=sources["processes"].name,
                rule="a department of the process catalogue has no use cases and no survey answers",
                fix="Check its spelling against the register and the survey; as it stands, its core processes count "
                "as core processes without AI.",
                line=processes.locate(label),
                column=processes.header.get("department", "department"),
                value=name,
                code="unused_department",
            )
        )
    return out
