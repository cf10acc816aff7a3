"""Benchmark: how fast ``aiadopt --help`` answers (target: under a second).

Runs each command ``--repeat`` times as a new process and prints the median
and spread of the wall-clock time:

- ``python -c pass``: the interpreter's own start-up, the floor;
- ``aiadopt --help`` and ``aiadopt kpis --help``: the parser only (lazy
  imports: no pandas, matplotlib or scipy);
- ``python -c "import pandas"``: for scale, what an eager import would add.

The ``aiadopt`` console script next to this interpreter is used when it is
installed, otherwise ``python -m aiadopt.cli``.
Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_cli_startup.py``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 1.0


def aiadopt_command() -> list[str]:
    script = Path(sys.executable).with_name("aiadopt")
    return [str(script)] if script.exists() else [sys.executable, "-m", "aiadopt.cli"]


def timed(argv: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def line(label: str, times: list[float], target: float | None = None) -> None:
    med = statistics.median(times)
    goal = f"  (target < {target:.0f} s: {'ok' if med < target else 'MISSED'})" if target else ""
    print(
        f"{label:<34} median {med:6.3f} s  [min {min(times):.3f} s, max {max(times):.3f} s]{goal}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=11, help="runs of each command (default 11)")
    args = ap.parse_args()

    cli = aiadopt_command()
    print(f"{args.repeat} runs each; aiadopt = {' '.join(cli)}")
    line("python -c pass", timed([sys.executable, "-c", "pass"], args.repeat))
    line("aiadopt --help", timed([*cli, "--help"], args.repeat), TARGET_SECONDS)
    line("aiadopt kpis --help", timed([*cli, "kpis", "--help"], args.repeat), TARGET_SECONDS)
    line('python -c "import pandas"', timed([sys.executable, "-c", "import pandas"], args.repeat))


if __name__ == "__main__":
    main()
