"""The results store: every unit's results of one run, computed once.

``aiadopt report`` used to let each report notebook load the whole
organisation and compute every unit's KPIs, trend and measures, and two
bootstrapped regressions, so a run cost grew with the square of the number
of departments. Now a run computes everything once (:func:`compute_results`),
keeps it in the run's folder (:meth:`Results.write`), and gives each report
only its slice (:meth:`Results.slice`), which the report's kernel reads
instead of the data (``Report(results=...)``).

What is in it
-------------
- ``kpis``: :func:`aiadopt.kpis.compute_kpis` of the period, every unit;
- ``trend``: :func:`aiadopt.kpis.compute_kpi_trend`, 12 months, every unit;
- ``measures``: :func:`aiadopt.measures.compute_measures` with the run's
  bootstrap (without the reader columns ``label`` and ``note``, which depend
  on the report's language and are added when a report reads them);
- ``priorities``: :func:`aiadopt.prioritisation.compute_priorities` of the
  organisation and of each department (column ``scope``: ``""`` for the
  organisation, else the department), as each report ranks them;
- ``pitfalls``: :func:`aiadopt.pitfalls.compute_pitfalls` of the period;
- the competency-to-ROI regressions (:func:`aiadopt.regression.fit_competency_roi`)
  of the organisation and of each department, with the run's bootstrap:
  their tables in ``regression_*.parquet``, the rest in ``results.json``;
- ``results.json``: the settings, the departments, the input files' names,
  the loader's warnings, and the run's privacy audit summary.

Everything in it is already after privacy suppression (docs/metrics.md §5):
a suppressed figure is NaN here as in every report. The fitted statsmodels
object and the per-use-case modelling table of a regression are not kept
(``RegressionResult.model`` is None and ``.table`` empty): the reports do
not show them; ``aiadopt regression`` and the analysts' notebooks compute them.

Format
------
A folder of Parquet files (pyarrow, the pandas dtypes kept) and one JSON
file. A report's slice is the same format with fewer rows: the
organisation, every department at department level (the reports compare
departments), and only its own department's teams; the trend of its own
unit and the organisation; its own priorities, pitfalls and regressions.

Examples
--------
>>> from aiadopt import load
>>> data = load("data/sample")  # doctest: +SKIP
>>> results = compute_results(data, period="latest", n_boot=200)  # doctest: +SKIP
>>> results.write("reports/store")  # doctest: +SKIP
>>> Results.read("reports/store").slice("Finance").kpis["unit"].tolist()[:2]  # doctest: +SKIP
['Organisation', 'Finance']
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FORMAT", "Results", "compute_results"]

#: Version of the store's layout, in ``results.json``; a reader refuses others.
FORMAT = 1

_TABLES = ("kpis", "trend", "measures", "priorities", "pitfalls")
_REG_TABLES = ("coefficients", "importance")
_META = "results.json"


@dataclass
class Results:
    """Every unit's results of one period (see the module docstring).

    Attributes
    ----------
    period : str
        ``YYYY-MM``.
    min_group_size, n_boot, seed : int
        The settings the results were computed with.
    departments : list of str
        Every department of the data (:func:`aiadopt.units.known_departments`).
    scopes : list of str or None
        The reports the store can serve: None (the organisation) and
        departments.
    kpis, trend, measures, priorities, pitfalls : DataFrame
    regressions : dict
        Department (None: the organisation) -> ``RegressionResult``.
    sources : dict
        Table -> the input file's name.
    warnings : list of dict
        The loader's warnings: ``code``, ``value``, ``file``, ``line`` and
        ``text`` (the warning in English, for warnings without a code).
    privacy : dict
        The run's privacy audit summary (empty when not audited).
    """

    period: str
    min_group_size: int
    n_boot: int
    seed: int
    departments: list[str]
    scopes: list[str | None]
    kpis: pd.DataFrame
    trend: pd.DataFrame
    measures: pd.DataFrame
    priorities: pd.DataFrame
    pitfalls: pd.DataFrame
    regressions: dict[str | None, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)
    privacy: dict = field(default_factory=dict)

    # -- one report's part --------------------------------------------------------
    def priorities_of(self, department: str | None) -> pd.DataFrame:
        """The ranked use cases as the report of ``department`` shows them."""
        frame = self.priorities[self.priorities["scope"] == (department or "")]
        return frame.drop(columns="scope").reset_index(drop=True)

    def slice(self, department: str | None) -> Results:
        """The part of the store the report of ``department`` (None: the
        organisation report) reads, and nothing else.

        Raises
        ------
        KeyError
            When the store was not computed for that report.
        """
        if department not in self.scopes:
            raise KeyError(
                f"the results store has no report for {department or 'the organisation'!r}; "
                f"it has: {', '.join(s or 'organisation' for s in self.scopes)}"
            )

        def visible(frame: pd.DataFrame) -> pd.DataFrame:
            keep = frame["level"].isin(["organisation", "department"])
            if department is not None:
                keep |= (frame["level"] == "team") & (frame["department"] == department)
            return frame[keep]

        trend = self.trend
        own = trend["level"] == "organisation"
        if department is not None:
            own |= (trend["level"] == "department") & (trend["unit"] == department)
        pitfalls = self.pitfalls
        if department is not None:
            pitfalls = pitfalls[pitfalls["department"] == department]
        scope = {None: self.regressions[None]}
        if department is not None:
            scope[department] = self.regressions[department]
        return replace(
            self,
            scopes=[department],
            kpis=visible(self.kpis),
            trend=trend[own],
            measures=visible(self.measures),
            priorities=self.priorities[self.priorities["scope"] == (department or "")],
            pitfalls=pitfalls,
            regressions=scope,
        )

    # -- files --------------------------------------------------------------------
    def to_files(self) -> dict[str, bytes]:
        """The store as file name -> bytes (what :meth:`write` writes)."""
        files = {f"{name}.parquet": _parquet(getattr(self, name)) for name in _TABLES}
        regs = {}
        for table in _REG_TABLES:
            parts = [
                getattr(reg, table).assign(scope=scope or "")
                for scope, reg in self.regressions.items()
            ]
            files[f"regression_{table}.parquet"] = _parquet(pd.concat(parts, ignore_index=True))
        sd = [
            pd.DataFrame(
                {
                    "scope": scope or "",
                    "predictor": reg.predictor_sd.index.astype(str),
                    "sd": reg.predictor_sd.to_numpy(dtype=float),
                }
            )
            for scope, reg in self.regressions.items()
        ]
        files["regression_predictor_sd.parquet"] = _parquet(pd.concat(sd, ignore_index=True))
        for scope, reg in self.regressions.items():
            regs[scope or ""] = _regression_meta(reg)
        meta = {
            "format": FORMAT,
            "period": self.period,
            "min_group_size": self.min_group_size,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "departments": list(self.departments),
            "scopes": [s or "" for s in self.scopes],
            "sources": self.sources,
            "warnings": self.warnings,
            "privacy": self.privacy,
            "regressions": regs,
        }
        files[_META] = (json.dumps(meta, indent=1, ensure_ascii=False, default=str) + "\n").encode(
            "utf-8"
        )
        return files

    def write(self, folder: str | Path) -> Path:
        """Write the store into ``folder`` (created; each file atomically)."""
        from ..atomic import write_bytes_atomic

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in self.to_files().items():
            write_bytes_atomic(folder / name, content)
        return folder

    @classmethod
    def read(cls, folder: str | Path) -> Results:
        """A store (or a report's slice of one) written by :meth:`write` or
        shipped as :meth:`to_files`.

        Raises
        ------
        FileNotFoundError, ValueError
            When ``folder`` is not a results store of this format.
        """
        folder = Path(folder)
        meta_path = folder / _META
        if not meta_path.is_file():
            raise FileNotFoundError(
                f"{folder} is not a results store: it has no {_META}. Pass the folder that "
                "aiadopt report wrote, or leave `results` empty to compute from the data."
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(
                f"{meta_path}: results store format {meta.get('format')!r}, this aiadopt reads "
                f"format {FORMAT}; run aiadopt report again to write it anew."
            )
        tables = {name: _read_parquet(folder / f"{name}.parquet") for name in _TABLES}
        reg_tables = {t: _read_parquet(folder / f"regression_{t}.parquet") for t in _REG_TABLES}
        sd = _read_parquet(folder / "regression_predictor_sd.parquet")
        regressions = {}
        for scope, info in meta["regressions"].items():
            regressions[scope or None] = _regression_from(
                info,
                {t: _part(frame, scope) for t, frame in reg_tables.items()},
                _part(sd, scope),
            )
        return cls(
            period=meta["period"],
            min_group_size=int(meta["min_group_size"]),
            n_boot=int(meta["n_boot"]),
            seed=int(meta["seed"]),
            departments=list(meta["departments"]),
            scopes=[s or None for s in meta["scopes"]],
            regressions=regressions,
            sources=dict(meta["sources"]),
            warnings=list(meta["warnings"]),
            privacy=dict(meta["privacy"]),
            **tables,
        )


def _part(frame: pd.DataFrame, scope: str) -> pd.DataFrame:
    return frame[frame["scope"] == scope].drop(columns="scope").reset_index(drop=True)


def _read_parquet(path: Path) -> pd.DataFrame:
    """One Parquet file as written by :func:`_parquet`. ``ParquetFile.read``
    rather than ``pd.read_parquet``, which goes through pyarrow's dataset
    layer: the same frame, but a report kernel loads ~15 MiB fewer libraries."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).read().to_pandas()


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.reset_index(drop=True).to_parquet(buf, engine="pyarrow", index=False)
    return buf.getvalue()


def _plain(value):
    """JSON-ready: numpy scalars as Python numbers, tuples as lists."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, np.floating):
        return float(value)
    return value


#: Fields of a RegressionResult kept in results.json; tuples among them come back as tuples.
_REG_SCALARS = (
    "n_observations",
    "n_excluded",
    "excluded_reasons",
    "r_squared",
    "adj_r_squared",
    "cv_r_squared",
    "condition_number",
    "scope",
    "department",
    "fallback",
    "fallback_params",
    "refusal_code",
    "refusal_params",
    "collinear",
    "dropped",
    "notes",
    "period",
    "predictors",
    "roi_sd",
    "n_profiles",
    "n_boot",
    "seed",
    "cv_folds",
)


def _regression_meta(reg) -> dict:
    out = {}
    for name in _REG_SCALARS:
        value = getattr(reg, name)
        if isinstance(value, float) and math.isnan(value):
            value = None  # strict JSON: NaN is written as null and read back as NaN
        out[name] = _plain(value)
    return out


def _regression_from(info: dict, tables: dict[str, pd.DataFrame], sd: pd.DataFrame):
    from ..regression import RegressionResult

    kwargs = dict(info)
    for name in ("r_squared", "adj_r_squared", "cv_r_squared", "condition_number", "roi_sd"):
        if kwargs.get(name) is None:
            kwargs[name] = float("nan")
    kwargs["predictors"] = tuple(kwargs["predictors"])
    kwargs["notes"] = [(code, params) for code, params in kwargs["notes"]]
    known = {f.name for f in fields(RegressionResult)}
    kwargs = {k: v for k, v in kwargs.items() if k in known}
    return RegressionResult(
        **kwargs,
        coefficients=tables["coefficients"],
        importance=tables["importance"],
        predictor_sd=pd.Series(
            sd["sd"].to_numpy(dtype=float), index=pd.Index(sd["predictor"], dtype=object)
        ),
    )


def compute_results(
    data,
    *,
    period: str = "latest",
    min_group_size: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    departments: list[str] | None = None,
    progress=None,
) -> Results:
    """Compute every result of one run once: the results store.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs (:func:`aiadopt.load`).
    period : str, default="latest"
    min_group_size : int, default=5
    n_boot : int, default=1000
        Bootstrap resamples of the measures' and regressions' intervals.
    seed : int, default=0
    departments : list of str, optional
        The department reports to serve (default: every department); the
        organisation report is always served.
    progress : callable, optional
        Called with a short description before each step (the runner shows
        it; the regressions of many departments take a while).

    Returns
    -------
    Results
    """
    from ..kpis import compute_kpi_trend, compute_kpis
    from ..measures import compute_measures
    from ..pitfalls import compute_pitfalls
    from ..prioritisation import compute_priorities
    from ..privacy import check_min_group_size
    from ..regression import fit_competency_roi
    from ..timeline import period_of
    from ..units import check_department, known_departments

    step = progress or (lambda text: None)
    k = check_min_group_size(min_group_size)
    p = str(period_of(data, period or "latest"))
    known = known_departments(data)
    scopes: list[str | None] = [None]
    for dept in known if departments is None else departments:
        scopes.append(check_department(data, dept))
    step("KPIs and their trend")
    kpis = compute_kpis(data, period=p, min_group_size=k)
    trend = compute_kpi_trend(data, period=p, months=12, min_group_size=k)
    step("survey measures")
    measures = compute_measures(data, period=p, min_group_size=k, n_boot=n_boot, seed=seed)
    step("priorities and pitfall signals")
    priorities = pd.concat(
        [compute_priorities(data, department=d).assign(scope=d or "") for d in scopes],
        ignore_index=True,
    )
    pitfalls = compute_pitfalls(data, period=p)
    regressions = {}
    for d in scopes:
        step(f"regression: {d or 'organisation'}")
        regressions[d] = fit_competency_roi(data, period=p, department=d, n_boot=n_boot, seed=seed)
    return Results(
        period=p,
        min_group_size=k,
        n_boot=n_boot,
        seed=seed,
        departments=list(known),
        scopes=scopes,
        kpis=kpis,
        trend=trend,
        measures=measures,
        priorities=priorities,
        pitfalls=pitfalls,
        regressions=regressions,
        sources={table: Path(str(path)).name for table, path in data.sources.items()},
        warnings=[
            {
                "code": w.code,
                "value": _plain(w.value),
                "file": w.file,
                "line": w.line,
                "text": str(w),
            }
            for w in data.warnings
        ],
    )
