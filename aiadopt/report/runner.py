"""``aiadopt report``: execute the report notebooks with papermill, publish
HTML, an index and a manifest for one month.

The flow of :func:`run_reports`: plan (parameters and data checked, no
kernel started) -> prepare the output folder (is it ours, is it writable)
-> run the jobs in worker processes (or on a Dask cluster, ``--scheduler``),
which send back each report's page as bytes -> write the pages into the run
folder as they come -> decide what to publish (a failed report keeps its earlier version) -> write index and
manifest -> switch the month's link.

Guarantees
----------
- Parameters (``--timeout`` too) are checked against the notebooks'
  ``parameters`` cells and the data *before* any kernel starts.
- Each report runs in its own worker process and kernel. An exception, a
  timeout, a dead kernel or a notebook that stops early (``sys.exit``) marks
  that report failed with the reason; the others still complete.
- ``pdf=True`` (``--pdf``): the browser is found before anything runs
  (:func:`find_chromium`); each worker prints its page to PDF, sent back
  with the page and written to ``<report>.pdf`` in the run folder, published
  with the HTML. A PDF that fails makes the
  report failed (its earlier version, and PDF, are kept).
- Workers never write into the output folder: the process running
  :func:`run_reports` writes every file of the run. With ``scheduler``
  (``--scheduler``, docs/cluster.md) the jobs run on a Dask cluster: the
  cluster is checked before anything runs (reachable, workers with this
  aiadopt version; :class:`ClusterError`), each job carries its notebook and
  results slice as bytes, a worker lost while running a report makes the
  scheduler run it again (``allowed-failures``) and then fails that report
  only, and SIGINT/SIGTERM cancel the reports on the workers.
- The index's headline KPIs (this month and the previous one) are computed
  once in the plan step, with the reports' privacy suppression.
- Files appear complete or not at all (:mod:`aiadopt.atomic`), with the
  umask's permissions. The month's reports are built in
  ``<out>/.runs/<period>-<stamp>/`` and published by atomically re-pointing
  the ``<out>/<period>`` symlink, so a reader sees the old month or the new
  one, never a mix. The manifest is written last. A lock file keeps two runs
  of one month from interleaving.
- aiadopt deletes only what it created: a ``<out>/<period>`` that is not its
  own link, or anything in ``.runs/`` not named like its run folders, is
  never touched (:class:`OutputError`).
- Every run is recorded in the run history ``<out>/history.sqlite``
  (:mod:`aiadopt.history`) inside the month's lock, with the KPIs the
  published month shows; a history that cannot be written is a warning,
  never a lost month. Before the computation, a run may find it has
  nothing to publish: the month is already published from the same inputs,
  parameters and aiadopt version (``skip_unchanged``: "unchanged", nothing
  rewritten), or the latest month's data has not changed since an earlier
  month was published (``check_stale``: "stale"). :func:`backfill_reports`
  publishes a range of months, skipping the unchanged ones.
- A run publishes only if at least one report succeeded; a report that failed
  keeps its previously published version of the month, marked as such.
- An unwritable or full output folder stops the run with :class:`OutputError`
  and publishes nothing. SIGINT/SIGTERM stop the run the same way
  (:class:`RunInterrupted`): workers and kernels ended, lock released. Workers
  and kernels also end when the main process is killed outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import errno
import hashlib
import json
import math
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pandas as pd

__all__ = [
    "Job",
    "JobResult",
    "RunResult",
    "ReportLockedError",
    "OutputError",
    "ParameterError",
    "RunInterrupted",
    "CHROMIUM_NAMES",
    "backfill_reports",
    "ClusterError",
    "check_cluster",
    "check_timeout",
    "find_chromium",
    "print_pdf",
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


class OutputError(RuntimeError):
    """The reports folder cannot be used: ``<out>/<period>`` is something
    aiadopt did not create, or the folder is not writable or full. Nothing
    was published; the month's published reports are unchanged."""


class RunInterrupted(BaseException):
    """SIGINT or SIGTERM stopped the run (a ``BaseException``, like
    ``KeyboardInterrupt``, so no ``except Exception`` swallows it).

    Attributes
    ----------
    signum : int
        The signal received.
    published : bool
        True only when the signal arrived while the month's link was being
        switched: the switch was let finish, so the new run is published.
    exit_status : int
        ``128 + signum``: 130 for SIGINT, 143 for SIGTERM (shell convention).
    """

    def __init__(self, signum: int, published: bool = False) -> None:
        super().__init__(signum, published)
        self.signum = signum
        self.published = published
        self.exit_status = 128 + signum

    def __str__(self) -> str:
        return signal.Signals(self.signum).name


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
    #: The report's slice of the run's results store (:mod:`aiadopt.report.store`):
    #: file name -> bytes. The worker writes the files to a folder of its own
    #: and passes that folder as the notebook's ``results`` parameter, so the
    #: kernel reads only its unit's results and never the data; the bytes
    #: travel with the job, so a worker on another machine needs no shared
    #: filesystem for them.
    results: dict[str, bytes] = field(default_factory=dict, repr=False)


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
    #: For a failed report whose earlier version is published instead: when
    #: the run that made that version finished (ISO 8601, UTC).
    earlier_run: str | None = None
    #: The report printed to PDF (``--pdf``): its file name and checksum.
    pdf: str | None = None
    pdf_sha256: str | None = None


@dataclass
class RunResult:
    """What a run did. ``published`` is False when every report failed: then
    nothing was published and ``directory`` still shows the earlier run (if
    there was one)."""

    period: str
    directory: Path
    results: list[JobResult] = field(default_factory=list)
    manifest: Path | None = None
    published: bool = True
    #: ``"unchanged"``: the month is already published from the same inputs,
    #: parameters and aiadopt version, and nothing was rewritten;
    #: ``"stale"``: a run for the latest month on data that did not change
    #: since :attr:`since` was published, and nothing was published. None
    #: for a run that ran its reports.
    skipped: str | None = None
    #: For ``skipped``: the month published earlier from the same inputs.
    since: str | None = None
    #: Why the run could not be written to the run history (it was still
    #: published), if it could not.
    history_error: str | None = None

    @property
    def failures(self) -> list[JobResult]:
        return [r for r in self.results if r.status != "ok"]

    @property
    def kept(self) -> list[JobResult]:
        """Failed reports whose earlier version is published instead."""
        return [r for r in self.results if r.status != "ok" and r.earlier_run]

    @property
    def ok(self) -> bool:
        return not self.failures


# -- parameters ------------------------------------------------------------------


def check_timeout(timeout: object) -> int:
    """``timeout`` as a positive whole number of seconds.

    Raises
    ------
    ParameterError
        For 0, a negative or fractional number, NaN, infinity, a bool or text.

    Examples
    --------
    >>> check_timeout(600)
    600
    >>> check_timeout(2.5)
    Traceback (most recent call last):
    ...
    aiadopt.report.runner.ParameterError: timeout must be a positive whole number of seconds (e.g. 600), got 2.5
    """
    value = None
    if isinstance(timeout, int) and not isinstance(timeout, bool):
        value = timeout
    elif isinstance(timeout, float) and math.isfinite(timeout) and timeout.is_integer():
        value = int(timeout)
    if value is None or value < 1:
        raise ParameterError(
            f"timeout must be a positive whole number of seconds (e.g. 600), got {timeout!r}"
        )
    return value


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
        raise ParameterError(
            f"parameter {name!r} of {notebook.name} must be {kind}, got {text!r}"
        ) from None
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
            problems.append(
                f"parameter {name!r} must be {kind}, got {type(value).__name__} {value!r}"
            )
    if problems:
        raise ParameterError(f"{notebook.name}: " + "; ".join(problems))
    return dict(parameters)


#: Notebook parameters that say how the notebook reads the data on its own,
#: which ``aiadopt report`` does with its own options instead.
_READ_OPTIONS = ("survey_format", "mapping", "schema", "tables")


def plan_jobs(
    *,
    data,
    data_dir: Path | str,
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
    from ..io.sql import is_database_url
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
    from ..units import known_departments

    known = known_departments(data)
    if departments is None:
        departments = known
    unknown = [d for d in departments if d not in known]
    if unknown:
        raise ParameterError(f"unknown department(s) {unknown}; the data has: {', '.join(known)}")

    common = {
        # A database URL reaches the notebooks as it is (it holds no password).
        "data_dir": data_dir if is_database_url(data_dir) else str(Path(data_dir).resolve()),
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
            # How the data is read (--survey-format, --mapping, --schema,
            # --tables): the run reads it once, the reports get its results.
            if name in common or name in ("department", "results", *_READ_OPTIONS):
                raise ParameterError(
                    f"parameter {name!r} is set by aiadopt report itself; use its own option"
                )
            if name in declared:
                extra_typed[kind][name] = coerce_parameter(name, text, declared, path)
        missing = [
            n
            for n in (extra or {})
            if n not in declared and all(n not in _declared(p) for p in notebooks.values())
        ]
        if missing:
            raise ParameterError(
                f"unknown parameter(s) {missing}: declared by neither report notebook"
            )

    org_params = validate_parameters(
        notebooks["organisation"], {**common, **extra_typed["organisation"]}
    )
    jobs.append(
        Job(
            "organisation",
            None,
            label("text.organisation", lang),
            "organisation.html",
            str(notebooks["organisation"]),
            org_params,
        )
    )
    used.add("organisation")
    for dept in departments:
        slug = "department-" + slugify(dept)
        n = 2
        base = slug
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        params = validate_parameters(
            notebooks["department"], {**common, "department": dept, **extra_typed["department"]}
        )
        jobs.append(
            Job("department", dept, dept, f"{slug}.html", str(notebooks["department"]), params)
        )
    return jobs


# -- printing to PDF (--pdf) -------------------------------------------------------------

#: Browser commands looked for on ``PATH`` when no path is given.
CHROMIUM_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome")


class PdfError(RuntimeError):
    """The browser did not print the page to a PDF."""


def find_chromium(path: str | os.PathLike | None = None) -> str:
    """The browser that prints the reports to PDF.

    Looked for in this order: ``path`` (``--chromium``), the environment
    variable ``AIADOPT_CHROMIUM``, then ``chromium``, ``chromium-browser`` or
    ``google-chrome`` on ``PATH``.

    Raises
    ------
    ParameterError
        When a given path is not an executable file, or no browser is found;
        the message names every way to give one.
    """
    how = (
        "give its path with --chromium PATH (run_reports(chromium=...)) or the environment variable "
        f"AIADOPT_CHROMIUM, or install one so that {', '.join(CHROMIUM_NAMES)} is on PATH "
        "(Debian: apt-get install chromium)"
    )
    for source, given in (
        ("--chromium", path),
        ("AIADOPT_CHROMIUM", os.environ.get("AIADOPT_CHROMIUM")),
    ):
        if given:
            found = shutil.which(str(given))
            if found is None or not Path(found).is_file():
                raise ParameterError(
                    f"{source}: {str(given)!r} is not an executable browser; {how}"
                )
            return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise ParameterError(f"--pdf needs chromium to print the reports, and none was found; {how}")


#: Flags for a headless chromium without network or sandbox (containers, CI,
#: closed networks): without them it waits on updates and sync. The browser
#: tests launch chromium with the same flags.
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def print_pdf(chromium: str, page: Path, pdf: Path, *, timeout: int = 600) -> bytes:
    """Print the HTML file ``page`` to ``pdf`` with headless chromium (A4 and
    margins from the page's print CSS, no header or footer) and return its bytes.

    The browser runs with a fresh profile and no network services; the PDF
    appears complete or not at all (:mod:`aiadopt.atomic`).

    Raises
    ------
    PdfError
        The browser failed, timed out or wrote no PDF.
    OSError
        ``pdf`` could not be written.
    """
    import subprocess

    from ..atomic import write_bytes_atomic

    with tempfile.TemporaryDirectory(prefix="aiadopt-chromium-") as work:
        out = Path(work) / "page.pdf"
        command = [
            chromium,
            "--headless",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            Path(page).resolve().as_uri(),
        ]
        try:
            proc = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
            )
        except OSError as exc:
            raise PdfError(f"cannot start {chromium}: {exc.strerror or exc}") from None
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfError(
                f"{Path(chromium).name} did not finish printing {Path(page).name} within {timeout} s"
            ) from None
        finally:
            if proc.poll() is None:  # interrupted: the browser goes with the run
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
        data = out.read_bytes() if out.is_file() else b""
        if proc.returncode != 0 or not data.startswith(b"%PDF-"):
            last = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()][
                -1:
            ]
            raise PdfError(
                f"{Path(chromium).name} exited with status {proc.returncode} and "
                + ("an invalid PDF" if data else "no PDF")
                + (f" ({last[0][:200]})" if last else "")
            )
    write_bytes_atomic(pdf, data, fsync=True)
    return data


# -- one report (runs in a worker process) ------------------------------------------


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
    printed = "".join(
        o.get("text", "")
        for o in (last.get("outputs", []) if last else [])
        if o.get("output_type") == "stream"
    )
    if COMPLETION_MARK not in printed:
        return "the notebook did not reach its last cell (report.finish())"
    return None


def _end_descendants() -> None:
    """Kill every process this process started (the kernels) and what they
    started. Kernels run in their own session (jupyter_client), so each
    child's whole process group is killed; a kernel of a stopped run has
    nothing worth saving, so SIGKILL at once."""
    import psutil

    try:
        family = psutil.Process().children(recursive=True)
    except psutil.Error:
        return
    own_group = os.getpgid(0)
    for proc in family:
        with contextlib.suppress(ProcessLookupError, PermissionError, psutil.Error):
            group = os.getpgid(proc.pid)
            if group != own_group:
                os.killpg(group, signal.SIGKILL)
            proc.kill()
    psutil.wait_procs(family, timeout=3)


def _worker_exit(signum: int = signal.SIGTERM, frame=None) -> None:
    """End this worker's kernels, then the worker itself, at once."""
    try:
        _end_descendants()
    finally:
        os._exit(128 + int(signum))


def _main_alive(main: int) -> bool:
    import psutil

    try:
        return psutil.Process(main).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _watch_parent(parent: int, main: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent or not _main_alive(
            main
        ):  # re-parented, or the main process is gone
            _worker_exit()


def _init_worker(main: int) -> None:
    """Set up a worker process.

    - The kernels' stderr chatter (ipykernel's TCP warning, tracebacks already
      captured in the notebook) goes to /dev/null, so the run's log stays readable.
    - SIGINT is ignored: Ctrl-C reaches the whole process group and the main
      process decides; SIGTERM ends the worker's kernels and the worker.
    - When the main process dies, even by ``kill -9``, the worker ends its
      kernels and exits: on Linux the kernel sends it SIGTERM
      (``PR_SET_PDEATHSIG``), and everywhere a thread watches the parent and
      ``main`` (the pid of the process running :func:`run_reports`).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_exit)
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(
                1, int(signal.SIGTERM), 0, 0, 0
            )  # PR_SET_PDEATHSIG
    if not _main_alive(main):  # died before the death signal was set up
        _worker_exit()
    threading.Thread(
        target=_watch_parent, args=(parent, main), name="aiadopt-parent-watch", daemon=True
    ).start()


@dataclass
class _Made:
    """What a worker sends back for one report: its result and, when it
    succeeded, the page (and PDF) as bytes. The process running
    :func:`run_reports` writes them into the run folder (:func:`_keep_page`),
    so a worker needs no access to the output folder."""

    result: JobResult
    page: bytes | None = field(default=None, repr=False)
    pdf: bytes | None = field(default=None, repr=False)


def _failed(job: Job, reason: str, duration_s: float = 0.0) -> JobResult:
    reason = (reason or "unknown failure").strip().splitlines()[0][:300]
    return JobResult(job.kind, job.department, job.title, None, "failed", reason, duration_s)


def _run_one(job: Job, timeout: int, kernel_name: str, chromium: str | None = None) -> _Made:
    """Execute one notebook and return its page (and, with ``chromium``, the
    page printed to PDF) as bytes; nothing is written outside a temporary
    folder of the worker's own. A failure of the report or of its PDF is a
    failed :class:`JobResult` without bytes."""
    import nbformat
    import papermill as pm

    from .html import notebook_to_html, page_title

    start = time.monotonic()
    reason = None
    data = printed = None
    with tempfile.TemporaryDirectory(prefix="aiadopt-nb-") as work:
        executed = Path(work) / "executed.ipynb"
        parameters = dict(job.parameters)
        if job.results:
            folder = Path(work) / "results"
            folder.mkdir()
            for name, content in job.results.items():
                (folder / Path(name).name).write_bytes(content)
            parameters["results"] = str(folder)
        try:
            pm.execute_notebook(
                job.notebook,
                str(executed),
                parameters=parameters,
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
                reason = f"timed out: a cell ran longer than {timeout} s"
            elif "DeadKernel" in name:
                reason = "the kernel died (killed or crashed)"
            else:
                reason = f"{name}: {exc}"
        try:
            if reason is None:
                nb = nbformat.read(executed, as_version=4)
                reason = _incomplete(nb)
            if reason is None:
                lang = job.parameters.get("lang", "en")
                title = page_title(job.title, str(job.parameters.get("period", "")), lang)
                data = notebook_to_html(nb, title=title, lang=lang).encode("utf-8")
        except Exception as exc:
            reason = f"publishing failed: {type(exc).__name__}: {exc}"
        if data is not None and chromium:
            page = Path(work) / Path(job.file).name
            page.write_bytes(data)
            try:
                printed = print_pdf(chromium, page, Path(work) / "page.pdf", timeout=timeout)
            except PdfError as exc:  # a report without its PDF is not published
                reason = f"printing the PDF failed: {exc}"
    if data is None or reason is not None:
        return _Made(_failed(job, reason, time.monotonic() - start))
    return _Made(
        JobResult(
            job.kind,
            job.department,
            job.title,
            job.file,
            "ok",
            None,
            time.monotonic() - start,
            hashlib.sha256(data).hexdigest(),
            pdf=Path(job.file).with_suffix(".pdf").name if printed is not None else None,
            pdf_sha256=hashlib.sha256(printed).hexdigest() if printed is not None else None,
        ),
        page=data,
        pdf=printed,
    )


def _keep_page(made: _Made, job: Job, run_dir: Path) -> JobResult:
    """Write a report's page (and PDF) into the run folder, each complete or
    not at all. An ``OSError`` (disk full, read-only) is raised: the run
    stops and publishes nothing."""
    from ..atomic import write_bytes_atomic

    if made.page is not None:
        write_bytes_atomic(run_dir / job.file, made.page, fsync=True)
        if made.pdf is not None and made.result.pdf:
            write_bytes_atomic(run_dir / made.result.pdf, made.pdf, fsync=True)
    return made.result


# -- the output folder ------------------------------------------------------------------

_RUN_NAME = (
    r"{period}-\d{{8}}T\d{{6}}-[a-z0-9_]{{8}}"  # what tempfile.mkdtemp makes in _new_run_dir
)


def _is_run_name(name: str, period: str) -> bool:
    return re.fullmatch(_RUN_NAME.format(period=re.escape(period)), name) is not None


def _is_own_link(link: Path, period: str) -> bool:
    """True for the link aiadopt makes: ``<out>/<period> -> .runs/<run folder>``."""
    if not link.is_symlink():
        return False
    target = Path(os.readlink(link))
    return (
        not target.is_absolute()
        and len(target.parts) == 2
        and target.parts[0] == ".runs"
        and _is_run_name(target.parts[1], period)
    )


def _describe(path: Path) -> str:
    if path.is_symlink():
        return f"a link to {os.readlink(path)!r}"
    if path.is_dir():
        names = sorted(p.name for p in path.iterdir())
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        return f"a folder with {len(names)} entr{'y' if len(names) == 1 else 'ies'}" + (
            f" ({shown})" if names else ""
        )
    if path.is_file():
        return f"a file of {path.stat().st_size} bytes"
    return "something other than a file or folder"


def _check_month_is_ours(out_root: Path, period: str) -> None:
    target = out_root / period
    if os.path.lexists(target) and not _is_own_link(target, period):
        raise OutputError(
            f"{target} is {_describe(target)}, which aiadopt did not create. aiadopt publishes a month as a "
            f"link to a run folder in {out_root / '.runs'} and never deletes what it did not make. "
            f"Move or rename {target}, or choose another --out."
        )


def _published_note(out_root: Path, period: str) -> str:
    return (
        f"the published {period} is unchanged"
        if _is_own_link(out_root / period, period)
        else f"nothing was published for {period}"
    )


def _os_error_message(exc: OSError, out_root: Path, period: str) -> str:
    where = exc.filename or out_root
    code = errno.errorcode.get(exc.errno or 0, "")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = "The disk is full: free space or choose another --out"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        fix = f"{out_root} is not writable: make it writable or choose another --out"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
        fix = "--out must be a folder (or a path where one can be made), not a file"
    else:
        fix = "Check the folder or choose another --out"
    detail = f"{exc.strerror or exc}" + (f" ({code})" if code else "")
    return (
        f"cannot write the reports: {where}: {detail}. {fix}; {_published_note(out_root, period)}."
    )


@contextlib.contextmanager
def _output_errors(out_root: Path, period: str):
    """Turn an ``OSError`` on the output folder into an :class:`OutputError`
    that says where, what and the fix."""
    try:
        yield
    except OSError as exc:
        raise OutputError(_os_error_message(exc, out_root, period)) from None


def _prepare_out(out_root: Path, period: str) -> None:
    """``--out`` is (or can become) a folder we can write to, and
    ``<out>/<period>`` is absent or our own link. No kernel has started."""
    if out_root.exists() and not out_root.is_dir():
        raise OutputError(
            f"--out {out_root} is {_describe(out_root)}, not a folder. Choose a folder for the reports "
            f"(it is created if missing); nothing was published for {period}."
        )
    _check_month_is_ours(out_root, period)
    with _output_errors(out_root, period):
        out_root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".aiadopt-probe-", dir=out_root)
        os.close(fd)
        os.unlink(probe)


def _new_run_dir(out_root: Path, period: str, started: dt.datetime) -> Path:
    """An empty run folder in ``<out>/.runs/``, and proof that the month's
    link can be made (a trial link, removed again)."""
    from ..atomic import folder_mode

    runs = out_root / ".runs"
    runs.mkdir(exist_ok=True)
    run_dir = Path(tempfile.mkdtemp(prefix=f"{period}-{started:%Y%m%dT%H%M%S}-", dir=runs))
    os.chmod(run_dir, folder_mode())
    trial = out_root / f".{period}.link-{os.getpid()}"
    trial.unlink(missing_ok=True)
    os.symlink(os.path.relpath(run_dir, out_root), trial)
    trial.unlink()
    return run_dir


def _switch_link(out_root: Path, period: str, run_dir: Path) -> Path:
    """Point ``<out>/<period>`` at ``run_dir`` in one step (rename over the
    old link). Refuses, as at the start, if the name is not our link."""
    _check_month_is_ours(out_root, period)
    target = out_root / period
    link_tmp = out_root / f".{period}.link-{os.getpid()}"
    link_tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(run_dir, out_root), link_tmp)
    try:
        os.replace(link_tmp, target)
    except BaseException:
        link_tmp.unlink(missing_ok=True)
        raise
    return target


def _remove_old_runs(out_root: Path, period: str, keep: Path) -> None:
    """Remove the month's earlier run folders: only folders named like the
    ones :func:`_new_run_dir` makes, never anything else in ``.runs``."""
    for old in (out_root / ".runs").iterdir():
        if old != keep and _is_run_name(old.name, period) and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)


# -- running the jobs --------------------------------------------------------------------


class _Signals:
    """SIGINT/SIGTERM raise :class:`RunInterrupted` in the main thread while a
    run is in progress; inside :meth:`deferred` (the link switch) they wait
    until the block is done."""

    def __init__(self) -> None:
        self._old: dict[int, object] = {}
        self._deferring = False
        self._pending: int | None = None
        self._raised = False

    def _handle(self, signum, frame) -> None:
        if self._raised:  # already stopping: a second Ctrl-C must not cut the clean-up short
            return
        if self._deferring:
            self._pending = signum
            return
        self._raised = True
        raise RunInterrupted(signum)

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for sig, old in self._old.items():
            signal.signal(sig, old)

    @contextlib.contextmanager
    def deferred(self):
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self._pending is not None:
            self._raised = True
            raise RunInterrupted(self._pending, published=True)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """End the workers and their kernels now (not after their current report)."""
    import psutil

    workers = []
    for pid in list(getattr(pool, "_processes", None) or {}):  # the pool's {pid: Process}
        with contextlib.suppress(psutil.Error):
            workers.append(psutil.Process(pid))
    everyone = list(workers)
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            everyone += worker.children(recursive=True)
    for worker in workers:  # a worker ends its kernels on SIGTERM (_worker_exit)
        with contextlib.suppress(psutil.Error):
            worker.terminate()
    _, alive = psutil.wait_procs(everyone, timeout=5)
    for proc in alive:
        with contextlib.suppress(psutil.Error, OSError):
            group = os.getpgid(proc.pid)
            if group != os.getpgid(0):
                os.killpg(group, signal.SIGKILL)
            proc.kill()
    psutil.wait_procs(alive, timeout=5)
    pool.shutdown(wait=True, cancel_futures=True)


def _execute(
    jobs: list[Job],
    run_dir: Path,
    *,
    period: str,
    workers: int,
    timeout: int,
    kernel_name: str,
    progress: bool | None,
    log,
    chromium: str | None = None,
    scheduler: str | None = None,
    pdf: bool = False,
) -> list[JobResult]:
    """Run every job; results in the order of ``jobs``. Workers return each
    report's bytes (:class:`_Made`); this process writes them into
    ``run_dir`` as they come (:func:`_keep_page`).

    The jobs run in local worker processes, or with ``scheduler`` on that
    Dask cluster (:func:`_run_on_cluster`; ``workers`` is then not used).
    With ``chromium`` (local) or ``pdf`` (cluster: each worker finds its own
    browser, ``chromium`` being the one given with ``--chromium``, if any),
    each report is also printed to PDF.

    Raises
    ------
    OSError
        A page could not be written into ``run_dir`` (the output folder is
        full or read-only); the workers are stopped.
    ClusterError
        ``scheduler`` cannot be used (nothing has run).
    RunInterrupted
        SIGINT/SIGTERM; the workers and kernels are stopped (on a cluster:
        the reports are cancelled).
    """
    from tqdm import tqdm

    results: dict[int, JobResult] = {}
    bar = tqdm(
        total=len(jobs),
        desc=f"reports {period}",
        unit="report",
        disable=(not progress) if progress is not None else None,
    )

    def collect(i: int, made: _Made) -> None:
        job = jobs[i]
        res = results[i] = _keep_page(made, job, run_dir)
        bar.update(1)
        printed = f" + {res.pdf}" if res.pdf else ""
        bar.set_postfix_str(f"{job.title}: {res.status}{printed}")
        if res.status != "ok":
            log(f"FAILED {job.title}: {res.reason}")
        elif bar.disable:  # no terminal (a scheduled run): one log line per report (and its PDF)
            log(f"[{len(results)}/{len(jobs)}] {job.title}: ok ({res.duration_s:.1f} s){printed}")

    try:
        if scheduler:
            _run_on_cluster(
                jobs,
                scheduler,
                timeout=timeout,
                kernel_name=kernel_name,
                pdf=pdf,
                chromium=chromium,
                collect=collect,
            )
        else:
            _run_locally(
                jobs,
                workers=workers,
                timeout=timeout,
                kernel_name=kernel_name,
                chromium=chromium,
                collect=collect,
            )
    finally:
        bar.close()
    return [results[i] for i in range(len(jobs))]


def _run_locally(
    jobs: list[Job], *, workers: int, timeout: int, kernel_name: str, chromium, collect
) -> None:
    """The jobs in a pool of local worker processes (:func:`_init_worker`)."""
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), initializer=_init_worker, initargs=(os.getpid(),)
    )
    try:
        futures = {
            pool.submit(_run_one, job, timeout, kernel_name, chromium): i
            for i, job in enumerate(jobs)
        }
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                made = fut.result()
            except Exception as exc:  # the worker process itself died
                made = _Made(_failed(jobs[i], f"worker failed: {type(exc).__name__}: {exc}"))
            collect(i, made)
    except BaseException:
        _stop_pool(pool)
        raise
    else:
        pool.shutdown(wait=True)


# -- on a Dask cluster (--scheduler) -----------------------------------------------------------


class ClusterError(ParameterError):
    """The Dask scheduler given with ``--scheduler`` cannot be used: it does
    not answer, has no workers, or its workers cannot run the reports (no
    aiadopt, another aiadopt version, no browser for ``--pdf``). Raised before
    any report runs; nothing is published."""


#: Seconds to reach the scheduler, and to wait for its first worker.
CLUSTER_CONNECT_TIMEOUT = 10

#: Asked of every worker with ``Client.run(eval, ...)``: needs only Python, so a
#: worker without aiadopt answers with an ImportError instead of failing to load the question.
_VERSION_QUESTION = "__import__('aiadopt').__version__"


def _aiadopt_version() -> str:
    from .. import __version__

    return __version__


def _connect(scheduler: str):
    """A ``distributed.Client`` of ``scheduler``, with at least one worker
    whose aiadopt is this one's (and, for ``pdf``, a browser).

    Raises
    ------
    ClusterError
        Naming the address, what is wrong and the fix.
    """
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "--scheduler runs the reports on a Dask cluster and needs the 'cluster' extra: "
            "pip install 'aiadopt[cluster]' (dask and distributed)"
        ) from None
    try:
        client = Client(scheduler, timeout=CLUSTER_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterError(
            f"cannot reach the Dask scheduler at {scheduler!r}: {type(exc).__name__}: {exc}. "
            "Start it (dask scheduler --host HOST --port PORT) and its workers, check the "
            "address (tcp://HOST:PORT) and that this machine may connect to it, or leave out "
            "--scheduler to run the reports on this machine; nothing was run or published"
        ) from None
    return client


def _check_workers(client, scheduler: str, *, pdf: bool, chromium: str | None) -> str:
    """Every worker of the cluster has this aiadopt version (and, with
    ``pdf``, a browser); returns the version.

    Raises
    ------
    ClusterError
        Listing every worker that cannot run the reports, at once.
    """
    mine = _aiadopt_version()
    try:
        client.wait_for_workers(1, timeout=CLUSTER_CONNECT_TIMEOUT)
    except (TimeoutError, OSError):
        raise ClusterError(
            f"the Dask scheduler at {scheduler} has no workers (waited {CLUSTER_CONNECT_TIMEOUT} s); "
            f"start them on the cluster's machines: dask worker {scheduler} --nthreads 1; "
            "nothing was run or published"
        ) from None
    answers = client.run(eval, _VERSION_QUESTION, on_error="return")
    problems = []
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            problems.append(
                f"{worker}: aiadopt cannot be imported ({type(answer).__name__}: {answer})"
            )
        elif answer != mine:
            problems.append(f"{worker}: aiadopt {answer}, this machine has aiadopt {mine}")
    if not problems and pdf:
        found = client.run(find_chromium, chromium, on_error="return")
        for worker, answer in sorted(found.items()):
            if isinstance(answer, BaseException):
                problems.append(f"{worker}: no browser for --pdf ({answer})")
    if problems:
        raise ClusterError(
            f"the Dask workers of {scheduler} cannot run these reports: "
            + "; ".join(problems)
            + ". Every worker needs the same aiadopt version and Python environment as this "
            + f"machine (pip install 'aiadopt[cluster]=={mine}')"
            + (" and, for --pdf, chromium" if pdf else "")
            + " (docs/cluster.md); nothing was run or published"
        )
    return mine


def check_cluster(scheduler: str, *, pdf: bool = False, chromium: str | None = None) -> None:
    """Check, before anything runs, that the Dask cluster at ``scheduler``
    can run the reports: it answers, has workers, and each has this aiadopt
    version (and, with ``pdf``, a browser).

    Raises
    ------
    ClusterError
        Naming the address, every worker that cannot run the reports, and the fix.
    """
    client = _connect(scheduler)
    try:
        _check_workers(client, scheduler, pdf=pdf, chromium=chromium)
    finally:
        client.close()


def _run_on_worker(
    job: Job,
    notebook: bytes,
    timeout: int,
    kernel_name: str,
    pdf: bool,
    chromium: str | None,
    version: str,
) -> _Made:
    """A report on a Dask worker: the notebook arrives as bytes and is
    written to a folder of the worker's own (the kernel's working folder);
    the worker's aiadopt must be ``version``; with ``pdf`` the worker finds
    its own browser (``chromium``: the one given with ``--chromium``).

    The report runs in a child process of the worker (set up like a local
    worker, :func:`_init_worker`; a plain subprocess, since a Dask worker
    under a nanny is a daemon that multiprocessing does not let have
    children), so that it can be stopped: when the task is cancelled (the
    run was interrupted, or its client is gone) the child and its kernel are
    ended at once, and when the Dask worker dies, even by ``kill -9``, they
    end with it.
    """
    import pickle
    import subprocess

    mine = _aiadopt_version()
    if mine != version:
        return _Made(
            _failed(job, f"the worker has aiadopt {mine}, the run needs aiadopt {version}")
        )
    browser = None
    if pdf:
        try:
            browser = find_chromium(chromium)
        except ParameterError as exc:
            return _Made(_failed(job, f"printing the PDF failed: {exc}"))
    wanted = _task_wanted()
    with tempfile.TemporaryDirectory(prefix="aiadopt-job-") as work:
        path = Path(work) / Path(job.notebook).name
        path.write_bytes(notebook)
        task = Path(work) / "job.pickle"
        task.write_bytes(
            pickle.dumps((replace(job, notebook=str(path)), timeout, kernel_name, browser))
        )
        child = subprocess.Popen(
            [sys.executable, "-c", _JOB_MAIN, str(task), str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    status = child.wait(timeout=0.5)
                    break
                except subprocess.TimeoutExpired:
                    if not wanted():
                        return _Made(_failed(job, "cancelled: the run was stopped"))
        finally:
            if child.poll() is None:  # cancelled, or this thread was stopped
                _end_child(child)
        made = task.with_suffix(".made")
        if status != 0 or not made.is_file():
            return _Made(
                _failed(job, f"worker failed: the report's process ended with status {status}")
            )
        return pickle.loads(made.read_bytes())


#: What the child process of :func:`_run_on_worker` runs.
_JOB_MAIN = "import sys; from aiadopt.report.runner import _job_main; _job_main(*sys.argv[1:])"


def _job_main(task: str, main: str) -> None:
    """A report in the child process of a Dask worker: set up like a local
    worker (ends with the Dask worker ``main``), run :func:`_run_one` on the
    pickled job in ``task``, leave the pickled :class:`_Made` next to it."""
    import pickle

    from ..atomic import write_bytes_atomic

    _init_worker(int(main))
    job, timeout, kernel_name, browser = pickle.loads(Path(task).read_bytes())
    made = _run_one(job, timeout, kernel_name, browser)
    write_bytes_atomic(Path(task).with_suffix(".made"), pickle.dumps(made))


def _end_child(child) -> None:
    """End a report's child process and its kernels: SIGTERM (it ends its
    kernels, :func:`_worker_exit`), then SIGKILL for what is left."""
    import psutil

    try:
        family = [psutil.Process(child.pid), *psutil.Process(child.pid).children(recursive=True)]
    except psutil.Error:
        family = []
    child.terminate()
    _, alive = psutil.wait_procs(family, timeout=5)
    for proc in alive:
        with contextlib.suppress(psutil.Error, OSError):
            group = os.getpgid(proc.pid)
            if group != os.getpgid(0):
                os.killpg(group, signal.SIGKILL)
            proc.kill()
    child.wait()


def _task_wanted():
    """A function telling whether the Dask task running in this thread is
    still wanted (not cancelled, its client not gone); always True outside a task."""
    try:
        from distributed import get_worker
        from distributed.worker import thread_state

        worker, key = get_worker(), thread_state.key
    except (ImportError, ValueError, AttributeError):
        return lambda: True

    def wanted() -> bool:
        task = worker.state.tasks.get(key)
        return task is not None and task.state in ("executing", "long-running")

    return wanted


def _lost(job: Job, exc: BaseException) -> _Made:
    """The failed result of a report whose worker died (``KilledWorker``)."""
    tries = getattr(exc, "allowed_failures", 0) + 1
    last = getattr(getattr(exc, "last_worker", None), "address", "?")
    return _Made(
        _failed(
            job,
            f"worker lost: the report was tried on {tries} worker(s) and each died while "
            f"running it (last {last}); see that worker's log",
        )
    )


def _run_on_cluster(
    jobs: list[Job],
    scheduler: str,
    *,
    timeout: int,
    kernel_name: str,
    pdf: bool,
    chromium: str | None,
    collect,
) -> None:
    """The jobs as tasks on the Dask cluster at ``scheduler``.

    Each task carries its job (with its results slice) and the notebook's
    bytes and returns the report's bytes. At most as many reports are handed
    to the scheduler as the cluster has worker threads (the next one when one
    finishes, sent to whichever worker is free), so no report waits on a
    worker behind another one. A worker lost while running a report: the
    scheduler runs it again on another worker, up to its
    ``distributed.scheduler.allowed-failures`` (docs/cluster.md: set it to 1),
    then the report is failed ("worker lost: ..."). Any other error of a task
    fails its report only. On an exception here (a signal, a page that cannot
    be written) the tasks are cancelled.
    """
    from distributed import as_completed as completed
    from distributed.scheduler import KilledWorker

    client = _connect(scheduler)
    futures: dict = {}
    try:
        version = _check_workers(client, scheduler, pdf=pdf, chromium=chromium)
        notebooks: dict[str, bytes] = {}
        run = f"{os.getpid()}-{time.time_ns()}"
        waiting = list(enumerate(jobs))
        running = completed([], loop=client.loop)

        def hand_out() -> None:
            threads = max(1, sum(client.nthreads().values()))
            while waiting and running.count() < threads:
                i, job = waiting.pop(0)
                if job.notebook not in notebooks:
                    notebooks[job.notebook] = Path(job.notebook).read_bytes()
                future = client.submit(
                    _run_on_worker,
                    job,
                    notebooks[job.notebook],
                    timeout,
                    kernel_name,
                    pdf,
                    chromium,
                    version,
                    key=f"aiadopt-report-{Path(job.file).stem}-{run}",
                    pure=False,
                )
                futures[future] = i
                running.add(future)

        hand_out()
        while running.count() or waiting:
            future = next(running)
            i = futures[future]
            try:
                made = future.result()
            except KilledWorker as exc:
                made = _lost(jobs[i], exc)
            except Exception as exc:  # raised in the task, or it could not be run
                made = _Made(_failed(jobs[i], f"worker failed: {type(exc).__name__}: {exc}"))
            future.release()  # the cluster can forget the page
            collect(i, made)
            hand_out()
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel(list(futures), force=True)
        raise
    finally:
        with contextlib.suppress(Exception):
            client.close()


# -- deciding what to publish ----------------------------------------------------------------


def _earlier_versions(
    out_root: Path, period: str
) -> dict[tuple[str, str | None], tuple[Path, str, Path | None]]:
    """What the month shows now: ``(kind, department) -> (file, made_at, pdf)``
    for every report page of the published run (empty when nothing is
    published). ``made_at`` is when the run that made the page finished;
    ``pdf`` its PDF, when that run printed one."""
    link = out_root / period
    if not _is_own_link(link, period) or not link.is_dir():
        return {}
    try:
        manifest = json.loads((link / "manifest.json").read_text("utf-8"))
        reports = manifest["reports"]
        finished = str(manifest["finished_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    found = {}
    for r in reports if isinstance(reports, list) else []:
        if not isinstance(r, dict) or not r.get("file"):
            continue
        path = link / Path(str(r["file"])).name
        if path.is_file():
            pdf = link / Path(str(r["pdf"])).name if r.get("pdf") else None
            found[(r.get("kind"), r.get("department"))] = (
                path,
                str(r.get("earlier_run") or finished),
                pdf if pdf is not None and pdf.is_file() else None,
            )
    return found


def _keep_earlier_versions(
    jobs: list[Job],
    results: list[JobResult],
    earlier: dict[tuple[str, str | None], tuple[Path, str, Path | None]],
    run_dir: Path,
) -> list[JobResult]:
    """A failed report keeps its published version of the month, if there is
    one: the page (and its PDF, if it had one) is copied into the new run and
    marked with its time."""
    from ..atomic import write_bytes_atomic

    out = []
    for job, r in zip(jobs, results, strict=True):
        key = (r.kind, r.department)
        if r.status != "ok" and key in earlier:
            path, made_at, pdf = earlier[key]
            data = path.read_bytes()
            write_bytes_atomic(run_dir / job.file, data, fsync=True)
            kept = {"pdf": None, "pdf_sha256": None}
            if pdf is not None:
                printed = pdf.read_bytes()
                name = Path(job.file).with_suffix(".pdf").name
                write_bytes_atomic(run_dir / name, printed, fsync=True)
                kept = {"pdf": name, "pdf_sha256": hashlib.sha256(printed).hexdigest()}
            r = JobResult(
                **{
                    **asdict(r),
                    "file": job.file,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "earlier_run": made_at,
                    **kept,
                }
            )
        out.append(r)
    return out


# -- the one computation ----------------------------------------------------------------


def _compute_store(data, jobs, *, period, min_group_size, n_boot, seed, progress, workers):
    """The run's results store (:func:`aiadopt.report.store.compute_results`)
    for the planned reports, with a progress bar of its parts."""
    from tqdm import tqdm

    from .store import compute_results

    departments = [job.department for job in jobs if job.department is not None]
    bar = tqdm(
        total=3,
        desc=f"results {period}",
        unit="part",
        disable=(not progress) if progress is not None else None,
    )

    def done(text: str) -> None:
        bar.update(1)
        bar.set_postfix_str(text)

    try:
        return compute_results(
            data,
            period=period,
            min_group_size=min_group_size,
            n_boot=n_boot,
            seed=seed,
            departments=departments,
            progress=done,
            workers=workers,
        )
    finally:
        bar.close()


# -- index and manifest -------------------------------------------------------------------------


def _index_kpis(data, *, period: str, min_group_size: int) -> dict[str | None, tuple[dict, dict]]:
    """The index's headline KPIs: ``department`` (None for the organisation)
    -> ``(now, before)``, each the unit's :func:`~aiadopt.kpis.compute_kpis`
    row for the month and the month before (plain Python values). The same
    call, and so the same privacy suppression, as the reports' KPI table."""
    from ..kpis import compute_kpis, parse_period
    from .html import INDEX_KPIS

    columns = [*INDEX_KPIS, "leadership_adoption_pct_suppressed"]

    def rows(month: str) -> dict[str | None, dict]:
        frame = compute_kpis(data, period=month, min_group_size=min_group_size)
        frame = frame[frame["level"].isin(["organisation", "department"])]
        out = {}
        for record in frame.to_dict("records"):
            key = None if record["level"] == "organisation" else record["unit"]
            out[key] = {c: None if pd.isna(record[c]) else _json_ready(record[c]) for c in columns}
        return out

    now, before = rows(period), rows(str(parse_period(period) - 1))
    return {key: (values, before.get(key)) for key, values in now.items()}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in (
        "aiadopt",
        "pandas",
        "numpy",
        "statsmodels",
        "scikit-learn",
        "matplotlib",
        "papermill",
        "nbconvert",
        "nh3",
    ):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _json_ready(value):
    """``value`` with only JSON types: NaN and infinities become ``None``,
    NumPy scalars Python numbers, paths and other objects text."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # NumPy scalar
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _public_parameters(parameters: dict) -> dict:
    """The run's parameters without where the inputs live: the data folder
    and codebook are listed under ``inputs`` by file name and checksum, and
    any other absolute path is cut to its file name."""
    out = {}
    for name, value in parameters.items():
        if name in ("data_dir", "codebook"):
            continue
        out[name] = Path(value).name if isinstance(value, str) and os.path.isabs(value) else value
    return out


def _inputs(data, codebook: str | Path | None) -> list[dict]:
    """The manifest's ``inputs``: each table's file (name, size, checksum) or
    database table (URL without password, relation, rows, checksum of the
    rows read), and the codebook. Cheap: no computation on the data."""
    from ..io.sql import SqlTable

    inputs = [
        # A database table: where it was read from (the URL holds no
        # password) and a checksum of the rows read.
        {
            "table": table,
            "database": path.url,
            "relation": str(path),
            "rows": path.rows,
            "sha256": path.sha256,
        }
        if isinstance(path, SqlTable)
        else {
            "table": table,
            "file": Path(path).name,
            "bytes": Path(path).stat().st_size,
            "sha256": _sha256(Path(path)),
        }
        for table, path in sorted(data.sources.items())
    ]
    if codebook:
        path = Path(codebook)
        inputs.append(
            {
                "table": "codebook",
                "file": path.name,
                "bytes": path.stat().st_size,
                "sha256": _sha256(path),
            }
        )
    mapping = data.mapping
    if mapping is not None:  # the survey tool's mapping file, as it was read
        inputs.append(
            {
                "table": "mapping",
                "file": mapping.source,
                "bytes": mapping.size,
                "sha256": mapping.sha256,
            }
        )
    return inputs


def _manifest(
    *,
    period: str,
    data,
    jobs: list[Job],
    results: list[JobResult],
    started: dt.datetime,
    finished: dt.datetime,
    workers: int,
    timeout: int,
    codebook: str | Path | None,
    notebooks_dir: Path,
    privacy: dict,
) -> dict:
    waves = data.survey["wave"]
    wave = waves[waves <= pd.Period(str(period), "M")].max()
    inputs = _inputs(data, codebook)
    fresh = [r.status == "ok" for r in results]
    return {
        "aiadopt_version": _versions().get("aiadopt"),
        "period": str(period),
        "survey_wave": None if wave is None or str(wave) == "NaT" else str(wave),
        "survey_format": data.survey_format,
        "status": "ok" if all(fresh) else ("failed" if not any(fresh) else "partial"),
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": finished.isoformat(timespec="seconds"),
        "duration_s": round((finished - started).total_seconds(), 2),
        "parameters": _public_parameters(jobs[0].parameters)
        | {"workers": workers, "timeout_s": timeout},
        "inputs": inputs,
        "notebooks": {
            kind: {"file": name, "sha256": _sha256(Path(notebooks_dir) / name)}
            for kind, name in NOTEBOOKS.items()
        },
        "versions": _versions(),
        "privacy": privacy,
        "reports": [{**asdict(r), "duration_s": round(r.duration_s, 2)} for r in results],
    }


def _manifest_json(manifest: dict) -> str:
    """``manifest`` as strict JSON text (no NaN or Infinity; see :func:`_json_ready`)."""
    return json.dumps(_json_ready(manifest), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


# -- run history (aiadopt.history) -----------------------------------------------------------

#: The exit status of each outcome the run history records (aiadopt.cli's
#: EXIT_* codes: a test checks they agree).
_EXIT = {"ok": 0, "unchanged": 0, "partial": 1, "failed": 1, "locked": 3, "bad": 2, "stale": 4}


def _canonical(value):
    """``value`` as the history stores and reads it back (JSON types, sorted
    keys), so a fresh value compares equal to a stored one."""
    return json.loads(json.dumps(_json_ready(value), sort_keys=True, allow_nan=False))


def _history_parameters(jobs: list[Job], *, pdf: bool, notebooks_dir: Path) -> dict:
    """What decides what a month publishes, as the history keeps it: the
    notebooks' public parameters (no data location, no password), the
    departments reported, ``pdf`` and the notebooks' checksums."""
    params: dict = {}
    for job in jobs:
        public = _public_parameters(job.parameters)
        params.update({k: v for k, v in public.items() if k != "department"})
    return _canonical(
        {
            **params,
            "departments": [job.department for job in jobs if job.department is not None],
            "pdf": bool(pdf),
            "notebooks": {
                kind: _sha256(Path(notebooks_dir) / name) for kind, name in NOTEBOOKS.items()
            },
        }
    )


def _exit_code(exc: BaseException) -> int:
    """The exit status ``aiadopt report`` gives for a run stopped by ``exc``."""
    if isinstance(exc, RunInterrupted):
        return exc.exit_status
    if isinstance(exc, KeyboardInterrupt):
        return 130
    if isinstance(exc, ReportLockedError):
        return _EXIT["locked"]
    if isinstance(exc, (ValueError, OutputError)):
        return _EXIT["bad"]
    return 1


@dataclass
class _RunRecord:
    """The run's row of the run history, filled in as the run goes and
    written once (:meth:`record`). A history that cannot be written is a
    warning, never an error: the month is published all the same."""

    out: Path
    period: str
    log: object
    enabled: bool = True
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    inputs: list = field(default_factory=list)
    parameters: dict = field(default_factory=dict)
    recorded: bool = False
    error: str | None = None

    def record(
        self,
        status: str,
        exit_code: int | None,
        *,
        results: list[JobResult] = (),
        kpis: list[dict] | None = None,
        note: str | None = None,
    ) -> None:
        from ..history import History, history_path

        if not self.enabled or self.recorded or not self.out.is_dir():
            return
        self.recorded = True
        path = history_path(self.out)
        versions = _versions()
        try:
            History(path).record_run(
                period=self.period,
                status=status,
                exit_code=exit_code,
                started_at=self.started.isoformat(timespec="seconds"),
                finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                inputs=self.inputs,
                parameters=self.parameters,
                versions=versions,
                aiadopt_version=versions.get("aiadopt"),
                reports=[
                    {
                        "unit": r.department or "organisation",
                        "file": r.file,
                        "status": r.status,
                        "reason": r.reason,
                    }
                    for r in results
                ],
                kpis=kpis,
                note=note,
            )
        except Exception as exc:  # the month stays published: a warning, not an error
            self.error = f"{path}: {exc}"
            self.log(
                f"warning: the run could not be written to the run history {path} ({exc}); "
                "the reports are published as usual"
            )


def _skip(record: _RunRecord, *, check_stale: bool, skip_unchanged: bool, log) -> RunResult | None:
    """A run that has nothing to publish, or None when it has.

    ``check_stale`` (a run for the latest month): the inputs equal those of
    the last published month, and that month is an earlier one, or this
    month itself published ``ok`` with the same parameters and aiadopt
    version (the schedule found no new data) -> ``stale``.
    ``skip_unchanged`` (an explicit month, a backfill): the month's last
    published run was ``ok`` from the same inputs, parameters and aiadopt
    version, and is still the month's link -> ``unchanged``. Either is
    recorded in the run history; nothing is written to the reports.
    """
    from ..history import History, history_path

    out_root, period = record.out, record.period
    path = history_path(out_root)
    if not (check_stale or skip_unchanged) or not path.is_file():
        return None
    try:
        history = History(path, create=False)
        last = history.last_published() if check_stale else None
        same = history.last_published(period) if skip_unchanged else None
    except Exception as exc:
        log(f"warning: cannot read the run history {path} ({exc}); the month is run as usual")
        return None
    if (
        last is not None
        and last["inputs"] == record.inputs
        and (
            last["period"] < period
            or (
                last["period"] == period
                and last["status"] == "ok"
                and last["parameters"] == record.parameters
                and last["aiadopt_version"] == _versions().get("aiadopt")
            )
        )
    ):
        record.record("stale", _EXIT["stale"], note=last["period"])
        return RunResult(
            period=period,
            directory=out_root / period,
            published=False,
            skipped="stale",
            since=last["period"],
            history_error=record.error,
        )
    link = out_root / period
    if (
        same is not None
        and same["status"] == "ok"
        and same["inputs"] == record.inputs
        and same["parameters"] == record.parameters
        and same["aiadopt_version"] == _versions().get("aiadopt")
        and _is_own_link(link, period)
        and (link / "manifest.json").is_file()
    ):
        record.record("unchanged", _EXIT["unchanged"], note=period)
        return RunResult(
            period=period,
            directory=link,
            manifest=link / "manifest.json",
            skipped="unchanged",
            since=period,
            history_error=record.error,
        )
    return None


# -- the run ------------------------------------------------------------------------------------


def run_reports(
    data_dir: str | Path,
    *,
    period: str = "latest",
    departments: list[str] | None = None,
    lang: str = "en",
    workers: int = 1,
    out: str | Path = "reports",
    timeout: int = 600,
    min_group_size: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    codebook: str | Path | None = None,
    survey_format: str = "auto",
    mapping: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    parameters: dict[str, str] | None = None,
    kernel_name: str = "python3",
    progress: bool | None = None,
    log=None,
    pdf: bool = False,
    chromium: str | Path | None = None,
    scheduler: str | None = None,
    schema: str | None = None,
    tables: str | dict[str, str] | None = None,
    history: bool = True,
    skip_unchanged: bool = False,
    check_stale: bool = False,
) -> RunResult:
    """Run the month's reports and publish them under ``<out>/<period>/``.

    Parameters
    ----------
    data_dir : path or str
        The organisation's data folder, or its database URL
        (``postgresql+psycopg://user@host/db``, no password: docs/databases.md);
        validated before anything runs.
    period : str
        ``YYYY-MM`` or ``"latest"``.
    departments : list of str, optional
        Department reports to make (default: every department). The
        organisation report is always made.
    workers : int
        Reports executed in parallel (local processes; not used with
        ``scheduler``, where the cluster's worker threads decide).
    timeout : int, default=600
        Seconds one notebook cell may run: a positive whole number.
    survey_format, mapping
        The survey file's format and a survey tool's mapping file, as in
        :func:`aiadopt.load`. The reports read the run's results store, so
        the notebooks load no data and need neither.
    parameters : dict, optional
        Extra ``NAME -> VALUE`` text for parameters the notebooks declare
        (custom notebooks); converted to the declared type.
    progress : bool, optional
        Show a progress bar (default: when stderr is a terminal).
    pdf : bool, default=False
        Also print each report to ``<report>.pdf`` next to its HTML, with
        headless chromium (:func:`print_pdf`); a report whose PDF fails is a
        failed report (its earlier version is kept).
    chromium : path, optional
        The browser for ``pdf`` (default: :func:`find_chromium`).
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a Dask scheduler (``--scheduler``): the
        reports run as tasks on its workers instead of local processes
        (``workers`` is then not used), which send each page back to be
        published here; needs the ``cluster`` extra. See docs/cluster.md.
    schema, tables : optional
        With a database URL: the tables' schema and names other than the
        defaults (:func:`aiadopt.load`). The manifest lists each table with
        the URL, its row count and a checksum of the rows read.
    history : bool, default=True
        Record the run in the run history ``<out>/history.sqlite``
        (:mod:`aiadopt.history`): every run, whatever its outcome, and for a
        published month its KPI values after suppression. A history that
        cannot be written is a warning (``log``): the month is published
        all the same.
    skip_unchanged : bool, default=False
        When the month's last published run was ``ok`` and made from the
        same inputs (checksums), parameters and aiadopt version, publish
        nothing and rewrite nothing: ``.skipped == "unchanged"``.
        ``aiadopt report --period YYYY-MM`` and ``--since`` set it.
    check_stale : bool, default=False
        With ``period="latest"`` (the scheduled run): when the inputs equal
        those of the last published month, an earlier one, publish nothing:
        ``.skipped == "stale"``, ``.since`` that month. Checked before the
        run's computation.

    Returns
    -------
    RunResult
        ``.ok`` is False when any report failed; the others are published,
        and a failed report keeps its earlier version of the month (``.kept``).
        ``.published`` is False when every report failed: then nothing is
        published and the month stays as it was. ``.skipped`` says why a
        run published nothing on purpose (``skip_unchanged``, ``check_stale``).

    Raises
    ------
    DataValidationError, ParameterError
        Before any kernel starts (``pdf`` without a browser too).
    ClusterError
        ``scheduler`` does not answer, has no workers, or a worker has
        another aiadopt version (or, with ``pdf``, no browser): before
        anything runs (a :class:`ParameterError`).
    OutputError
        ``<out>/<period>`` is not aiadopt's, or the output folder is not
        writable or full (before any kernel starts, where that shows then).
        Nothing is published; the month stays as it was.
    ReportLockedError
        When another run of the same month is in progress.
    RunInterrupted
        On SIGINT/SIGTERM: workers and kernels ended, nothing published.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    record = _RunRecord(out=Path(out), period=str(period), log=log, enabled=history)
    try:
        return _run_reports(
            data_dir,
            record=record,
            period=period,
            departments=departments,
            lang=lang,
            workers=workers,
            out=out,
            timeout=timeout,
            min_group_size=min_group_size,
            n_boot=n_boot,
            seed=seed,
            codebook=codebook,
            survey_format=survey_format,
            mapping=mapping,
            notebooks_dir=notebooks_dir,
            parameters=parameters,
            kernel_name=kernel_name,
            progress=progress,
            log=log,
            pdf=pdf,
            chromium=chromium,
            scheduler=scheduler,
            schema=schema,
            tables=tables,
            skip_unchanged=skip_unchanged,
            check_stale=check_stale,
        )
    except BaseException as exc:
        # Recorded without its message: a data error quotes cells of the inputs.
        stopped = isinstance(exc, (RunInterrupted, KeyboardInterrupt))
        record.record("stopped" if stopped else "failed", _exit_code(exc), note=type(exc).__name__)
        raise


def backfill_reports(
    data_dir: str | Path,
    *,
    since: str,
    until: str | None = None,
    on_month=None,
    force: bool = False,
    **options,
) -> list[RunResult]:
    """Publish each month from ``since`` to ``until`` in turn, idempotently
    (``aiadopt report --since``).

    Each month is :func:`run_reports` with ``skip_unchanged=True``: a month
    already published (``ok``) from the same inputs, parameters and aiadopt
    version is skipped (``.skipped == "unchanged"``) and its files are not
    touched, so running the same backfill again changes nothing.

    Parameters
    ----------
    data_dir : path or str
        As for :func:`run_reports`.
    since : str
        The first month, ``YYYY-MM``.
    until : str, optional
        The last month, ``YYYY-MM``; default: the latest month with data.
    on_month : callable, optional
        Called with each month's :class:`RunResult` as soon as it is done
        (the command's progress line).
    force : bool, default=False
        Run and publish every month, also those already published from the
        same inputs (``--force``: e.g. after a published file was damaged).
    **options
        Any other keyword of :func:`run_reports` but ``period``.

    Returns
    -------
    list of RunResult
        One per month, oldest first.

    Raises
    ------
    ParameterError
        ``since`` or ``until`` malformed, ``since`` after ``until``, or
        ``until`` after the latest month with data (before anything runs).
    Anything :func:`run_reports` raises
        For the month it happened in; the months before stay published.
    """
    from ..io import load
    from ..kpis import parse_period

    for name in ("period", "skip_unchanged", "check_stale"):
        if name in options:
            raise ParameterError(f"backfill_reports sets {name} itself; do not pass it")
    for name, value in (("since", since), ("until", until)):
        if value is not None and not _PERIOD.match(str(value)):
            raise ParameterError(f"{name} must be a month YYYY-MM, got {value!r}")
    data = load(
        data_dir,
        **{
            k: options[k]
            for k in ("codebook", "survey_format", "mapping", "schema", "tables")
            if k in options
        },
    )
    try:
        last = data.resolve_period(until or "latest")
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    first = parse_period(since)
    if first > last:
        raise ParameterError(
            f"--since {first} is after --until {last}"
            + ("" if until else " (the latest month with data)")
            + "; pass an earlier --since"
        )
    results = []
    for month in pd.period_range(first, last, freq="M"):
        result = run_reports(data_dir, period=str(month), skip_unchanged=not force, **options)
        results.append(result)
        if on_month is not None:
            on_month(result)
    return results


def _run_reports(
    data_dir: str | Path,
    *,
    record: _RunRecord,
    period: str = "latest",
    departments: list[str] | None = None,
    lang: str = "en",
    workers: int = 1,
    out: str | Path = "reports",
    timeout: int = 600,
    min_group_size: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    codebook: str | Path | None = None,
    survey_format: str = "auto",
    mapping: str | Path | None = None,
    notebooks_dir: str | Path | None = None,
    parameters: dict[str, str] | None = None,
    kernel_name: str = "python3",
    progress: bool | None = None,
    log=None,
    pdf: bool = False,
    chromium: str | Path | None = None,
    scheduler: str | None = None,
    schema: str | None = None,
    tables: str | dict[str, str] | None = None,
    skip_unchanged: bool,
    check_stale: bool,
) -> RunResult:
    """:func:`run_reports`, with ``record``: the run's row of the run history."""
    from filelock import FileLock, Timeout

    from ..atomic import write_text_atomic
    from ..history import kpi_rows
    from ..io import load
    from ..io.sql import is_database_url
    from .html import index_page
    from .store import FORMAT as STORE_FORMAT

    log = log or (lambda msg: print(msg, file=sys.stderr))
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ParameterError(f"workers must be a positive integer, got {workers!r}")
    timeout = check_timeout(timeout)
    if scheduler:  # each worker prints with its own browser (chromium: the one given)
        check_cluster(scheduler, pdf=pdf, chromium=str(chromium) if chromium else None)
        browser = str(chromium) if chromium else None
    else:
        browser = find_chromium(chromium) if pdf else None

    # 1. Plan: data and parameters checked, no kernel started.
    data = load(
        data_dir,
        codebook=codebook,
        survey_format=survey_format,
        mapping=mapping,
        schema=schema,
        tables=tables,
    )
    for warning in data.warnings:
        log(f"warning: {warning}")
    latest = period is None or str(period).strip() in ("", "latest")
    period = str(data.resolve_period(period))
    record.period = period
    notebooks_dir = Path(notebooks_dir) if notebooks_dir else default_notebooks_dir()
    jobs = plan_jobs(
        data=data,
        data_dir=data_dir if is_database_url(data_dir) else Path(data_dir),
        period=period,
        departments=departments,
        lang=lang,
        min_group_size=min_group_size,
        n_boot=n_boot,
        seed=seed,
        codebook=str(codebook) if codebook else None,
        notebooks_dir=notebooks_dir,
        extra=parameters,
    )

    # Before the computation: is there anything to publish? (aiadopt.history;
    # the checksums of the inputs are cheap, the computation is not.)
    record.inputs = _canonical(_inputs(data, codebook))
    record.parameters = _history_parameters(jobs, pdf=pdf, notebooks_dir=notebooks_dir)
    skipped = _skip(
        record, check_stale=check_stale and latest, skip_unchanged=skip_unchanged, log=log
    )
    if skipped is not None:
        return skipped

    # One computation for the run (aiadopt.report.store): every unit's results,
    # each report given only its slice, so its kernel loads no data.
    store = _compute_store(
        data,
        jobs,
        period=period,
        min_group_size=min_group_size,
        n_boot=n_boot,
        seed=seed,
        progress=progress,
        workers=workers,
    )

    # Privacy (docs/metrics.md §5): one suppression decision for the run, audited
    # before any kernel starts; a disclosure stops the run (nothing published).
    from ..privacy import audit_run

    privacy = audit_run(
        data,
        period=period,
        min_group_size=min_group_size,
        trend=store.trend,
        measures=store.measures,
    ).summary(min_group_size)
    store.privacy = privacy
    jobs = [
        replace(job, results=store.slice(job.department).to_files())
        if "results" in _declared(Path(job.notebook))
        else job
        for job in jobs
    ]
    index_kpis = _index_kpis(data, period=period, min_group_size=min_group_size)

    # 2. The output folder: ours, writable, and the month locked for this run.
    out_root = Path(out)
    _prepare_out(out_root, period)
    lock_path = out_root / f".{period}.lock"
    lock = FileLock(str(lock_path))
    with _output_errors(out_root, period):
        try:
            lock.acquire(timeout=0)
        except Timeout:  # a TimeoutError, hence an OSError: before _output_errors sees it
            raise ReportLockedError(
                f"another aiadopt report run for {period} is in progress (lock {lock_path}); wait for it to finish"
            ) from None
    run_dir = None
    published = False
    try:
        with _Signals() as signals, _output_errors(out_root, period):
            started = dt.datetime.now(dt.UTC)
            run_dir = _new_run_dir(out_root, period, started)
            store.write(run_dir / "results")

            # 3. Run the jobs and collect their results.
            results = _execute(
                jobs,
                run_dir,
                period=period,
                workers=workers,
                timeout=timeout,
                kernel_name=kernel_name,
                progress=progress,
                log=log,
                chromium=browser,
                scheduler=scheduler,
                pdf=pdf,
            )
            finished = dt.datetime.now(dt.UTC)

            # 4. Decide what to publish: nothing if every report failed; a failed
            #    report keeps the version the month shows now.
            if not any(r.status == "ok" for r in results):
                shutil.rmtree(run_dir, ignore_errors=True)
                record.record("failed", _EXIT["failed"], results=results)
                return RunResult(
                    period=period,
                    directory=out_root / period,
                    results=results,
                    published=False,
                    history_error=record.error,
                )
            results = _keep_earlier_versions(
                jobs, results, _earlier_versions(out_root, period), run_dir
            )

            # 5. Index and manifest (the manifest last).
            index = index_page(
                period=period,
                rows=[asdict(r) for r in results],
                generated=finished,
                lang=lang,
                kpis=index_kpis,
                run={
                    "duration_s": (finished - started).total_seconds(),
                    "workers": workers,
                    "versions": _versions(),
                    "privacy": privacy,
                },
            )
            write_text_atomic(run_dir / "index.html", index, fsync=True)
            manifest = _manifest(
                period=period,
                data=data,
                jobs=jobs,
                results=results,
                started=started,
                finished=finished,
                workers=workers,
                timeout=timeout,
                codebook=codebook,
                notebooks_dir=notebooks_dir,
                privacy=privacy,
            )
            manifest["results_store"] = {  # aiadopt.report.store: the run's one computation
                "folder": "results",
                "format": STORE_FORMAT,
                "files": {p.name: _sha256(p) for p in sorted((run_dir / "results").iterdir())},
            }
            write_text_atomic(run_dir / "manifest.json", _manifest_json(manifest), fsync=True)

            # 6. Switch the month's link; then the month's older runs go.
            with signals.deferred():
                target = _switch_link(out_root, period, run_dir)
                published = True
                # 7. The run history, with the KPIs the month now shows (a
                #    history that cannot be written is only a warning).
                status = manifest["status"]
                units = {None} | {job.department for job in jobs}
                record.record(
                    status,
                    _EXIT[status],
                    results=results,
                    kpis=kpi_rows({u: v for u, v in index_kpis.items() if u in units}),
                )
            _remove_old_runs(out_root, period, keep=run_dir)
            return RunResult(
                period=period,
                directory=target,
                results=results,
                manifest=target / "manifest.json",
                history_error=record.error,
            )
    except BaseException:
        # Nothing half-written is published: the run folder was never linked.
        if run_dir is not None and not published:
            shutil.rmtree(run_dir, ignore_errors=True)
        raise
    finally:
        lock.release()
