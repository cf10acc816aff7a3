"""Benchmark: the loader and the measures on a large survey (issue #11).

Generates an organisation of 100k respondents x 24 monthly waves and 5k use
cases once (``aiadopt.sample.write_sample``, as ``bench_load_kpis.py``), as
CSV and as Parquet, in a temporary folder (or ``--folder DIR``, reused when
it already holds the files). Each measurement runs in a fresh Python process,
``--repeat`` times; printed per step: the median wall time of the call
itself (imports excluded) and the peak RSS of the process (imports
included), each next to its target with ``ok`` or ``MISSED``:

- ``load_survey`` and ``load`` (the whole folder) from CSV: 12 s, 1.5 GB;
- ``load_survey`` and ``load`` from Parquet: 3 s;
- ``compute_measures(data, period=<latest>, min_group_size=5, n_boot=1000,
  seed=0)`` on the loaded Parquet folder: 3 s.

``--baseline PATH`` runs every step a second time with ``PATH`` (a checkout
of another version of aiadopt, e.g. ``git archive main``) first on
``PYTHONPATH``, and prints both side by side. Timings are printed, never
asserted.
Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_load_scale.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GB = 1e9

#: Child programs: each prints one JSON line {"seconds": ..., "rows": ...}.
_CHILD = """
import json, sys, time
mode, path = sys.argv[1], sys.argv[2]
import aiadopt
from aiadopt import load, load_survey
from aiadopt.measures import compute_measures
if mode == "load_survey":
    t0 = time.perf_counter(); out = load_survey(path); t = time.perf_counter() - t0
    rows = len(out)
elif mode == "load":
    t0 = time.perf_counter(); out = load(path); t = time.perf_counter() - t0
    rows = len(out.survey)
else:
    data = load(path)
    period = data.latest_period()
    t0 = time.perf_counter()
    out = compute_measures(data, period=period, min_group_size=5, n_boot=1000, seed=0)
    t = time.perf_counter() - t0
    rows = len(out)
print(json.dumps({"seconds": t, "rows": rows, "module": aiadopt.__file__}))
"""


def run_child(mode: str, path: Path, pythonpath: Path) -> tuple[float, float, dict]:
    """Run one measurement in a fresh process; (seconds, peak RSS in bytes, report)."""
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, mode, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
        # Not the checkout: "python -c" puts the working folder first on
        # sys.path, which would beat PYTHONPATH.
        cwd=tempfile.gettempdir(),
    )
    # wait4 gives this child's own resource usage (ru_maxrss in KiB on Linux),
    # not the maximum over every child waited for so far.
    out, err = proc.stdout.read(), proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{mode} {path} failed (exit {proc.returncode}):\n{err}")
    report = json.loads(out.strip().splitlines()[-1])
    return report["seconds"], usage.ru_maxrss * 1024.0, report


def measure(mode: str, path: Path, pythonpath: Path, repeat: int) -> tuple[float, float, dict]:
    runs = [run_child(mode, path, pythonpath) for _ in range(repeat)]
    return (
        statistics.median(r[0] for r in runs),
        max(r[1] for r in runs),
        runs[-1][2],
    )


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return "ok" if value <= target else "MISSED"


def generate(folder: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    from aiadopt.sample import write_sample

    csv_dir, pq_dir = folder / "csv", folder / "parquet"
    for fmt, target in (("csv", csv_dir), ("parquet", pq_dir)):
        if (target / f"survey.{'csv' if fmt == 'csv' else 'parquet'}").is_file():
            continue
        t0 = time.perf_counter()
        write_sample(
            target,
            seed=1,
            fmt=fmt,
            n_respondents=args.respondents,
            n_waves=args.waves,
            n_use_cases=args.use_cases,
        )
        sizes = ", ".join(
            f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(target.iterdir())
        )
        print(f"generated {fmt} in {time.perf_counter() - t0:.1f} s: {sizes}")
    return csv_dir, pq_dir


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=100_000)
    ap.add_argument("--waves", type=int, default=24)
    ap.add_argument("--use-cases", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--folder", type=Path, help="keep (or reuse) the generated data here")
    ap.add_argument("--baseline", type=Path, help="another aiadopt checkout to compare with")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        csv_dir, pq_dir = generate(folder, args)
        steps = [
            ("load_survey, CSV", "load_survey", csv_dir / "survey.csv", 12.0, 1.5 * GB),
            ("load, CSV folder", "load", csv_dir, 12.0, 1.5 * GB),
            ("load_survey, Parquet", "load_survey", pq_dir / "survey.parquet", 3.0, None),
            ("load, Parquet folder", "load", pq_dir, 3.0, None),
            ("compute_measures (n_boot=1000)", "measures", pq_dir, 3.0, None),
        ]
        versions = [("this", ROOT)]
        if args.baseline:
            versions.append(("baseline", args.baseline.resolve()))
        header = f"{'step':<32}{'target':>16}"
        for name, _code in versions:
            header += f" | {name + ': median s, peak GB':>34}"
        print(header)
        rows = None
        modules = {}
        for label, mode, path, t_target, rss_target in steps:
            goal = f"{t_target:.0f} s" + (f", {rss_target / GB:.1f} GB" if rss_target else "")
            text = f"{label:<32}{goal:>16}"
            for name, code in versions:
                seconds, peak, report = measure(mode, path, code, args.repeat)
                modules[name] = str(Path(report["module"]).parent)
                if mode == "load_survey" and "CSV" in label:
                    rows = report["rows"]
                ok = verdict(seconds, t_target)
                if rss_target is not None and ok == "ok":
                    ok = verdict(peak, rss_target)
                text += f" | {seconds:7.2f} s {peak / GB:5.2f} GB {ok:>6}      "
            print(text, flush=True)
        print(f"survey rows: {rows:,}; each figure the median of {args.repeat} fresh processes")
        for name, module in modules.items():
            print(f"{name}: aiadopt from {module}")


if __name__ == "__main__":
    main()
