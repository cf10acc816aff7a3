"""The run history: every ``aiadopt report`` run and the KPIs it published.

A SQLite file in the reports folder, ``<out>/history.sqlite`` (:data:`FILE`),
written by :func:`aiadopt.report.runner.run_reports` inside the month's lock
and read by ``aiadopt history`` or a notebook (:class:`History`). It holds
three tables:

``runs``
    One row per run, whatever its outcome: ``run_id``, ``period``,
    ``started_at``, ``finished_at`` (ISO 8601, UTC), ``status`` (one of
    :data:`STATUSES`), ``exit_code``, and as JSON text ``inputs`` (the
    manifest's ``inputs``: each table's file or database and checksum),
    ``parameters`` (the public ones: no data location, no password, no
    survey row), ``versions``; and ``aiadopt_version``.
``reports``
    Each report of a run: ``run_id``, ``unit``, ``file``, ``status``,
    ``reason``.
``kpis``
    The KPI values each published month shows, per unit, *after* privacy
    suppression: ``run_id``, ``period``, ``unit_level`` (``organisation``
    or ``department``), ``unit`` (the department; ``organisation`` for the
    organisation), ``kpi``, ``value``, ``suppressed``. A suppressed value is
    NULL with ``suppressed = 1``, never the hidden figure. A month's rows are
    replaced in one transaction when the month is published again.

The file holds no survey row and no personal data: only what the index of
each month already shows. It is opened in WAL mode, so a reader reads while
a run writes. The schema version is ``PRAGMA user_version``
(:data:`SCHEMA_VERSION`); the tables are created on first use.

Examples
--------
>>> import tempfile, pathlib
>>> history = History(pathlib.Path(tempfile.mkdtemp()) / FILE)
>>> run = history.record_run(
...     period="2026-10", status="ok", exit_code=0,
...     started_at="2026-11-01T06:00:00+00:00", finished_at="2026-11-01T06:05:00+00:00",
...     inputs=[{"table": "survey", "file": "survey.csv", "sha256": "ab12"}],
...     parameters={"lang": "en"}, versions={"aiadopt": "1.0"},
...     kpis=[{"unit_level": "organisation", "unit": "organisation",
...            "kpi": "active_use_cases", "value": 103.0, "suppressed": False}],
... )
>>> history.kpi_series()[["period", "unit", "kpi", "value"]].to_dict("records")
[{'period': '2026-10', 'unit': 'organisation', 'kpi': 'active_use_cases', 'value': 103.0}]
>>> history.last_published()["period"]
'2026-10'
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "FILE",
    "PUBLISHED",
    "SCHEMA_VERSION",
    "STATUSES",
    "History",
    "HistoryError",
    "history_path",
    "kpi_rows",
]

#: The history's file name in the reports folder.
FILE = "history.sqlite"
#: ``PRAGMA user_version`` of the schema below.
SCHEMA_VERSION = 1
#: A run's status: ``ok`` and ``partial`` published the month (``partial``:
#: some reports failed and keep their earlier version); ``failed``: nothing
#: published (every report failed, or an error stopped the run);
#: ``stopped``: SIGINT/SIGTERM; ``stale``: a scheduled run on data that did
#: not change since the last published month, nothing published;
#: ``unchanged``: the month is already published from the same inputs,
#: parameters and aiadopt version, nothing rewritten.
STATUSES = ("ok", "partial", "failed", "stopped", "stale", "unchanged")
#: The statuses of a run that published its month.
PUBLISHED = ("ok", "partial")
#: How long a connection waits for another one's write (milliseconds).
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    period TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'failed', 'stopped', 'stale', 'unchanged')),
    exit_code INTEGER,
    inputs TEXT NOT NULL,
    parameters TEXT NOT NULL,
    versions TEXT NOT NULL,
    aiadopt_version TEXT,
    note TEXT
);
CREATE INDEX runs_period ON runs (period);
CREATE TABLE reports (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    unit TEXT NOT NULL,
    file TEXT,
    status TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX reports_run ON reports (run_id);
CREATE TABLE kpis (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    period TEXT NOT NULL,
    unit_level TEXT NOT NULL,
    unit TEXT NOT NULL,
    kpi TEXT NOT NULL,
    value REAL,
    suppressed INTEGER NOT NULL DEFAULT 0 CHECK (suppressed IN (0, 1)),
    CHECK (suppressed = 0 OR value IS NULL),
    PRIMARY KEY (period, unit_level, unit, kpi)
);
"""

_RUN_COLUMNS = (
    "run_id",
    "period",
    "started_at",
    "finished_at",
    "status",
    "exit_code",
    "inputs",
    "parameters",
    "versions",
    "aiadopt_version",
    "note",
)
_JSON_COLUMNS = ("inputs", "parameters", "versions")


class HistoryError(RuntimeError):
    """The history file cannot be read: it does not exist yet, or it is not
    an aiadopt history (another file, or a newer schema)."""


def history_path(out: str | Path) -> Path:
    """The history file of the reports folder ``out``."""
    return Path(out) / FILE


def kpi_rows(index_kpis: Mapping[str | None, tuple[dict, dict | None]]) -> list[dict]:
    """The history's KPI rows from the index's headline KPIs.

    Parameters
    ----------
    index_kpis : mapping
        ``department`` (None for the organisation) -> ``(now, before)``, as
        the run computes them for the index (the reports' privacy
        suppression applied); only ``now`` is used.

    Returns
    -------
    list of dict
        One row per unit and KPI: ``unit_level``, ``unit``, ``kpi``,
        ``value`` (None where suppressed or undefined) and ``suppressed``.
    """
    from .present.formats import KPI_DISPLAY

    rows = []
    for unit, (now, _before) in index_kpis.items():
        for kpi in KPI_DISPLAY:
            suppressed = bool(now.get(f"{kpi}_suppressed", False))
            value = now.get(kpi)
            rows.append(
                {
                    "unit_level": "organisation" if unit is None else "department",
                    "unit": "organisation" if unit is None else str(unit),
                    "kpi": kpi,
                    "value": None if suppressed or value is None else float(value),
                    "suppressed": suppressed,
                }
            )
    return rows


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False, default=str)


class History:
    """The run history in ``path`` (a SQLite file; see the module's docs).

    Parameters
    ----------
    path : path
        The history file, normally ``<out>/history.sqlite``
        (:func:`history_path`).
    create : bool, default=True
        Create the file and its tables when they do not exist. With False,
        a missing file is a :class:`HistoryError` (readers).

    Raises
    ------
    HistoryError
        ``create=False`` and there is no history yet, or the file is not an
        aiadopt history.
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise HistoryError(f"{self.path}: no run history yet")
        self._create = create

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        mode = "rwc" if self._create else "rw"
        try:
            con = sqlite3.connect(
                f"file:{self.path}?mode={mode}",
                uri=True,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # transactions are explicit (BEGIN IMMEDIATE)
            )
        except sqlite3.OperationalError as exc:
            raise HistoryError(f"{self.path}: cannot open the run history ({exc})") from None
        try:
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._prepare(con)
            yield con
        finally:
            con.close()

    def _prepare(self, con: sqlite3.Connection) -> None:
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and self._create:
                con.execute("PRAGMA journal_mode = WAL")
                con.execute("BEGIN IMMEDIATE")
                try:
                    # Another process may have created the tables meanwhile.
                    if con.execute("PRAGMA user_version").fetchone()[0] == 0:
                        for statement in _SCHEMA.split(";"):
                            if statement.strip():
                                con.execute(statement)
                        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                version = SCHEMA_VERSION
        except sqlite3.DatabaseError as exc:
            raise HistoryError(f"{self.path}: not an aiadopt run history ({exc})") from None
        if version != SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: run history schema version {version}, this aiadopt reads "
                f"version {SCHEMA_VERSION}; use the aiadopt version that wrote it"
            )

    def record_run(
        self,
        *,
        period: str,
        status: str,
        exit_code: int | None,
        started_at: str | None,
        finished_at: str | None,
        inputs: list | None = None,
        parameters: Mapping | None = None,
        versions: Mapping | None = None,
        aiadopt_version: str | None = None,
        reports: Iterable[Mapping] = (),
        kpis: Iterable[Mapping] | None = None,
        note: str | None = None,
        run_id: str | None = None,
    ) -> str:
        """Add one run, its reports and (for a published month) its KPIs.

        Everything is written in one transaction (``BEGIN IMMEDIATE``): with
        ``kpis``, the month's earlier KPI rows are deleted and the new ones
        inserted, so a reader sees the month's old values or its new ones.

        Parameters
        ----------
        period : str
            ``YYYY-MM`` (or the period asked for, when the run stopped
            before the month was known).
        status : str
            One of :data:`STATUSES`.
        exit_code : int or None
            The command's exit status.
        started_at, finished_at : str or None
            ISO 8601 times.
        inputs, parameters, versions
            Stored as JSON: the manifest's ``inputs``, the public parameters
            (never a password or a survey row) and the package versions.
        reports : iterable of mapping
            ``unit``, ``file``, ``status``, ``reason`` of each report.
        kpis : iterable of mapping, optional
            The published month's KPI rows (:func:`kpi_rows`); only for a
            run that published (``status`` in :data:`PUBLISHED`).
        note : str, optional
            For ``stale`` and ``unchanged``: the month already published
            from the same inputs.
        run_id : str, optional
            Default: a new UUID.

        Returns
        -------
        str
            The run's id.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown run status {status!r}; expected one of {STATUSES}")
        if kpis is not None and status not in PUBLISHED:
            raise ValueError(f"a {status!r} run published nothing; it has no KPI rows")
        run_id = run_id or uuid.uuid4().hex
        row = (
            run_id,
            str(period),
            started_at,
            finished_at,
            status,
            exit_code,
            _dumps(inputs or []),
            _dumps(dict(parameters or {})),
            _dumps(dict(versions or {})),
            aiadopt_version,
            note,
        )
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute(
                    f"INSERT INTO runs ({', '.join(_RUN_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_RUN_COLUMNS))})",
                    row,
                )
                con.executemany(
                    "INSERT INTO reports (run_id, unit, file, status, reason) VALUES (?, ?, ?, ?, ?)",
                    [
                        (run_id, str(r["unit"]), r.get("file"), str(r["status"]), r.get("reason"))
                        for r in reports
                    ],
                )
                if kpis is not None:
                    con.execute("DELETE FROM kpis WHERE period = ?", (str(period),))
                    con.executemany(
                        "INSERT INTO kpis (run_id, period, unit_level, unit, kpi, value, suppressed) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            (
                                run_id,
                                str(period),
                                str(k["unit_level"]),
                                str(k["unit"]),
                                str(k["kpi"]),
                                None if k.get("suppressed") else k.get("value"),
                                int(bool(k.get("suppressed"))),
                            )
                            for k in kpis
                        ],
                    )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return run_id

    def _select(self, sql: str, parameters: tuple = ()) -> list[dict]:
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql, parameters)]

    @staticmethod
    def _decode(run: dict) -> dict:
        for column in _JSON_COLUMNS:
            run[column] = json.loads(run[column])
        return run

    def runs(self, period: str | None = None) -> list[dict]:
        """Every run (of ``period``, if given), oldest first.

        Each run is a dict of the ``runs`` columns (``inputs``, ``parameters``
        and ``versions`` decoded) and ``reports``: its reports' rows.
        """
        where, args = ("WHERE period = ?", (str(period),)) if period else ("", ())
        runs = [
            self._decode(r)
            for r in self._select(
                f"SELECT * FROM runs {where} ORDER BY started_at, finished_at, rowid", args
            )
        ]
        reports: dict[str, list[dict]] = {}
        for r in self._select("SELECT * FROM reports ORDER BY rowid"):
            reports.setdefault(r.pop("run_id"), []).append(r)
        for run in runs:
            run["reports"] = reports.get(run["run_id"], [])
        return runs

    def last_published(self, period: str | None = None) -> dict | None:
        """The latest run that published a month (of ``period``, if given):
        status ``ok`` or ``partial``, the latest to finish. None if none did."""
        where = "status IN ('ok', 'partial')" + (" AND period = ?" if period else "")
        rows = self._select(
            f"SELECT * FROM runs WHERE {where} ORDER BY finished_at DESC, rowid DESC LIMIT 1",
            (str(period),) if period else (),
        )
        return self._decode(rows[0]) if rows else None

    def kpi_series(self, unit: str | None = None, kpi: str | None = None) -> pd.DataFrame:
        """The published KPI values across months: one row per month, unit
        and KPI, oldest month first.

        Parameters
        ----------
        unit : str, optional
            Only this unit: a department's name, or ``organisation``.
        kpi : str, optional
            Only this KPI (e.g. ``active_use_cases``).

        Returns
        -------
        DataFrame
            Columns ``period``, ``unit_level``, ``unit``, ``kpi``, ``value``
            (NaN where suppressed or undefined), ``suppressed`` (bool) and
            ``run_id`` (the run that published the month).
        """
        import pandas as pd

        from .present.formats import KPI_DISPLAY

        where, args = [], []
        if unit is not None:
            where.append("unit = ?")
            args.append(unit)
        if kpi is not None:
            where.append("kpi = ?")
            args.append(kpi)
        sql = (
            "SELECT period, unit_level, unit, kpi, value, suppressed, run_id FROM kpis"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY period, unit_level != 'organisation', unit"
        )
        frame = pd.DataFrame(
            self._select(sql, tuple(args)),
            columns=["period", "unit_level", "unit", "kpi", "value", "suppressed", "run_id"],
        )
        order = {k: i for i, k in enumerate(KPI_DISPLAY)}
        frame["value"] = frame["value"].astype("float64")
        frame["suppressed"] = frame["suppressed"].astype(bool)
        frame = frame.assign(_order=frame["kpi"].map(order).fillna(len(order)))
        frame = frame.sort_values(
            ["period", "unit_level", "unit", "_order"],
            key=lambda s: s != "organisation" if s.name == "unit_level" else s,
            kind="stable",
        )
        return frame.drop(columns="_order").reset_index(drop=True)
