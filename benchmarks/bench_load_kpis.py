"""Benchmark: loading a large survey from Parquet, and all KPIs of one period.

Generates an organisation of 100k respondents x 24 monthly waves and 5k use
cases (``--respondents``, ``--waves``, ``--use-cases`` to change), writes it
as Parquet to a temporary folder, then times, each ``--repeat`` times:

- ``load_survey``: reading and validating the survey Parquet file;
- ``load``: the whole folder (three tables, cross-checks);
- ``compute_kpis``: the five KPIs for every unit (organisation, departments,
  teams) of the latest period, on the loaded data.

Prints the median and the spread of each; targets are 5 s and 2 s.
Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_load_kpis.py``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from aiadopt import load, load_survey
from aiadopt.kpis import compute_kpis
from aiadopt.sample import write_sample


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return result, times


def line(label, times, target=None):
    med = statistics.median(times)
    spread = f"min {min(times):.2f} s, max {max(times):.2f} s"
    goal = f"  (target < {target:.0f} s: {'ok' if med < target else 'MISSED'})" if target else ""
    print(f"{label:<38} median {med:6.2f} s  [{spread}]{goal}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--respondents", type=int, default=100_000)
    ap.add_argument("--waves", type=int, default=24)
    ap.add_argument("--use-cases", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_sample(
            folder,
            seed=1,
            fmt="parquet",
            n_respondents=args.respondents,
            n_waves=args.waves,
            n_use_cases=args.use_cases,
        )
        print(
            f"generated in {time.perf_counter() - t0:.1f} s: "
            + ", ".join(
                f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(folder.iterdir())
            )
        )

        survey, t_survey = timed(lambda: load_survey(folder / "survey.parquet"), args.repeat)
        data, t_load = timed(lambda: load(folder), args.repeat)
        period = data.latest_period()
        kpis, t_kpis = timed(lambda: compute_kpis(data, period=period), args.repeat)

        n_dept = data.survey["department"].nunique()
        n_team = data.survey["team"].nunique()
        print(
            f"survey rows {len(survey):,} x {survey.shape[1]} columns; "
            f"use cases {len(data.use_cases):,}; {n_dept} departments, {n_team} teams; period {period}"
        )
        line("load_survey (Parquet, validated)", t_survey, 5)
        line("load (three tables, validated)", t_load)
        line(f"compute_kpis, {len(kpis):,} units", t_kpis, 2)


if __name__ == "__main__":
    main()
