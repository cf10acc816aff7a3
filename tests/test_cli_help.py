"""The command line explains itself and starts fast: help on every option,
an example ending each subcommand's help, lazy imports, ``--period latest``
everywhere, a readable ``kpis`` table and progress for ``charts``."""

from __future__ import annotations

import argparse
import io
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import aiadopt
from aiadopt.cli import CHARTS, FORMATS, MEASURES, TABLE_WIDTH, build_parser, main
from aiadopt.output import render

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
HEAVY = ("pandas", "matplotlib", "scipy", "seaborn", "statsmodels", "sklearn")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


SUBCOMMANDS = sorted(_subparsers(build_parser()))


def run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", ["aiadopt", *SUBCOMMANDS])
def test_every_option_has_help(name):
    parser = build_parser()
    if name != "aiadopt":
        parser = _subparsers(parser)[name]
    missing = [
        "/".join(a.option_strings) or a.dest
        for a in parser._actions
        if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))
        and not (a.help and a.help.strip() and a.help != argparse.SUPPRESS)
    ]
    assert missing == [], f"aiadopt {name}: options without help: {missing}"


@pytest.mark.parametrize("name", ["aiadopt", *SUBCOMMANDS])
def test_help_ends_with_an_example_that_parses(name):
    parser = build_parser()
    sub = parser if name == "aiadopt" else _subparsers(parser)[name]
    text = sub.format_help()
    head, marker, example = text.rpartition("Example:\n")
    assert marker, f"aiadopt {name} --help has no example"
    command = example.strip().splitlines()[0].strip()
    argv = shlex.split(command)
    assert argv[0] == "aiadopt"
    if name != "aiadopt":
        assert argv[1] == name
    args = build_parser().parse_args(argv[1:])  # a SystemExit here fails the test
    assert callable(args.func)


def test_help_lists_the_registries():
    """The lazy registries still show their names in the subcommand's help."""
    subs = _subparsers(build_parser())
    measures_help = subs["measures"].format_help()
    charts_help = subs["charts"].format_help()
    assert all(m in " ".join(measures_help.split()) for m in MEASURES)
    assert all(c in " ".join(charts_help.split()) for c in CHARTS)
    from aiadopt.output import FORMATS as LIBRARY_FORMATS

    kpis_help = " ".join(subs["kpis"].format_help().split())
    assert all(f in kpis_help for f in LIBRARY_FORMATS)
    assert "table, json" in " ".join(subs["regression"].format_help().split())


def test_registries_are_the_library_ones():
    from aiadopt import gallery, measures, output

    assert tuple(MEASURES) == measures.MEASURES
    assert tuple(CHARTS) == tuple(gallery.CHARTS)
    assert tuple(FORMATS) == output.FORMATS


def test_bad_registry_value_names_the_choices(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["measures", "--data", str(SAMPLE), "--measure", "nope"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "'nope'" in err and "culture" in err


@pytest.mark.parametrize("module", ["aiadopt", "aiadopt.cli"])
def test_import_and_parser_load_no_heavy_modules(module):
    code = (
        f"import {module}; import aiadopt.cli, sys; aiadopt.cli.build_parser(); "
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv", [["--help"], ["kpis", "--help"], ["regression", "--help"], ["report", "--help"]]
)
def test_help_runs_without_heavy_modules(argv):
    code = (
        "import sys, aiadopt.cli\n"
        f"try:\n    aiadopt.cli.main({argv!r})\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "Example:" in proc.stdout
    assert proc.stderr.strip() == "[]"


def test_public_names_still_work():
    from aiadopt import DataValidationError, load
    from aiadopt.io import load as io_load

    assert aiadopt.load is io_load is load
    assert issubclass(DataValidationError, Exception)
    assert set(aiadopt.__all__) <= set(dir(aiadopt))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        aiadopt.nope  # noqa: B018


@pytest.mark.parametrize("name", ["kpis", "measures", "regression", "charts", "report"])
def test_period_latest_is_accepted(name):
    sub = _subparsers(build_parser())[name]
    action = next(a for a in sub._actions if "--period" in a.option_strings)
    assert action.default == "latest" and "latest" in action.help
    required = {"charts": ["--out", "x"]}.get(name, [])
    args = build_parser().parse_args([name, "--data", "d", "--period", "latest", *required])
    assert args.period == "latest"


def test_kpis_period_latest_is_the_latest_month(capsys):
    _, latest, _ = run(
        capsys, "kpis", "--data", str(SAMPLE), "--period", "latest", "--format", "csv"
    )
    _, explicit, _ = run(
        capsys, "kpis", "--data", str(SAMPLE), "--period", "2026-10", "--format", "csv"
    )
    assert latest == explicit


def test_kpis_table_is_readable_and_fits(capsys):
    code, out, err = run(capsys, "kpis", "--data", str(SAMPLE), "--period", "2026-10")
    assert code == 0, err
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= TABLE_WIDTH
    words = " ".join(out.split())
    for heading in (
        "Active",
        "Leadership",
        "adoption",
        "Time-to-impact",
        "(days)",
        "Respondents",
        "Unit",
    ):
        assert heading in words
    for raw in ("active_use_cases", "leadership_adoption_pct", "_suppressed", "n_respondents"):
        assert raw not in out
    # Split into blocks, each naming the unit: every unit shows in every block.
    blocks = out.strip().split("\n\n")
    assert len(blocks) >= 2
    for block in blocks:
        assert "Unit" in block and "Klantenservice Particulier" in block and "organisation" in block
    assert "suppressed" in out


def test_kpis_csv_and_json_keep_raw_names(capsys):
    _, csv, _ = run(
        capsys, "kpis", "--data", str(SAMPLE), "--level", "organisation", "--format", "csv"
    )
    _, js, _ = run(
        capsys, "kpis", "--data", str(SAMPLE), "--level", "organisation", "--format", "json"
    )
    assert csv.splitlines()[0].startswith("level,unit,department,active_use_cases")
    assert "leadership_adoption_pct_suppressed" in json.loads(js)[0]


def test_render_table_blocks_keep_keys_and_wrap_headings():
    frame = pd.DataFrame(
        {"unit": ["Finance", "HR"], "a_long_column": [1.0, 2.5], "b": [3.0, None], "c": ["x", "y"]}
    )
    labels = {"unit": "Unit", "a_long_column": "A rather long heading", "b": "Bee", "c": "Sea"}
    text = render(frame, "table", labels=labels, keys=("unit",), width=22)
    blocks = text.strip().split("\n\n")
    assert len(blocks) == 2
    assert all(max(len(line) for line in b.splitlines()) <= 22 for b in blocks)
    assert all("Unit" in b and "Finance" in b for b in blocks)
    assert (
        re.search(r"A rather *\n *long *\n", text) and "–" in text
    )  # wrapped heading; missing as a dash
    # CSV ignores the reader's options.
    assert render(frame, "csv", labels=labels).splitlines()[0] == "unit,a_long_column,b,c"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


CHART_ARGS = [
    "charts",
    "--data",
    str(SAMPLE),
    "--chart",
    "culture",
    "--chart",
    "goal_mix",
    "--n-boot",
    "20",
]


def test_charts_progress_one_line_per_chart_when_not_a_terminal(tmp_path, capsys):
    code, out, err = run(capsys, *CHART_ARGS, "--out", str(tmp_path))
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("aiadopt charts:")]
    assert lines == ["aiadopt charts: [1/2] culture", "aiadopt charts: [2/2] goal_mix"]
    assert "\r" not in err
    assert out.split() == [str(tmp_path / "culture.png"), str(tmp_path / "goal_mix.png")]


def test_charts_progress_bar_in_a_terminal(tmp_path, monkeypatch, capsys):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main([*CHART_ARGS, "--out", str(tmp_path)])
    assert code == 0
    err = terminal.getvalue()
    assert "\r" in err and "2/2" in err and "charts" in err
    assert "aiadopt charts: [" not in err
    assert capsys.readouterr().out.split()[-1].endswith("goal_mix.png")
