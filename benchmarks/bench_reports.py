"""Benchmark: the monthly reports of a large organisation, three routes side by side.

The workload (issue #11) is a fictional organisation of 40 departments,
20,000 respondents x 10 monthly waves and 750 use cases
(:func:`aiadopt.sample.write_sample`, ``--departments``, ``--respondents``,
``--waves``), written as CSV to a temporary folder: the organisation report
and one report per department, 41 reports. In one run it times:

- (a) naive: per report, the ``papermill`` CLI runs the shipped notebook
  (``aiadopt/notebooks/``) with the parameters ``aiadopt report`` passes
  (data_dir, period, department, lang, min_group_size, n_boot, seed), then
  ``jupyter nbconvert --to html --no-input`` makes the page; ``--workers``
  reports at a time;
- (b) the product: ``aiadopt report --all --workers N`` as a subprocess;
- (c) the floor: one process that loads the data, does the run's one
  computation (:func:`aiadopt.report.store.compute_results`) and renders
  every report from its slice, ``Report(results=results.slice(dept), ...)
  .render()``, with ``aiadopt.report.sections._display`` a no-op: exactly
  the charts of all reports, without kernels, notebooks or HTML.

It prints each time and the ratios b/a (target <= 0.25) and b/c (target
<= 1.5), and the peak RSS of a report kernel during (b) (and (a)): the
process tree is polled with psutil every 0.2 s and, for each process whose
command line contains ``ipykernel``, the kernel's own high-water mark
(``VmHWM`` in ``/proc/<pid>/status``) is read; the largest is printed
(target <= 250 MiB). With ``--scale`` (the default; ``--no-scale`` skips
it), (b) also runs on an 8-department organisation of proportional size
(4,000 respondents for the default) and b40/b8 is printed (target <= 5 =
40/8: the cost is at most linear in departments).

Times are printed, never asserted. Route (a) on the default workload takes
many minutes; try ``--departments 4 --respondents 1500 --waves 4`` first.
Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_reports.py``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

TARGET_B_OVER_A = 0.25
TARGET_B_OVER_C = 1.5
TARGET_KERNEL_MIB = 250.0
POLL_SECONDS = 0.2
SAMPLE_SEED = 1
#: Departments of the smaller organisation of the linearity check.
SMALL_DEPARTMENTS = 8

NOTEBOOKS = Path(__file__).resolve().parents[1] / "aiadopt" / "notebooks"


# -- peak memory of the report kernels --------------------------------------------------


def _vm_hwm_kib(pid: int) -> int | None:
    """The process's peak resident set size (``VmHWM``, KiB), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


class KernelPeak:
    """Polls the process tree under ``root`` every ``interval`` seconds (in a
    thread) and keeps the largest ``VmHWM`` of any process whose command
    line contains ``ipykernel``; use as a context manager."""

    def __init__(self, root: int, interval: float = POLL_SECONDS) -> None:
        self.root = root
        self.interval = interval
        self.peak_kib = 0
        self.kernels: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="kernel-peak", daemon=True)

    def _poll(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> None:
        try:
            children = psutil.Process(self.root).children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for proc in children:
            try:
                if not any("ipykernel" in part for part in proc.cmdline()):
                    continue
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            hwm = _vm_hwm_kib(proc.pid)
            if hwm is not None:
                self.kernels.add(proc.pid)
                self.peak_kib = max(self.peak_kib, hwm)

    def __enter__(self) -> KernelPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def describe(self) -> str:
        if not self.kernels:
            return "no kernel seen"
        mib = self.peak_kib / 1024
        return (
            f"{mib:6.0f} MiB over {len(self.kernels)} kernels  "
            f"(target <= {TARGET_KERNEL_MIB:.0f} MiB: {verdict(mib <= TARGET_KERNEL_MIB)})"
        )


# -- the routes ---------------------------------------------------------------------------


def _bin(name: str) -> str:
    """The console script ``name`` next to this interpreter (the venv's)."""
    script = Path(sys.executable).with_name(name)
    if not script.exists():
        sys.exit(f"bench_reports: {script} is missing; install aiadopt in this environment.")
    return str(script)


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)


def _tail(proc: subprocess.CompletedProcess) -> str:
    text = (proc.stderr or proc.stdout or "").strip().splitlines()
    return text[-1][:300] if text else f"exit status {proc.returncode}"


def naive_report(
    department: str | None, *, out: Path, data_dir: Path, period: str, args
) -> str | None:
    """Route (a) for one report: papermill CLI, then nbconvert CLI. None when
    both succeeded, else the reason."""
    kind = "organisation" if department is None else "department"
    work = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=out))  # one folder per report
    notebook = NOTEBOOKS / (
        "organisation_report.ipynb" if department is None else "department_report.ipynb"
    )
    executed = work / "executed.ipynb"
    params = ["-r", "data_dir", str(data_dir), "-r", "period", period]
    if department is not None:
        params += ["-r", "department", department]
    params += ["-r", "lang", args.lang]
    for key, value in (
        ("min_group_size", args.min_group_size),
        ("n_boot", args.n_boot),
        ("seed", args.seed),
    ):
        params += ["-p", key, str(value)]
    pm = _run(
        [
            _bin("papermill"),
            str(notebook),
            str(executed),
            *params,
            "--cwd",
            str(NOTEBOOKS),
            "--kernel",
            "python3",
            "--no-progress-bar",
        ]
    )
    if pm.returncode != 0:
        return f"papermill: {_tail(pm)}"
    nbc = _run(
        [
            _bin("jupyter"),
            "nbconvert",
            "--to",
            "html",
            "--no-input",
            "--output-dir",
            str(work),
            str(executed),
        ]
    )
    if nbc.returncode != 0 or not (work / "executed.html").is_file():
        return f"nbconvert: {_tail(nbc)}"
    return None


def route_a(reports: list[str | None], *, out: Path, data_dir: Path, period: str, args):
    """(a): every report through the papermill and nbconvert CLIs, ``--workers`` at a time."""
    out.mkdir()
    with KernelPeak(os.getpid()) as peak, ThreadPoolExecutor(args.workers) as pool:
        t0 = time.perf_counter()
        reasons = list(
            pool.map(
                lambda d: naive_report(d, out=out, data_dir=data_dir, period=period, args=args),
                reports,
            )
        )
        elapsed = time.perf_counter() - t0
    failed = [f"{d or 'organisation'}: {r}" for d, r in zip(reports, reasons, strict=True) if r]
    return elapsed, failed, peak


def route_b(*, out: Path, data_dir: Path, period: str, args):
    """(b): ``aiadopt report --all --workers N`` as a subprocess."""
    argv = [
        _bin("aiadopt"),
        "report",
        "--data",
        str(data_dir),
        "--period",
        period,
        "--all",
        "--lang",
        args.lang,
        "--workers",
        str(args.workers),
        "--out",
        str(out),
        "--n-boot",
        str(args.n_boot),
        "--seed",
        str(args.seed),
        "--min-group-size",
        str(args.min_group_size),
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with KernelPeak(proc.pid) as peak:
        stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - t0
    failed = []
    if proc.returncode != 0:  # the reports that failed, as aiadopt report lists them
        listed = [line.strip()[2:] for line in stderr.splitlines() if line.startswith("  - ")]
        failed = listed or [f"exit status {proc.returncode}: {stderr.strip()[-300:]}"]
    return elapsed, failed, peak, stdout.strip()


def route_c(*, data_dir: Path, period: str, args):
    """(c): the floor, in a fresh process (imports included): ``--floor``."""
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--floor",
        str(data_dir),
        "--floor-period",
        period,
        "--lang",
        args.lang,
        "--n-boot",
        str(args.n_boot),
        "--seed",
        str(args.seed),
        "--min-group-size",
        str(args.min_group_size),
    ]
    t0 = time.perf_counter()
    proc = _run(argv)
    elapsed = time.perf_counter() - t0
    failed = [] if proc.returncode == 0 else [f"exit status {proc.returncode}: {_tail(proc)}"]
    return elapsed, failed, proc.stdout.strip()


def floor(data_dir: Path, *, period: str, args) -> None:
    """The body of route (c), run in its own process: load, compute once,
    render every report from its slice without displaying anything."""
    from unittest import mock

    t0 = time.perf_counter()
    from aiadopt import load
    from aiadopt.report import Report, sections
    from aiadopt.report.store import compute_results
    from aiadopt.units import known_departments

    t_import = time.perf_counter()
    data = load(data_dir)
    t_load = time.perf_counter()
    results = compute_results(
        data,
        period=period,
        min_group_size=args.min_group_size,
        n_boot=args.n_boot,
        seed=args.seed,
    )
    t_compute = time.perf_counter()
    reports = [None, *known_departments(data)]
    with mock.patch.object(sections, "_display", lambda markup: None):
        for department in reports:
            Report(
                results=results.slice(department), department=department, lang=args.lang
            ).render()
    t_render = time.perf_counter()
    print(
        f"imports {t_import - t0:.1f} s, load {t_load - t_import:.1f} s, "
        f"compute_results {t_compute - t_load:.1f} s, render {len(reports)} reports "
        f"{t_render - t_compute:.1f} s"
    )


# -- printing -----------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def show_time(label: str, seconds: float | None, failed: list[str], detail: str = "") -> None:
    if seconds is None:
        return
    state = f"{len(failed)} FAILED" if failed else "all ok"
    print(f"{label:<44} {seconds:8.1f} s  ({state}){'  ' + detail if detail else ''}")
    for reason in failed[:5]:
        print(f"    - {reason}")


def show_ratio(label: str, num: float | None, den: float | None, target: float) -> None:
    if num is None or den is None or den <= 0:
        return
    ratio = num / den
    print(f"{label:<44} {ratio:8.2f}    (target <= {target:g}: {verdict(ratio <= target)})")


def make_workload(folder: Path, *, departments: int, respondents: int, waves: int):
    """The sample organisation in ``folder``; (period, departments, description)."""
    from aiadopt import load
    from aiadopt.sample import write_sample
    from aiadopt.units import known_departments

    t0 = time.perf_counter()
    write_sample(
        folder,
        seed=SAMPLE_SEED,
        departments=departments,
        n_respondents=respondents,
        n_waves=waves,
    )
    data = load(folder)
    period = str(data.resolve_period("latest"))
    depts = known_departments(data)
    size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
    described = (
        f"{len(depts)} departments ({len(depts) + 1} reports), "
        f"{data.survey['team'].nunique():,} teams, {respondents:,} respondents x {waves} waves "
        f"({len(data.survey):,} survey rows), {len(data.use_cases):,} use cases; "
        f"period {period}; {size:.1f} MB CSV, made in {time.perf_counter() - t0:.1f} s"
    )
    return period, depts, described


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Example: .venv/bin/python benchmarks/bench_reports.py --departments 4 "
        "--respondents 1500 --waves 4 --n-boot 200",
    )
    ap.add_argument("--departments", type=int, default=40, help="departments (default 40)")
    ap.add_argument(
        "--respondents", type=int, default=20_000, help="survey respondents (default 20000)"
    )
    ap.add_argument("--waves", type=int, default=10, help="monthly survey waves (default 10)")
    ap.add_argument(
        "--workers", type=int, default=2, help="reports in parallel, (a) and (b) (default 2)"
    )
    ap.add_argument(
        "--n-boot",
        type=int,
        default=1000,
        help="bootstrap resamples, as aiadopt report's --n-boot (default 1000, the product's)",
    )
    ap.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    ap.add_argument("--lang", choices=("en", "nl"), default="en", help="report language")
    ap.add_argument("--min-group-size", type=int, default=5, help="privacy threshold (default 5)")
    ap.add_argument(
        "--routes",
        default="a,b,c",
        help="the routes to time, comma-separated from a, b, c (default a,b,c)",
    )
    ap.add_argument(
        "--scale",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run (b) on 8 departments of proportional size and print b40/b8 (default: on)",
    )
    # Internal: route (c)'s own process.
    ap.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--floor-period", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    if not routes or set(routes) - {"a", "b", "c"}:
        ap.error(f"--routes: give some of a, b, c separated by commas, got {args.routes!r}")
    args.routes = routes
    if args.departments < 2:
        ap.error(f"--departments: at least 2, got {args.departments}")
    if args.workers < 1:
        ap.error(f"--workers: at least 1, got {args.workers}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.floor is not None:
        floor(args.floor, period=args.floor_period, args=args)
        return 0

    failures = 0
    times: dict[str, float] = {}  # the routes that succeeded
    with tempfile.TemporaryDirectory(prefix="aiadopt-bench-") as tmp:
        root = Path(tmp)
        data_dir = root / "data"
        period, depts, described = make_workload(
            data_dir,
            departments=args.departments,
            respondents=args.respondents,
            waves=args.waves,
        )
        print(f"workload: {described}")
        print(
            f"n_boot {args.n_boot}, {args.workers} workers, lang {args.lang}; "
            f"{os.cpu_count()} cores; routes {','.join(args.routes)}"
        )
        peaks = {}
        if "a" in args.routes:
            elapsed, failed, peaks["a"] = route_a(
                [None, *depts], out=root / "a", data_dir=data_dir, period=period, args=args
            )
            times.update({} if failed else {"a": elapsed})
            failures += bool(failed)
            show_time("(a) naive: papermill + nbconvert CLIs", elapsed, failed)
        if "b" in args.routes:
            elapsed, failed, peaks["b"], said = route_b(
                out=root / "b", data_dir=data_dir, period=period, args=args
            )
            times.update({} if failed else {"b": elapsed})
            failures += bool(failed)
            show_time(f"(b) aiadopt report --workers {args.workers}", elapsed, failed)
            if said:
                print(f"    {said.splitlines()[-1]}")
        if "c" in args.routes:
            elapsed, failed, said = route_c(data_dir=data_dir, period=period, args=args)
            times.update({} if failed else {"c": elapsed})
            failures += bool(failed)
            show_time("(c) floor: one computation + every chart", elapsed, failed)
            if said:
                print(f"    {said.splitlines()[-1]}")
        show_ratio("b/a", times.get("b"), times.get("a"), TARGET_B_OVER_A)
        show_ratio("b/c", times.get("b"), times.get("c"), TARGET_B_OVER_C)
        for route, peak in peaks.items():
            print(f"{f'kernel peak RSS during ({route})':<44} {peak.describe()}")

        if args.scale and "b" in args.routes and args.departments <= SMALL_DEPARTMENTS:
            print(f"linearity: skipped, it needs more than {SMALL_DEPARTMENTS} departments")
        elif args.scale and "b" in args.routes:
            small = root / "small"
            respondents = round(args.respondents * SMALL_DEPARTMENTS / args.departments)
            small_period, _, small_described = make_workload(
                small / "data",
                departments=SMALL_DEPARTMENTS,
                respondents=respondents,
                waves=args.waves,
            )
            print(f"linearity: {small_described}")
            elapsed, failed, peak, _ = route_b(
                out=small / "b", data_dir=small / "data", period=small_period, args=args
            )
            failures += bool(failed)
            show_time(f"(b) at {SMALL_DEPARTMENTS} departments", elapsed, failed)
            show_ratio(
                f"b{args.departments}/b{SMALL_DEPARTMENTS}",
                times.get("b"),
                None if failed else elapsed,
                args.departments / SMALL_DEPARTMENTS,  # linear: 5 for 40 departments
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
