"""``aiadopt report``: execute the report notebooks with papermill, publish
HTML, an index and a manifest for one month.

Guarantees
----------
- Parameters are checked against the notebooks' ``parameters`` cells and the
  data *before* any kernel starts (unknown names, types, departments).
- Each report runs in its own worker process and kernel. An exception, a
  timeout, a dead kernel or a notebook that stops early (``sys.exit``) marks
  that report failed with the reason; the others still complete.
- Files appear complete or not at all (temporary file, then rename). The
  month's reports are built in ``<out>/.runs/<period>-<stamp>/`` and
  published by atomically re-pointing the ``<out>/<period>`` symlink, so a
  reader sees the old month or the new one, never a mix. The manifest is
  written last. A lock file keeps two runs of one month from interleaving.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

__all__ = [
    "Job",
    "JobResult",
    "RunResult",
    "ReportLockedError",
    "ParameterError",
    "NOTEBOOKS",
    "default_notebooks_dir",
    "plan_jobs",
    "run_reports",
    "slugify",
    "validate_parameters",
]

NOTEBOOKS = {"organisation": "organisation_report.ipynb", "department": "department_report.ipynb"}
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_TYPES = {"str": str, "int": int, "float": float, "bool": bool}


class ParameterError(ValueError):
    """A report parameter is unknown, of the wrong type or refers to
    something that is not in the data."""


class ReportLockedError(RuntimeError):
    """Another run of the same month holds the lock."""


def default_notebooks_dir() -> Path:
    """The report notebooks shipped with the package: ``aiadopt/notebooks/``.

    In a source checkout these are links to the repository's top-level
    ``notebooks/`` (the copies analysts open in JupyterLab); an installed
    wheel or sdist carries the files themselves, so ``aiadopt report`` works
    from any directory after ``pip install``.
    """
    return Path(__file__).resolve().parents[1] / "notebooks"


def slugify(name: str) -> str:
    """A safe file-name part: ASCII letters, digits and ``-`` only, so no
    name from the data can reach outside the reports folder.

    >>> slugify("Klantenservice / Zakelijk ../..")
    'klantenservice-zakelijk'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:60].strip("-") or "unnamed"


@dataclass
class Job:
    kind: str  # "organisation" or "department"
    department: str | None
    title: str
    file: str
    notebook: str
    parameters: dict


@dataclass
class JobResult:
    kind: str
    department: str | None
    title: str
    file: str | None
    status: str  # "ok" or "failed"
    reason: str | None
    duration_s: float
    sha256: str | None = None


@dataclass
class RunResult:
    period: str
    directory: Path
    results: list[JobResult] = field(default_factory=list)
    manifest: Path | None = None

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failures


# -- parameters ------------------------------------------------------------------


def _declared(notebook: Path) -> dict[str, dict]:
    import papermill as pm

    try:
        return pm.inspect_notebook(str(notebook))
    except Exception as exc:  # a broken notebook file
        raise ParameterError(f"cannot read the parameters of {notebook}: {exc}") from None


def coerce_parameter(name: str, text: str, declared: dict[str, dict], notebook: Path) -> object:
    """Turn a ``NAME=VALUE`` given on the command line into the type the
    notebook declares. Strings stay strings: ``0042`` is ``"0042"``, not 42."""
    if name not in declared:
        raise ParameterError(
            f"unknown parameter {name!r} for {notebook.name}; it declares: {', '.join(sorted(declared))}"
        )
    kind = declared[name].get("inferred_type_name") or "str"
    try:
        if kind == "int":
            return int(text)
        if kind == "float":
            return float(text)
        if kind == "bool":
            if text.lower() in ("true", "1", "yes"):
                return True
            if text.lower() in ("false", "0", "no"):
                return False
            raise ValueError(text)
    except ValueError:
        raise ParameterError(f"parameter {name!r} of {notebook.name} must be {kind}, got {text!r}") from None
    return text


def validate_parameters(notebook: Path, parameters: dict) -> dict:
    """Check ``parameters`` against the notebook's ``parameters`` cell:
    every name must be declared there and every value of the declared type
    (an ``int`` parameter refuses ``"5"`` and ``True``; a ``str`` refuses 42).

    Raises
    ------
    ParameterError
        Listing every bad parameter.
    """
    declared = _declared(notebook)
    if not declared:
        raise ParameterError(f"{notebook.name} has no cell tagged 'parameters'")
    problems = []
    for name, value in parameters.items():
        if name not in declared:
            problems.append(f"unknown parameter {name!r} (declared: {', '.join(sorted(declared))})")
            continue
        kind = declared[name].get("inferred_type_name") or "None"
        expected = _TYPES.get(kind)
        if expected is None:
            continue  # untyped in the notebook: any literal is accepted
        ok = isinstance(value, expected) and not (expected is int and isinstance(value, bool))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            problems.append(f"parameter {name!r} must be {kind}, got {type(value).__name__} {value!r}")
    if problems:
        raise ParameterError(f"{notebook.name}: " + "; ".join(problems))
    return dict(parameters)


def plan_jobs(
    *,
    data,
    data_dir: Path,
    period: str,
    departments: list[str] | None,
    lang: str,
    min_group_size: int,
    n_boot: int,
    seed: int,
    codebook: str | None,
    notebooks_dir: Path,
    extra: dict[str, str] | None = None,
) -> list[Job]:
    """The reports of one run, with validated parameters (no kernel started)."""
    from ..labels import label
    from ..privacy import check_min_group_size

    if not _PERIOD.match(str(period)):
        raise ParameterError(f"period must be YYYY-MM, got {period!r}")
    if lang not in ("en", "nl"):
        raise ParameterError(f"lang must be 'en' or 'nl', got {lang!r}")
    try:
        check_min_group_size(min_group_size)
    except (TypeError, ValueError) as exc:
        raise ParameterError(str(exc)) from None
    if not isinstance(n_boot, int) or n_boot < 0:
        raise ParameterError(f"n_boot must be a non-negative integer, got {n_boot!r}")
    known = sorted(set(data.use_cases["department"].dropna()) | set(data.survey["department"].dropna()))
    if departments is None:
        departments = known
    unknown = [d for d in departments if d not in known]
    if unknown:
        raise ParameterError(f"unknown department(s) {unknown}; the data has: {', '.join(known)}")

    common = {
        "data_dir": str(Path(data_dir).resolve()),
        "period": str(period),
        "lang": lang,
        "min_group_size": min_group_size,
        "n_boot": n_boot,
        "seed": seed,
        "codebook": str(Path(codebook).resolve()) if codebook else "",
    }
    jobs = []
    used: set[str] = set()
    notebooks = {kind: Path(notebooks_dir) / name for kind, name in NOTEBOOKS.items()}
    for path in notebooks.values():
        if not path.is_file():
            raise ParameterError(f"report notebook {path} does not exist")
    extra_typed = {kind: {} for kind in notebooks}
    for kind, path in notebooks.items():
        declared = _declared(path)
        for name, text in (extra or {}).items():
            if name in common or name == "department":
                raise ParameterError(f"parameter {name!r} is set by aiadopt report itself; use its own option")
            if name in declared:
                extra_typed[kind][name] = coerce_parameter(name, text, declared, path)
        missing = [n for n in (extra or {}) if n not in declared and all(n not in _declared(p) for p in notebooks.values())]
        if missing:
            raise ParameterError(f"unknown parameter(s) {missing}: declared by neither report notebook")

    org_params = validate_parameters(notebooks["organisation"], {**common, **extra_typed["organisation"]})
    jobs.append(
        Job("organisation", None, label("text.organisation", lang), "organisation.html", str(notebooks["organisation"]), org_params)
    )
    used.add("organisation")
    for dept in departments:
        slug = "department-" + slugify(dept)
        n = 2
        base = slug
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        params = validate_parameters(notebooks["department"], {**common, "department": dept, **extra_typed["department"]})
        jobs.append(Job("department", dept, dept, f"{slug}.html", str(notebooks["department"]), params))
    return jobs


# -- one report (runs in a worker process) ------------------------------------------


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _incomplete(nb) -> str | None:
    """Why an executed notebook did not run to the end, or None.

    papermill raises for an exception in a cell, but not for ``sys.exit()``:
    IPython catches SystemExit and papermill stops with the remaining cells
    unexecuted and no error. So: every code cell must have run and completed,
    no error output may be present, and the last cell must print the mark.
    """
    from .sections import COMPLETION_MARK

    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code, start=1):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"{out.get('ename')}: {out.get('evalue')} (code cell {i})"
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if cell.get("execution_count") is None or status not in (None, "completed"):
            return f"the notebook stopped before code cell {i} completed"
    last = code[-1] if code else None
    printed = "".join(o.get("text", "") for o in (last.get("outputs", []) if last else []) if o.get("output_type") == "stream")
    if COMPLETION_MARK not in printed:
        return "the notebook did not reach its last cell (report.finish())"
    return None


def _quiet_worker() -> None:
    """Worker processes send the kernels' stderr chatter (ipykernel's TCP
    warning, tracebacks already captured in the notebook) to /dev/null, so
    the run's own log stays readable."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _run_one(job: Job, directory: str, timeout: float, kernel_name: str) -> JobResult:
    import nbformat
    import papermill as pm

    from .html import notebook_to_html

    start = time.monotonic()
    reason = None
    with tempfile.TemporaryDirectory(prefix="aiadopt-nb-") as work:
        executed = Path(work) / "executed.ipynb"
        try:
            pm.execute_notebook(
                job.notebook,
                str(executed),
                parameters=job.parameters,
                kernel_name=kernel_name,
                execution_timeout=timeout,
                progress_bar=False,
                log_output=False,
                cwd=str(Path(job.notebook).parent),
            )
        except pm.PapermillExecutionError as exc:
            reason = f"{exc.ename}: {exc.evalue} (cell {exc.exec_count})"
        except Exception as exc:  # nbclient: CellTimeoutError, DeadKernelError, ...
            name = type(exc).__name__
            if "Timeout" in name:
                reason = f"timed out: a cell ran longer than {timeout:g} s"
            elif "DeadKernel" in name:
                reason = "the kernel died (killed or crashed)"
            else:
                reason = f"{name}: {exc}"
        try:
            if reason is None:
                nb = nbformat.read(executed, as_version=4)
                reason = _incomplete(nb)
            if reason is None:
                page = notebook_to_html(nb, title=job.title, lang=job.parameters.get("lang", "en"))
                data = page.encode("utf-8")
                _write_atomic(Path(directory) / job.file, data)
                return JobResult(job.kind, job.department, job.title, job.file, "ok", None, time.monotonic() - start, hashlib.sha256(data).hexdigest())
        except Exception as exc:
            reason = f"publishing failed: {type(exc).__name__}: {exc}"
    reason = (reason or "unknown failure").strip().splitlines()[0][:300]
    return JobResult(job.kind, job.department, job.title, None, "failed", reason, time.monotonic() - start)


# -- the run ----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("aiadopt", "pandas", "numpy", "statsmodels", "scikit-learn", "matplotlib", "papermill", "nbconvert", "nh3"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _publish(out_root: Path, period: str, run_dir: Path) -> Path:
    """Point ``<out>/<period>`` at ``run_dir`` atomically (symlink swap) and
    remove the month's older runs."""
    target = out_root / period
    link_tmp = out_root / f".{period}.link-{os.getpid()}"
    link_tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(run_dir, out_root), link_tmp)
    if target.exists() and not target.is_symlink():
        # A real folder from elsewhere: move it aside first (not atomic, once).
        aside = run_dir.parent / f"{period}-replaced-{int(time.time())}"
        os.replace(target, aside)
    os.replace(link_tmp, target)
    for old in run_dir.parent.glob(f"{period}-*"):
        if old != run_dir and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    return target


def run_reports(
    data_dir: str | Path,
    *,
    period: str = "latest",
    departments: list[str] | None = None,
    lang: str = "en",
    workers: int = 1,
    out: str | Path = "reports",
    timeout: float = 600,
    min_group_size: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    codebook: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    parameters: dict[str, str] | None = None,
    kernel_name: str = "python3",
    progress: bool | None = None,
    log=None,
) -> RunResult:
    """Run the month's reports and publish them under ``<out>/<period>/``.

    Parameters
    ----------
    data_dir : path
        The organisation's data folder (validated before anything runs).
    period : str
        ``YYYY-MM`` or ``"latest"``.
    departments : list of str, optional
        Department reports to make (default: every department). The
        organisation report is always made.
    workers : int
        Reports executed in parallel (processes).
    timeout : float
        Seconds one notebook cell may run.
    parameters : dict, optional
        Extra ``NAME -> VALUE`` text for parameters the notebooks declare
        (custom notebooks); converted to the declared type.
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).

    Returns
    -------
    RunResult
        ``.ok`` is False when any report failed; the others are published.

    Raises
    ------
    DataValidationError, ParameterError
        Before any kernel starts.
    ReportLockedError
        When another run of the same month is in progress.
    """
    from filelock import FileLock, Timeout
    from tqdm import tqdm

    from ..io import load
    from .html import index_page

    log = log or (lambda msg: print(msg, file=sys.stderr))
    if not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be a positive integer, got {workers!r}")
    data = load(data_dir, codebook=codebook)
    for warning in data.warnings:
        log(f"warning: {warning}")
    period = str(data.resolve_period(period))
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    jobs = plan_jobs(
        data=data,
        data_dir=Path(data_dir),
        period=str(period),
        departments=departments,
        lang=lang,
        min_group_size=min_group_size,
        n_boot=n_boot,
        seed=seed,
        codebook=str(codebook) if codebook else None,
        notebooks_dir=notebooks_dir,
        extra=parameters,
    )

    # Privacy (METRICS.md §5): one suppression decision for the run, audited
    # before any kernel starts; a disclosure stops the run (nothing published).
    from ..privacy import audit_run

    privacy = audit_run(data, period=str(period), min_group_size=min_group_size).summary(min_group_size)

    out_root = Path(out)
    out_root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_root / f".{period}.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ReportLockedError(
            f"another aiadopt report run for {period} is in progress (lock {out_root / f'.{period}.lock'}); "
            "wait for it to finish"
        ) from None
    try:
        started = dt.datetime.now(dt.UTC)
        runs = out_root / ".runs"
        runs.mkdir(exist_ok=True)
        run_dir = Path(tempfile.mkdtemp(prefix=f"{period}-{started:%Y%m%dT%H%M%S}-", dir=runs))
        os.chmod(run_dir, 0o755)
        results: dict[int, JobResult] = {}
        bar = tqdm(total=len(jobs), desc=f"reports {period}", unit="report", disable=(not progress) if progress is not None else None)
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_quiet_worker) as pool:
            futures = {pool.submit(_run_one, job, str(run_dir), timeout, kernel_name): i for i, job in enumerate(jobs)}
            for fut in as_completed(futures):
                i = futures[fut]
                job = jobs[i]
                try:
                    res = fut.result()
                except Exception as exc:  # the worker process itself died
                    res = JobResult(job.kind, job.department, job.title, None, "failed", f"worker failed: {type(exc).__name__}: {exc}"[:300], 0.0)
                results[i] = res
                bar.update(1)
                bar.set_postfix_str(f"{job.title}: {res.status}")
                if res.status != "ok":
                    log(f"FAILED {job.title}: {res.reason}")
                elif bar.disable:  # no terminal (a scheduled run): one log line per report
                    log(f"[{len(results)}/{len(jobs)}] {job.title}: ok ({res.duration_s:.1f} s)")
        bar.close()
        ordered = [results[i] for i in range(len(jobs))]

        finished = dt.datetime.now(dt.UTC)
        index = index_page(period=str(period), rows=[asdict(r) for r in ordered], generated=finished, lang=lang)
        _write_atomic(run_dir / "index.html", index.encode("utf-8"))
        waves = data.survey["wave"]
        wave = waves[waves <= pd.Period(str(period), "M")].max()
        manifest = {
            "aiadopt_version": _versions().get("aiadopt"),
            "period": str(period),
            "survey_wave": None if wave is None or str(wave) == "NaT" else str(wave),
            "status": "ok" if all(r.status == "ok" for r in ordered) else ("failed" if all(r.status != "ok" for r in ordered) else "partial"),
            "started_at": started.isoformat(timespec="seconds"),
            "finished_at": finished.isoformat(timespec="seconds"),
            "duration_s": round((finished - started).total_seconds(), 2),
            "parameters": {k: v for k, v in jobs[0].parameters.items()} | {"workers": workers, "timeout_s": timeout},
            "inputs": [
                {"table": table, "file": str(Path(path).resolve()), "bytes": Path(path).stat().st_size, "sha256": _sha256(Path(path))}
                for table, path in sorted(data.sources.items())
            ],
            "notebooks": {kind: {"file": str(Path(notebooks_dir) / name), "sha256": _sha256(Path(notebooks_dir) / name)} for kind, name in NOTEBOOKS.items()},
            "versions": _versions(),
            "privacy": privacy,
            "reports": [
                {**asdict(r), "duration_s": round(r.duration_s, 2)} for r in ordered
            ],
        }
        manifest_path = run_dir / "manifest.json"
        _write_atomic(manifest_path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        target = _publish(out_root, str(period), run_dir)
        return RunResult(period=str(period), directory=target, results=ordered, manifest=target / "manifest.json")
    except BaseException:
        # Nothing half-written is published: the run folder was never linked.
        if "run_dir" in locals() and not (out_root / str(period)).resolve() == run_dir.resolve():
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
    finally:
        lock.release()
