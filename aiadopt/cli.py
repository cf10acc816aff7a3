"""The ``aiadopt`` command line: thin, it parses, calls the library, reports.

Bad input ends with a readable message on stderr and exit status 2, never a
traceback and never partial output.

Every option has a help line and every subcommand's help ends with an
example. Building the parser imports no pandas, matplotlib or scipy (the
registries behind ``--measure``, ``--chart`` and ``--format`` are read only
when a value is checked or a subcommand's help is printed); each command
imports the library inside its function, so ``aiadopt --help`` is quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

from . import __version__

__all__ = ["main", "build_parser"]

EXIT_BAD_INPUT = 2
EXIT_REPORTS_FAILED = 1
EXIT_LOCKED = 3
#: ``aiadopt report --period latest`` (the scheduled run) on data that has not
#: changed since an earlier month was published: nothing published.
EXIT_STALE = 4
# SIGINT/SIGTERM during `aiadopt report`: 128 + the signal (130, 143).


class _Registry(Sequence):
    """The names of a library registry (``module.attribute``), read on first
    use, as argparse ``choices``: building the parser stays cheap, and the
    names are still listed once, in the library."""

    def __init__(self, module: str, attribute: str) -> None:
        self._where = (module, attribute)
        self._names: tuple[str, ...] | None = None

    def _load(self) -> tuple[str, ...]:
        if self._names is None:
            module, attribute = self._where
            self._names = tuple(getattr(import_module(module, __package__), attribute))
        return self._names

    def __getitem__(self, index):
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __contains__(self, value: object) -> bool:
        return value in self._load()


FORMATS = _Registry(".output", "FORMATS")
MEASURES = _Registry(".measures", "MEASURES")
CHARTS = _Registry(".gallery", "CHARTS")
LANGUAGES = _Registry(".labels", "LANGUAGES")
LEVELS = ("organisation", "department", "team", "all")
#: ``--survey-format`` names (aiadopt.io.exports.FORMAT_NAMES; a test checks they agree).
SURVEY_FORMATS = ("auto", "aiadopt", "qualtrics", "msforms", "limesurvey")


def _data_source(text: str) -> Path | str:
    """``--data``: a folder (a Path), or a database URL kept as text."""
    return text if "://" in text else Path(text)


def _add_data(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data",
        type=_data_source,
        metavar="DIR|URL",
        help="required, here or as source in the config's [data] table: "
        "folder with use_cases, processes and survey files, or a PostgreSQL URL "
        "postgresql+psycopg://user@host:port/database without a password (PGPASSWORD or "
        "~/.pgpass give it; docs/databases.md)",
    )
    p.add_argument(
        "--schema",
        metavar="NAME",
        help="with a database URL: the tables' schema (default: the user's current schema, public)",
    )
    p.add_argument(
        "--tables",
        metavar="TABLE=NAME,...",
        help="with a database URL: table names other than use_cases, processes and survey "
        "(e.g. survey=pulse,use_cases=register)",
    )
    p.add_argument(
        "--codebook",
        type=Path,
        metavar="FILE",
        help="survey codebook YAML (default: the shipped one)",
    )
    p.add_argument(
        "--survey-format",
        choices=SURVEY_FORMATS,
        default="auto",
        metavar="FORMAT",
        help="the survey file: aiadopt's own table or a survey tool's export "
        "(auto, aiadopt, qualtrics, msforms, limesurvey); default: auto, recognised from its header",
    )
    p.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="mapping YAML from a survey tool's question ids and answers to aiadopt's "
        "(docs/survey-exports.md); extends the codebook",
    )


#: ``--format`` help for :data:`FORMATS`, written out so that ``kpis --help``
#: does not import the output module (pandas); a test checks it names them all.
_FORMATS_HELP = "output format: table (for people), csv or json (raw column names); default: table"


def _add_output(p: argparse.ArgumentParser, formats: Sequence[str] | None = None) -> None:
    p.add_argument(
        "--format",
        choices=FORMATS if formats is None else formats,
        default="table",
        metavar="FORMAT",
        help=_FORMATS_HELP
        if formats is None
        else "output format: %(choices)s (default: %(default)s)",
    )
    p.add_argument(
        "--out", metavar="FILE", help="write to FILE instead of stdout (written atomically)"
    )


def _period_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--period",
        default="latest",
        metavar="YYYY-MM",
        help="calendar month, or 'latest' for the latest month with data (default: latest)",
    )


def _min_group(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--min-group-size",
        type=int,
        default=5,
        metavar="N",
        help="privacy: smallest group shown (default 5, at least 3)",
    )


def _lang(p: argparse.ArgumentParser, *, report: bool = False) -> None:
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None if report else "en",
        metavar="LANG",
        help="language of the reports: %(choices)s (default: the config's languages, else en)"
        if report
        else "language of labels and text: %(choices)s (default: %(default)s, "
        "or the first of the config's languages)",
    )


def _n_boot(p: argparse.ArgumentParser, default: int, what: str) -> None:
    p.add_argument(
        "--n-boot",
        type=int,
        default=default,
        metavar="N",
        help=f"bootstrap resamples for {what} (default {default})",
    )


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the epilog's line breaks; a help line without ``%`` is used as
    it is (argparse would otherwise read every action's choices, importing
    the registry behind ``--format`` just to print ``kpis --help``)."""

    def _expand_help(self, action: argparse.Action) -> str:
        if "%" not in (action.help or ""):
            return action.help or ""
        return super()._expand_help(action)


def _subcommand(
    sub, name: str, *, help: str, example: str, config: bool = True
) -> argparse.ArgumentParser:
    """A subcommand whose help ends with a runnable example; it takes
    ``--config`` (the project config, aiadopt.config) unless ``config`` is False."""
    p = sub.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=f"Example:\n  {example}",
        formatter_class=_HelpFormatter,
    )
    if config:
        p.add_argument(
            "--config",
            type=Path,
            metavar="FILE",
            help="project config (default: ./aiadopt.toml when it exists); "
            "an option given here overrides it",
        )
    return p


def _load(args):
    from .io import load

    data = load(
        args.data,
        codebook=args.codebook,
        survey_format=args.survey_format,
        mapping=args.mapping,
        schema=args.schema,
        tables=args.tables,
    )
    for warning in data.warnings:
        print(f"aiadopt {args.command}: warning: {warning}", file=sys.stderr)
    return data


def _period(args, data):
    """The month asked for: "latest" is the latest month with data (never
    after the current month); a month after it is an error, not zeros."""
    return str(data.resolve_period(args.period))


#: Widest table the CLI prints for people (characters).
TABLE_WIDTH = 100


def _readable(*groups: str, keys: tuple[str, ...] = ("level", "unit")) -> dict:
    """Table options for :func:`aiadopt.output.render`: headings from the
    label groups, the ``keys`` columns repeated in every block, and at most
    :data:`TABLE_WIDTH` characters (less when the terminal is narrower)."""
    import shutil

    from .labels import labels

    headings: dict[str, str] = {}
    for group in groups:
        headings.update(labels(group))
    width = min(TABLE_WIDTH, shutil.get_terminal_size((TABLE_WIDTH, 24)).columns)
    return {"labels": headings, "keys": keys, "width": width}


def cmd_kpis(args) -> int:
    from .kpis import compute_kpis
    from .output import emit

    data = _load(args)
    table = compute_kpis(
        data, period=_period(args, data), level=args.level, min_group_size=args.min_group_size
    )
    emit(table, args.format, args.out, **_readable("kpi", "column"))
    return 0


def cmd_priorities(args) -> int:
    from .output import emit
    from .prioritisation import compute_priorities

    data = _load(args)
    weights = None
    if args.weights:
        weights = dict(zip(("impact", "feasibility", "urgency"), args.weights, strict=True))
    table = compute_priorities(data, split=args.split, weights=weights, department=args.department)
    emit(table, args.format, args.out)
    return 0


def cmd_measures(args) -> int:
    from .measures import compute_measures
    from .output import emit
    from .present.text import measure_labels

    data = _load(args)
    table = compute_measures(
        data, period=_period(args, data), min_group_size=args.min_group_size, n_boot=args.n_boot
    )
    table = measure_labels(table, args.lang, min_group_size=args.min_group_size)
    if args.level != "all":
        table = table[table["level"] == args.level]
    if args.measure:
        table = table[table["measure"].isin(args.measure)]
    emit(table.reset_index(drop=True), args.format, args.out)
    return 0


def cmd_charts(args) -> int:
    """Draw the gallery. Progress goes to stderr: a tqdm bar in a terminal,
    one line per chart otherwise (logs, CI); stdout lists the files written."""
    import matplotlib

    matplotlib.use("Agg")  # files only; never opens a window
    from .gallery import write_charts

    data = _load(args)
    period = _period(args, data)
    names = args.chart or list(CHARTS)
    with _chart_progress(names) as progress:
        paths = write_charts(
            data,
            args.out,
            period=period,
            lang=args.lang,
            min_group_size=args.min_group_size,
            n_boot=args.n_boot,
            charts=names,
            progress=progress,
        )
    for path in paths:
        print(path)
    return 0


@contextmanager
def _chart_progress(names: list[str]) -> Iterator[Callable[[str], None]]:
    """A ``progress(name)`` callback, called as each chart starts."""
    total = len(names)
    if not sys.stderr.isatty():
        count = 0

        def line(name: str) -> None:
            nonlocal count
            count += 1
            print(f"aiadopt charts: [{count}/{total}] {name}", file=sys.stderr, flush=True)

        yield line
        return

    from tqdm import tqdm

    with tqdm(total=total, desc="charts", unit="chart", file=sys.stderr) as bar:
        started = False

        def advance(name: str) -> None:
            nonlocal started
            if started:  # the previous chart is done
                bar.update(1)
            started = True
            bar.set_postfix_str(name)

        yield advance
        if started:
            bar.update(1)


def cmd_regression(args) -> int:
    import json

    from .output import write_text_atomic
    from .present.text import regression_finding
    from .regression import fit_competency_roi

    data = _load(args)
    result = fit_competency_roi(
        data,
        period=_period(args, data),
        department=args.department,
        n_boot=args.n_boot,
        seed=args.seed,
    )
    if args.format == "json":
        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = result.summary() + "\n"
        if not result.refused:
            text += "\n" + " ".join(regression_finding(result)) + "\n"
    if args.out:
        write_text_atomic(args.out, text)
    else:
        sys.stdout.write(text)
    return 0


def _timeout_seconds(text: str) -> int:
    """``--timeout``: a positive whole number of seconds, checked before any kernel starts."""
    from .report.runner import ParameterError, check_timeout

    value = text.strip()
    try:
        return check_timeout(int(value) if value.isdigit() else float(value))
    except (ParameterError, ValueError):
        raise argparse.ArgumentTypeError(
            f"must be a positive whole number of seconds (e.g. 600), got {text!r}"
        ) from None


def _month(text: str) -> str:
    """``--since`` and ``--until``: a calendar month ``YYYY-MM``."""
    import re

    value = text.strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"must be a month YYYY-MM (e.g. 2026-08), got {text!r}")
    return value


def _department_count(text: str) -> int:
    """``sample --departments``: a whole number, at least 2 (the library
    checks the upper limit, which needs its name lists)."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < 2:
        raise argparse.ArgumentTypeError(
            "must be a whole number of at least 2 (a department and the tiny Legal one), "
            f"got {text!r}"
        )
    return int(value)


def cmd_report(args) -> int:
    """``aiadopt report``: once per language of the config's ``languages``
    (``--lang`` makes it one); with more than one, each language is
    published under ``<out>/<lang>/``. The exit status is the worst run's."""
    import copy

    languages = [args.lang] if args.lang else (args.languages or ["en"])
    codes = []
    for lang in languages:
        run = copy.copy(args)
        run.lang = lang
        if len(languages) > 1:
            run.out = Path(args.out) / lang
            print(f"aiadopt report: {lang}: {run.out}/", file=sys.stderr)
        codes.append(_report_one(run))
        if codes[-1] in (EXIT_BAD_INPUT, 130):
            break  # the same input or options fail every language alike
    return _worst(codes)


def _worst(codes: list[int]) -> int:
    """The exit status of several runs: a failure first, then a run not made (locked,
    stale), else 0."""
    for worse in (lambda c: c not in (0, EXIT_LOCKED, EXIT_STALE), EXIT_LOCKED.__eq__, bool):
        found = [c for c in codes if worse(c)]
        if found:
            return found[0]
    return 0


def _report_one(args) -> int:
    """``aiadopt report`` in one language; a failed or partial run is alerted
    (aiadopt.alerts), without changing the exit code."""
    from .alerts import RunAlerts, settings_from_args

    settings = settings_from_args(args)  # bad alert options: exit 2 before anything runs
    asked = f"{args.since}..{args.until or 'latest'}" if args.since else args.period
    alerts = RunAlerts(settings, period=asked, output=args.out)
    try:
        return _report(args, alerts)
    except BaseException as exc:
        # An error main() reports (exit 2), or a crash (Python exits 1, or 130 for
        # Ctrl-C): alerted, then raised as before.
        code = EXIT_BAD_INPUT if isinstance(exc, ValueError) else 1
        alerts.stopped(exc, 130 if isinstance(exc, KeyboardInterrupt) else code)
        raise


def cmd_init(args) -> int:
    """``aiadopt init``: write the commented starter config."""
    from .config import CONFIG_NAME, write_starter

    path = args.config or Path(CONFIG_NAME)
    try:
        write_starter(path, force=args.force)
    except FileExistsError as exc:
        print(f"aiadopt init: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"wrote {path}: set [data] source, then run "
        f"'aiadopt report{'' if path == Path(CONFIG_NAME) else f' --config {path}'}'"
    )
    return 0


def _report(args, alerts) -> int:
    from .report import runner
    from .report.runner import (
        OutputError,
        ParameterError,
        ReportLockedError,
        RunInterrupted,
    )

    from_config = getattr(args, "config_values", {})
    if args.chromium and not args.pdf and from_config.get("chromium") != args.chromium:
        # (the config's chromium is the browser for the runs that do print PDFs)
        print(
            "aiadopt report: error: --chromium is the browser for --pdf; add --pdf to print the reports",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    if args.until and not args.since:
        print(
            "aiadopt report: error: --until is the last month of a backfill; add --since YYYY-MM "
            "(the first month), or use --period for one month",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    extra = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"aiadopt report: error: --param needs NAME=VALUE, got {item!r}", file=sys.stderr)
            return EXIT_BAD_INPUT
        extra[name.strip()] = value
    options = dict(
        departments=None if args.all or not args.department else args.department,
        lang=args.lang,
        workers=args.workers,
        out=args.out,
        timeout=args.timeout,
        min_group_size=args.min_group_size,
        n_boot=args.n_boot,
        seed=args.seed,
        codebook=args.codebook,
        survey_format=args.survey_format,
        mapping=args.mapping,
        notebooks_dir=args.notebooks,
        parameters=extra,
        pdf=args.pdf,
        chromium=args.chromium,
        scheduler=args.scheduler,
        schema=args.schema,
        tables=args.tables,
    )
    codes: list[int] = []

    def done(result) -> None:
        codes.append(_report_outcome(args, alerts, result))

    try:
        if args.since:
            # A backfill: each month in turn, an unchanged one skipped (aiadopt.history).
            runner.backfill_reports(
                args.data,
                since=args.since,
                until=args.until,
                on_month=done,
                force=args.force,
                **options,
            )
        else:
            # An explicit month already published from the same inputs is left
            # as it is; the latest month on data unchanged since an earlier
            # published month is "stale" (docs/running-every-month.md).
            latest = args.period.strip() == "latest"
            done(
                runner.run_reports(
                    args.data,
                    period=args.period,
                    skip_unchanged=not (latest or args.force),
                    check_stale=latest and not args.force,
                    **options,
                )
            )
    except (ParameterError, OutputError) as exc:
        print(f"aiadopt report: error: {exc}", file=sys.stderr)
        return alerts.stopped(exc, EXIT_BAD_INPUT)
    except ReportLockedError as exc:
        print(f"aiadopt report: {exc}", file=sys.stderr)
        return alerts.stopped(exc, EXIT_LOCKED)
    except RunInterrupted as exc:
        what = (
            "the new reports were already published"
            if exc.published
            else "workers and kernels stopped, nothing published, the month is unchanged"
        )
        print(f"aiadopt report: interrupted by {exc}: {what}", file=sys.stderr)
        return alerts.stopped(exc, exc.exit_status)
    # A backfill exits with the worst of its months.
    return _worst(codes)


def _report_outcome(args, alerts, result) -> int:
    """Say what one month's run did (with the month first in a backfill),
    alert a failed or partial month, and give its exit status."""
    month = f"{result.period}: " if args.since else ""
    if result.skipped == "stale":
        print(
            f"aiadopt report: the data has not changed since {result.since} was published "
            f"(the same input checksums); nothing published for {result.period}. "
            "Refresh the data, or pass --force to publish it anyway.",
            file=sys.stderr,
        )
        return EXIT_STALE
    if result.skipped == "unchanged":
        print(
            f"{month}unchanged: {result.directory}/ is already published from the same data, "
            "parameters and aiadopt version; nothing rewritten"
        )
        return 0
    n = len(result.results)
    if not result.published:
        kept = f", {result.directory} is unchanged" if result.directory.exists() else ""
        print(
            f"aiadopt report: {month}all {n} reports failed; nothing published{kept}:",
            file=sys.stderr,
        )
        for r in result.failures:
            print(f"  - {r.title}: {r.reason}", file=sys.stderr)
        return alerts.finished(result, EXIT_REPORTS_FAILED)
    pdfs = ", one PDF per report" if args.pdf else ""
    print(
        f"{month}{n - len(result.failures)} of {n} reports published in {result.directory}/ (index.html, manifest.json{pdfs})"
    )
    if result.failures:
        print(f"aiadopt report: {month}{len(result.failures)} report(s) failed:", file=sys.stderr)
        for r in result.failures:
            kept = (
                f" (showing the version from the earlier run of {r.earlier_run})"
                if r.earlier_run
                else ""
            )
            print(f"  - {r.title}: {r.reason}{kept}", file=sys.stderr)
        return alerts.finished(result, EXIT_REPORTS_FAILED)
    return alerts.finished(result, 0)


def cmd_history(args) -> int:
    """``aiadopt history``: the published KPI series, or (``--runs``) the runs."""
    import pandas as pd

    from .history import History, HistoryError, history_path
    from .labels import label
    from .output import emit
    from .present.formats import KPI_DISPLAY, MISSING, Formatter

    config = getattr(args, "config_values", {})
    if len(config.get("languages") or ()) > 1 and args.out == config.get("out"):
        # The config's reports folder holds one folder per language (cmd_report).
        args.out = Path(args.out) / args.lang
    try:
        history = History(history_path(args.out), create=False)
        if args.runs:
            frame = pd.DataFrame(
                [
                    {
                        "period": r["period"],
                        "status": r["status"],
                        "exit_code": r["exit_code"],
                        "started_at": r["started_at"],
                        "finished_at": r["finished_at"],
                        "failed_reports": ", ".join(
                            x["unit"] for x in r["reports"] if x["status"] != "ok"
                        ),
                    }
                    for r in history.runs()
                    if args.unit is None or any(x["unit"] == args.unit for x in r["reports"])
                ],
                columns=[
                    "period", "status", "exit_code", "started_at", "finished_at", "failed_reports"
                ],
            )  # fmt: skip
        else:
            frame = history.kpi_series(unit=args.unit, kpi=args.kpi)
    except HistoryError as exc:
        print(
            f"aiadopt history: error: {exc}. The history is written by `aiadopt report "
            f"--out {args.out}`; run it first, or pass the reports folder it wrote with --out.",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    if not args.runs:
        frame = frame.drop(columns="run_id")
        if frame.empty and (args.unit or args.kpi):
            print(
                f"aiadopt history: no published KPI for unit {args.unit or 'any'} and KPI "
                f"{args.kpi or 'any'}; the units are departments' names and 'organisation', "
                f"the KPIs {', '.join(KPI_DISPLAY)}",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
    if args.format != "table":
        emit(frame, args.format)
        return 0
    fmt = Formatter(args.lang)
    shown = pd.DataFrame({"period": frame["period"].map(fmt.month_short)})
    if args.runs:
        shown["status"] = [label(f"history.status_{s}", args.lang) for s in frame["status"]]
        shown["exit_code"] = [
            MISSING if pd.isna(c) else fmt.count(int(c)) for c in frame["exit_code"]
        ]
        shown["started_at"] = frame["started_at"].fillna(MISSING).str[:19].str.replace("T", " ")
        shown["failed_reports"] = frame["failed_reports"].replace("", MISSING)
    else:
        shown["unit"] = [
            label("history.organisation", args.lang) if level == "organisation" else unit
            for level, unit in zip(frame["unit_level"], frame["unit"], strict=True)
        ]
        shown["kpi"] = [label(f"kpi.{k}", args.lang) for k in frame["kpi"]]
        shown["value"] = [
            label("history.suppressed", args.lang)
            if hidden
            else (MISSING if pd.isna(v) else fmt.number(v, KPI_DISPLAY.get(k, (1, True))[0]))
            for k, v, hidden in zip(frame["kpi"], frame["value"], frame["suppressed"], strict=True)
        ]
    emit(shown, "table", **_readable("history", keys=("period",)))
    return 0


def cmd_sample(args) -> int:
    from .sample import write_sample

    sizes = {
        "departments": args.departments,
        "n_respondents": args.respondents,
        "n_use_cases": args.use_cases,
    }  # the ones not given: the library's defaults, which scale with departments
    paths = write_sample(
        args.out,
        seed=args.seed,
        fmt=args.format,
        n_waves=args.waves,
        **{name: value for name, value in sizes.items() if value is not None},
    )
    for path in paths.values():
        print(path)
    return 0


def _workshop_port(out: Path | None) -> int:
    """The port a session in ``out`` was last served on (0 when unknown)."""
    import json

    try:
        port = json.loads((Path(out) / "server.json").read_text(encoding="utf-8"))["port"]
    except (TypeError, OSError, ValueError, KeyError):
        return 0
    return port if isinstance(port, int) and 0 < port <= 65535 else 0


def cmd_workshop(args) -> int:
    """Serve a live workshop until Ctrl-C; every vote is on disk before it
    is acknowledged, so stopping loses nothing."""
    import signal

    from .workshop import Board
    from .workshop.app import WorkshopServer, lan_address

    if args.port is None:  # a resumed session serves on its own port again: the phones keep it
        args.port = _workshop_port(args.out) if args.resume else 0
    if not 0 <= args.port <= 65535:
        print(
            f"aiadopt workshop: error: --port must be 0..65535 (0: a free port), got {args.port}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    data = _load(args)
    status = [s.strip() for s in args.status.split(",") if s.strip()] if args.status else None
    board = Board(
        data,
        department=args.department,
        use_cases=args.use_case,
        status=status,
        out=args.out,
        min_votes=args.min_votes,
        resume=args.resume,
        lang=args.lang,
        lan=args.lan is not None,
    )
    address = (
        "127.0.0.1" if args.lan is None else (args.lan if args.lan != "auto" else lan_address())
    )
    try:
        server = WorkshopServer(board, address=address, port=args.port)
    except OSError as exc:
        print(
            f"aiadopt workshop: error: cannot serve on {address}:{args.port}: {exc.strerror or exc}; "
            "choose another --port (0: a free one) or --lan ADDRESS",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    import json

    from .atomic import write_text_atomic

    write_text_atomic(board.out / "server.json", json.dumps({"port": server.port}) + "\n")
    # From here on, Ctrl-C and SIGTERM (even one that arrives before the
    # server runs) stop it cleanly: every acknowledged vote is on disk.
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    try:
        for name, url in server.urls.items():
            print(f"{name}: {url}")
        sys.stdout.flush()
        print(
            f"aiadopt workshop: votes are saved in {board.out}; press Ctrl-C to stop",
            file=sys.stderr,
            flush=True,
        )
        server.run()
    except KeyboardInterrupt:
        pass
    board.close()
    print(f"aiadopt workshop: stopped; the votes are in {board.out}", file=sys.stderr, flush=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``aiadopt`` argument parser (imports no pandas or matplotlib)."""
    parser = argparse.ArgumentParser(
        prog="aiadopt",
        description="Analytics for organisations adopting AI (definitions: docs/metrics.md).",
        epilog="Example:\n  aiadopt kpis --data data/sample --period latest\n\n"
        "Run 'aiadopt COMMAND --help' for a command's options and an example.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"aiadopt {__version__}",
        help="show the version and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = _subcommand(
        sub,
        "kpis",
        help="the five adoption KPIs per unit for one month",
        example="aiadopt kpis --data data/sample --period latest --level department",
    )
    _add_data(p)
    _period_arg(p)
    p.add_argument(
        "--level",
        choices=LEVELS,
        default="all",
        help="units shown: %(choices)s (default: %(default)s)",
    )
    _min_group(p)
    _add_output(p)
    p.set_defaults(func=cmd_kpis)

    p = _subcommand(
        sub,
        "priorities",
        help="impact-effort quadrants and priority ranks of the use cases (docs/metrics.md §3)",
        example="aiadopt priorities --data data/sample --department Finance --weights 2 1 1",
    )
    _add_data(p)
    p.add_argument(
        "--department", metavar="NAME", help="only this department's use cases (default: all)"
    )
    p.add_argument(
        "--split",
        type=float,
        default=3.0,
        help="quadrant split on both axes; high = strictly above (default 3.0)",
    )
    p.add_argument(
        "--weights",
        type=float,
        nargs=3,
        metavar=("IMPACT", "FEASIBILITY", "URGENCY"),
        help="priority weights, non-negative (default: equal)",
    )
    _add_output(p)
    p.set_defaults(func=cmd_priorities)

    from .present.text import fallback_rule  # light: labels and Babel only
    from .schema import COMPETENCIES

    p = _subcommand(
        sub,
        "regression",
        help="which leadership competencies go with higher ROI (docs/metrics.md §4)",
        example="aiadopt regression --data data/sample --period latest --n-boot 200 --format json",
    )
    _add_data(p)
    _period_arg(p)
    p.add_argument(
        "--department",
        metavar="NAME",
        help="fit on one department's use cases. " + fallback_rule("en", k=len(COMPETENCIES)),
    )
    _n_boot(p, 1000, "the importance CIs")
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="bootstrap and cross-validation seed (default 0)",
    )
    _add_output(p, formats=("table", "json"))
    p.set_defaults(func=cmd_regression)

    p = _subcommand(
        sub,
        "measures",
        help="phases, competency gap, culture, skills pyramid, goal mix, trained-leader ROI",
        example="aiadopt measures --data data/sample --period latest --level department --measure culture",
    )
    _add_data(p)
    _period_arg(p)
    p.add_argument(
        "--level",
        choices=LEVELS,
        default="all",
        help="units shown: %(choices)s (default: %(default)s)",
    )
    p.add_argument(
        "--measure",
        choices=MEASURES,
        action="append",
        metavar="NAME",
        help="only this measure, repeatable: %(choices)s",
    )
    _lang(p)
    _n_boot(p, 2000, "the ROI ratio CI")
    _min_group(p)
    _add_output(p)
    p.set_defaults(func=cmd_measures)

    p = _subcommand(
        sub,
        "charts",
        help="draw the chart gallery as PNG files",
        example="aiadopt charts --data data/sample --period latest --out reports/charts",
    )
    _add_data(p)
    _period_arg(p)
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder for the PNG files (created if missing)",
    )
    _lang(p)
    p.add_argument(
        "--chart",
        choices=CHARTS,
        action="append",
        metavar="NAME",
        help="only this chart, repeatable: %(choices)s",
    )
    _n_boot(p, 1000, "the confidence intervals drawn")
    _min_group(p)
    p.set_defaults(func=cmd_charts)

    p = _subcommand(
        sub,
        "report",
        help="the monthly HTML reports: organisation and departments (papermill)",
        example="aiadopt report --data data/sample --period latest --department Finance --lang nl --pdf --out reports",
    )
    _add_data(p)
    when = p.add_mutually_exclusive_group()
    _period_arg(when)
    when.add_argument(
        "--since",
        type=_month,
        metavar="YYYY-MM",
        help="backfill: publish each month from this one to --until in turn; a month already "
        "published from the same data and parameters is skipped (not with --period)",
    )
    p.add_argument(
        "--until",
        type=_month,
        metavar="YYYY-MM",
        help="the last month of a --since backfill (default: the latest month with data)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="run and publish even when the month is already published from the same data "
        "and parameters, or the data has not changed since the last published month",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument(
        "--department",
        action="append",
        metavar="NAME",
        help="report on this department (repeatable); default: all",
    )
    who.add_argument("--all", action="store_true", help="every department (the default)")
    _lang(p, report=True)
    p.set_defaults(languages=None)
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="reports run in parallel in local processes (default 1; not used with --scheduler)",
    )
    p.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="run the reports on this Dask cluster's workers instead of local processes; "
        "the pages are published here (needs the 'cluster' extra; docs/cluster.md)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="reports folder (default reports/)",
    )
    p.add_argument(
        "--timeout",
        type=_timeout_seconds,
        default=600,
        metavar="S",
        help="seconds one notebook cell may run, a positive whole number (default 600)",
    )
    _n_boot(p, 1000, "the regression's importance CIs")
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="N",
        help="bootstrap and cross-validation seed (default 0)",
    )
    p.add_argument(
        "--notebooks",
        type=Path,
        metavar="DIR",
        help="folder with your own report notebooks (default: notebooks/)",
    )
    p.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="extra notebook parameter (custom notebooks), repeatable",
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also print each report to <report>.pdf next to its HTML, with headless chromium (A4)",
    )
    p.add_argument(
        "--chromium",
        metavar="PATH",
        help="the browser for --pdf (default: $AIADOPT_CHROMIUM, else chromium, chromium-browser or google-chrome on PATH)",
    )
    _min_group(p)
    from .alerts import add_alert_options  # stdlib only: the parser stays light

    add_alert_options(p)
    p.set_defaults(func=cmd_report)

    p = _subcommand(
        sub,
        "init",
        help="write a commented starter project config (aiadopt.toml)",
        example="aiadopt init --config /etc/aiadopt/aiadopt.toml",
        config=False,
    )
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="where to write it (default: aiadopt.toml here); the other commands read it "
        "with --config FILE",
    )
    p.add_argument("--force", action="store_true", help="replace a config that exists")
    p.set_defaults(func=cmd_init)

    p = _subcommand(
        sub,
        "sample",
        help="generate the fictional sample organisation",
        example="aiadopt sample --out /tmp/org --seed 3 --departments 40 --respondents 20000",
    )
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="DIR",
        help="folder for use_cases, processes and survey files",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=7,
        metavar="N",
        help="random seed; the same seed writes the same files (default 7)",
    )
    p.add_argument(
        "--format",
        choices=("csv", "parquet", "xlsx"),
        default="csv",
        help="file format: %(choices)s (default: %(default)s)",
    )
    p.add_argument(
        "--departments",
        type=_department_count,
        metavar="N",
        help="departments, at least 2, the tiny Legal one included (default 8: the seven "
        "built-in ones and Legal); past those come more Dutch departments (Inkoop, ...), "
        "then regional offices ('Finance Noord'); respondents, teams and use cases scale "
        "with N unless given",
    )
    p.add_argument(
        "--respondents",
        type=int,
        metavar="N",
        help="distinct survey respondents, at least 8 per department and 4 for Legal "
        "(default 1500 per 8 departments; teams hold about 50)",
    )
    p.add_argument(
        "--waves", type=int, default=12, metavar="N", help="monthly survey waves (default 12)"
    )
    p.add_argument(
        "--use-cases",
        type=int,
        metavar="N",
        help="use cases in the register, at least 10 (default 150 per 8 departments)",
    )
    p.set_defaults(func=cmd_sample)

    p = _subcommand(
        sub,
        "workshop",
        help="a live workshop: the room scores use cases on impact and effort, the matrix updates live",
        example="aiadopt workshop --data data/sample --status idea,pilot --port 8080",
    )
    _add_data(p)
    p.add_argument(
        "--department", metavar="NAME", help="only this department's use cases (default: all)"
    )
    p.add_argument(
        "--use-case",
        action="append",
        metavar="ID",
        help="only this use case, repeatable (default: all)",
    )
    p.add_argument(
        "--status", metavar="LIST", help="only use cases with these statuses, e.g. idea,pilot"
    )
    p.add_argument(
        "--port",
        type=int,
        default=None,
        metavar="P",
        help="port to serve on (default: a free port, printed; with --resume, the "
        "session's own port again, so the phones' address stays valid)",
    )
    p.add_argument(
        "--lan",
        nargs="?",
        const="auto",
        metavar="ADDRESS",
        help="serve on the local network (this machine's LAN address, or ADDRESS); participants then "
        "need the join code and the projector its key (default: 127.0.0.1 only)",
    )
    p.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="folder for votes.csv and the export (default workshops/<date-time>)",
    )
    p.add_argument("--resume", action="store_true", help="continue the workshop saved in --out")
    p.add_argument(
        "--min-votes",
        type=int,
        metavar="N",
        help="privacy: votes before a use case's scores are shown (default 3; "
        "on --resume, the session's own)",
    )
    _lang(p)
    p.set_defaults(func=cmd_workshop)

    p = _subcommand(
        sub,
        "history",
        help="the KPIs of every published month, or the runs, from the run history of a reports folder",
        example="aiadopt history --out reports --unit Finance --kpi active_use_cases",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("reports"),
        metavar="DIR",
        help="the reports folder whose history.sqlite to read (default reports/)",
    )
    p.add_argument("--unit", metavar="NAME", help="only this department, or 'organisation'")
    p.add_argument(
        "--kpi",
        metavar="NAME",
        help="only this KPI: active_use_cases, time_to_impact_days, core_process_ai_pct, "
        "leadership_adoption_pct or adaptivity_score",
    )
    p.add_argument(
        "--runs",
        action="store_true",
        help="list the runs instead (month, status, exit code, start, failed reports)",
    )
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        metavar="FORMAT",
        help="output format: %(choices)s (default: %(default)s)",
    )
    _lang(p)
    p.set_defaults(func=cmd_history)
    return parser


def _command_name(argv: Sequence[str], sub: argparse._SubParsersAction) -> str | None:
    """The subcommand in ``argv``: the first word that names one (the
    top-level parser has no options that take a value)."""
    for word in argv:
        if word in sub.choices:
            return word
        if not word.startswith("-"):
            return None
    return None


def _config_file(argv: Sequence[str]) -> Path | None:
    """``--config FILE`` (or ``--config=FILE``) in ``argv``, if given."""
    pre = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    pre.add_argument("--config", type=Path)
    known, _ = pre.parse_known_args(list(argv))
    return known.config


def _apply_config(parser: argparse.ArgumentParser, argv: Sequence[str]) -> dict[str, object]:
    """Make the project config's values the defaults of the command's options,
    so that an option given on the command line overrides them; the values set."""
    from .config import find_config, load_config

    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = _command_name(argv, sub)
    if command is None or command == "init":
        return {}
    command_parser = sub.choices[command]
    path = find_config(_config_file(argv))
    if path is None:
        return {}
    config = load_config(path)
    dests = {a.dest for a in command_parser._actions} | set(command_parser._defaults)
    defaults = config.defaults_for(command, dests)
    command_parser.set_defaults(**defaults)
    return defaults


def _drop_config_items(parser: argparse.ArgumentParser, args, defaults: dict) -> None:
    """An option that collects values (``--department``, repeatable) starts
    from its default; given on the command line, it replaces the config's list."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in sub.choices[args.command]._actions:
        start = defaults.get(action.dest)
        value = getattr(args, action.dest, None)
        if (
            isinstance(action, argparse._AppendAction)
            and isinstance(start, list)
            and isinstance(value, list)
            and len(value) > len(start)
            and value[: len(start)] == start
        ):
            setattr(args, action.dest, value[len(start) :])


def main(argv: list[str] | None = None) -> int:
    """Run the ``aiadopt`` command with ``argv`` (default: ``sys.argv[1:]``); the exit status.

    The project config (``--config FILE``, else ``./aiadopt.toml``) gives the
    options' defaults; the command line overrides them.
    """
    from .errors import DataValidationError

    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        defaults = _apply_config(parser, argv)
    except ValueError as exc:  # ConfigError: every problem, with its line
        command = _command_name(
            argv, next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        )
        print(f"aiadopt {command}: error in the config:\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    args = parser.parse_args(argv)
    _drop_config_items(parser, args, defaults)
    args.config_values = defaults
    if hasattr(args, "data") and args.data is None:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        sub.choices[args.command].error(
            "the data is missing: give --data DIR|URL, or source in the [data] table of the "
            "config (aiadopt.toml, or --config FILE; 'aiadopt init' writes one)"
        )
    try:
        return args.func(args)
    except DataValidationError as exc:
        print(f"aiadopt {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as exc:
        # Parameter errors from the library (bad period, group size < 3, ...).
        print(f"aiadopt {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
