"""The scheduling kit: systemd units, the cron line and the Airflow DAG
(deploy/, examples/airflow/, docs/running-every-month.md).

Each file is parsed and its command checked against aiadopt's own argument
parser, so a renamed option breaks a test here rather than a month's run.
``systemd-analyze verify`` and Airflow's ``DagBag`` are used where available.
"""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import jinja2
import pytest

from aiadopt import alerts, cli
from aiadopt.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
SYSTEMD = ROOT / "deploy" / "systemd"
CRON = ROOT / "deploy" / "cron" / "aiadopt.cron"
DAG = ROOT / "examples" / "airflow" / "aiadopt_monthly.py"
DOCS = ROOT / "docs" / "running-every-month.md"
UNITS = ("aiadopt-report.service", "aiadopt-report.timer", "aiadopt-report-failure@.service")


# -- systemd -------------------------------------------------------------------------------------


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as section -> key -> values (a key may repeat), the way
    systemd reads it: ``#`` and ``;`` comments, ``[Section]`` headers,
    ``Key=Value`` lines. Anything else is an error naming the line."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None and re.fullmatch(r"[A-Za-z]+", key.strip()), (
            f"{path.name}, line {number}: not a Key=Value line in a section: {line!r}"
        )
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    values = unit.get(section, {}).get(key, [])
    assert len(values) == 1, f"[{section}] {key}: expected one value, got {values}"
    return values[0]


#: The config every file of the kit names.
CONFIG = "/etc/aiadopt/aiadopt.toml"


def _command(exec_start: str, program: str) -> list[str]:
    """The arguments after ``program`` in an ExecStart line."""
    words = shlex.split(exec_start)
    assert words[0].endswith(program), words
    return words[1:]


def docs_config(tmp_path: Path) -> Path:
    """The ``/etc/aiadopt/aiadopt.toml`` the docs show, written to ``tmp_path``."""
    text = DOCS.read_text(encoding="utf-8")
    (block,) = re.findall(rf"```toml\n# {re.escape(CONFIG)}[^\n]*\n(.*?)```", text, flags=re.S)
    path = tmp_path / "aiadopt.toml"
    path.write_text(block, encoding="utf-8")
    return path


def parse_with_config(words: list[str], tmp_path: Path):
    """``aiadopt`` arguments as the command takes them, ``--config CONFIG``
    read from the docs' config: the options the scheduled run gets."""
    assert words[words.index("--config") + 1] == CONFIG, words
    words = [str(docs_config(tmp_path)) if w == CONFIG else w for w in words]
    parser = build_parser()
    cli._apply_config(parser, words)
    return parser.parse_args(words)


def test_the_service_runs_aiadopt_report_once_per_start(tmp_path):
    unit = parse_unit(SYSTEMD / "aiadopt-report.service")
    assert one(unit, "Service", "Type") == "oneshot"
    for key in ("User", "Group", "WorkingDirectory", "EnvironmentFile"):
        assert one(unit, "Service", key)
    assert int(one(unit, "Service", "Nice")) > 0
    assert one(unit, "Service", "TimeoutStartSec") == "4h"
    assert (
        one(unit, "Service", "KillMode") == "mixed"
    )  # SIGTERM to aiadopt, which stops its kernels
    assert one(unit, "Unit", "OnFailure") == "aiadopt-report-failure@%n.service"
    exec_start = one(unit, "Service", "ExecStart")
    args = parse_with_config(_command(exec_start, "/.venv/bin/aiadopt"), tmp_path)
    assert args.command == "report" and args.period == "latest"
    assert args.data == Path("/srv/aiadopt/data") and args.out == Path("/srv/aiadopt/reports")
    assert args.workers == 2 and args.smtp_password_env == "AIADOPT_SMTP_PASSWORD"
    # Only stale data (nothing published on purpose) counts as success as well:
    # 1 (reports failed), 2 (bad input) and 3 (locked) are failures.
    from aiadopt.cli import EXIT_STALE

    assert one(unit, "Service", "SuccessExitStatus") == str(EXIT_STALE)


def test_the_timer_is_monthly_and_catches_up():
    unit = parse_unit(SYSTEMD / "aiadopt-report.timer")
    assert re.fullmatch(
        r"\*-\*-(0[1-9]|1\d|2[0-8]) \d\d:\d\d(:\d\d)?", one(unit, "Timer", "OnCalendar")
    )
    assert one(unit, "Timer", "Persistent") == "true"
    assert one(unit, "Timer", "RandomizedDelaySec")
    assert one(unit, "Timer", "Unit") == "aiadopt-report.service"
    assert one(unit, "Install", "WantedBy") == "timers.target"
    assert (SYSTEMD / one(unit, "Timer", "Unit")).is_file()


def test_the_failure_hook_runs_the_alerts_module(monkeypatch, capsys, tmp_path):
    unit = parse_unit(SYSTEMD / "aiadopt-report-failure@.service")
    assert one(unit, "Service", "Type") == "oneshot"
    exec_start = one(unit, "Service", "ExecStart")
    args = _command(exec_start, "/.venv/bin/python")
    assert args[:4] == ["-m", "aiadopt.alerts", "--unit", "%i"]
    assert args[4:] == ["--config", CONFIG]  # the [alerts] table of the run's own config
    assert one(unit, "Service", "EnvironmentFile") == one(
        parse_unit(SYSTEMD / "aiadopt-report.service"), "Service", "EnvironmentFile"
    )
    # The module takes the arguments (an exit status: aiadopt report alerted itself).
    monkeypatch.setenv("MONITOR_SERVICE_RESULT", "exit-code")
    monkeypatch.setenv("MONITOR_EXIT_STATUS", "2")
    config = str(docs_config(tmp_path))
    assert alerts.main(["--unit", "aiadopt-report.service", "--config", config]) == 0
    assert "exited with status 2" in capsys.readouterr().err
    # Ended by systemd: the alert goes where the config's [alerts] says.
    sent = []
    monkeypatch.setattr(alerts, "send_alerts", lambda settings, outcome: sent.append(settings))
    monkeypatch.setenv("MONITOR_SERVICE_RESULT", "timeout")
    assert alerts.main(["--unit", "aiadopt-report.service", "--config", config]) == 0
    (settings,) = sent
    assert settings.email_to == ("ops@example.org",) and settings.smtp_host == "mail.example.org"


def test_unit_parser_refuses_a_stray_line(tmp_path):
    bad = tmp_path / "bad.service"
    bad.write_text("[Service]\nType=oneshot\nExecStart /bin/true\n")
    with pytest.raises(AssertionError, match="line 3: not a Key=Value line"):
        parse_unit(bad)


@pytest.fixture
def verifiable(tmp_path) -> Path:
    """The units in a folder of their own, their ``/opt/aiadopt`` paths
    pointing at this checkout and virtual environment (verify checks that the
    programs exist)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    venv = Path(sys.prefix)
    if not (venv / "bin" / "aiadopt").is_file():
        pytest.skip(f"no aiadopt command in {venv}/bin")
    folder = tmp_path / "units"
    folder.mkdir()
    for name in UNITS:
        text = (SYSTEMD / name).read_text(encoding="utf-8")
        text = text.replace("/opt/aiadopt/.venv", str(venv)).replace("/opt/aiadopt", str(ROOT))
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _verify(folder: Path, *names: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(f"./{n}" for n in names)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _complaints(done: subprocess.CompletedProcess, names: tuple[str, ...]) -> list[str]:
    """What verify says about these units (it may also talk about the host's own)."""
    return [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if any(n.split("@")[0].split(".")[0] in line for n in names)
    ]


def test_systemd_analyze_verify(verifiable):
    done = _verify(verifiable, *UNITS)
    assert done.returncode == 0 and not _complaints(done, UNITS), done.stdout + done.stderr


def test_systemd_analyze_verify_finds_a_broken_unit(verifiable):
    """The check above can fail: a typo in a key is reported."""
    path = verifiable / "aiadopt-report.service"
    path.write_text(path.read_text().replace("Nice=10", "Nicee=10"))
    done = _verify(verifiable, "aiadopt-report.service")
    assert any("Nicee" in line for line in _complaints(done, UNITS)), done.stderr


# -- cron ----------------------------------------------------------------------------------------

_FIELD = {  # minute, hour, day of month, month, day of week
    "minute": (0, 59),
    "hour": (0, 23),
    "day of month": (1, 31),
    "month": (1, 12),
    "day of week": (0, 7),
}


def cron_field_ok(text: str, low: int, high: int) -> bool:
    """A cron time field: ``*``, numbers, ranges, lists and steps, in range."""
    for part in text.split(","):
        base, _, step = part.partition("/")
        if step and not (step.isdigit() and int(step) > 0):
            return False
        if base == "*":
            continue
        bounds = base.split("-")
        if len(bounds) > 2 or not all(b.isdigit() and low <= int(b) <= high for b in bounds):
            return False
        if len(bounds) == 2 and int(bounds[0]) > int(bounds[1]):
            return False
    return True


def cron_jobs(path: Path) -> list[tuple[list[str], str, str]]:
    """The jobs of an /etc/cron.d file: (five time fields, user, command)."""
    jobs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#") or re.match(r"^\w+=", line):
            continue
        fields = line.split(None, 6)
        assert len(fields) == 7, f"not 'm h dom mon dow user command': {line!r}"
        jobs.append((fields[:5], fields[5], fields[6]))
    return jobs


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ("0 6 3 * *", True),
        ("*/15 0-23 1,15 * 1-5", True),
        ("60 6 3 * *", False),
        ("0 6 0 * *", False),
    ],
)
def test_cron_field_check(fields, ok):
    assert (
        all(cron_field_ok(f, *r) for f, r in zip(fields.split(), _FIELD.values(), strict=True))
        is ok
    )


def test_the_cron_line_is_monthly_locked_and_logged(tmp_path):
    (job,) = cron_jobs(CRON)
    fields, user, command = job
    for text, (name, bounds) in zip(fields, _FIELD.items(), strict=True):
        assert cron_field_ok(text, *bounds), f"bad {name} field {text!r}"
    assert fields[2].isdigit() and fields[3:] == ["*", "*"]  # one day a month
    assert user == "aiadopt"
    assert "%" not in command  # cron turns % into a newline
    assert re.search(r"\bflock -n \S+\.lock \S*/aiadopt report ", command)
    assert re.search(r">> /var/log/aiadopt/\S+\.log 2>&1$", command)
    aiadopt = shlex.split(command.split(".venv/bin/aiadopt", 1)[1].split(";")[0])
    args = parse_with_config(aiadopt, tmp_path)
    assert args.command == "report" and args.data == Path("/srv/aiadopt/data")


def test_the_cron_command_runs_once_at_a_time_and_logs(tmp_path):
    """The command itself, with its paths in a temporary folder and a stand-in
    for aiadopt that records its arguments and takes a while: a second start
    while the first runs is skipped by flock; the env file's alert options
    reach aiadopt; the output lands in the log."""
    if shutil.which("flock") is None:
        pytest.skip("flock (util-linux) is not installed")
    ((_, _, command),) = cron_jobs(CRON)
    home, etc, log, lock = tmp_path / "opt", tmp_path / "etc", tmp_path / "log", tmp_path / "lock"
    (home / ".venv" / "bin").mkdir(parents=True)
    etc.mkdir()
    log.mkdir()
    fake = home / ".venv" / "bin" / "aiadopt"
    fake.write_text(
        '#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\necho "env:$AIADOPT_SMTP_PASSWORD"\n'
        "echo started >> "
        f"{tmp_path}/starts\nsleep 3\necho done >&2\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    (etc / "aiadopt.env").write_text("AIADOPT_SMTP_PASSWORD='pass word'\n")
    command = (
        command.replace("/opt/aiadopt", str(home))
        .replace("/etc/aiadopt", str(etc))
        .replace("/var/log/aiadopt", str(log))
        .replace("/run/lock/aiadopt-report.lock", str(lock))
    )
    first = subprocess.Popen(["/bin/sh", "-c", command])
    deadline = time.monotonic() + 30
    while not (tmp_path / "starts").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    second = subprocess.run(["/bin/sh", "-c", command], timeout=30)
    assert first.wait(timeout=30) == 0
    assert second.returncode == 1  # flock -n: the lock is held, nothing ran
    assert (tmp_path / "starts").read_text() == "started\n"
    text = (log / "report.log").read_text()
    assert f"arg:report\narg:--config\narg:{etc}/aiadopt.toml\n" in text
    assert "env:pass word\n" in text  # the env file's secret reaches the run
    assert "arg:report\n" in text and text.endswith("done\n")


# -- Airflow -------------------------------------------------------------------------------------


def _dag_calls() -> dict[str, ast.Call]:
    tree = ast.parse(DAG.read_text(encoding="utf-8"), str(DAG))
    calls = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.setdefault(node.func.id, node)
    return calls


def _keyword(call: ast.Call, name: str):
    (value,) = [k.value for k in call.keywords if k.arg == name]
    return value


def test_the_dag_runs_the_command_not_papermill():
    source = DAG.read_text(encoding="utf-8")
    tree = ast.parse(source)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            used |= {node.module or ""} | {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            used |= {a.name for a in node.names}
    assert not {u for u in used if "apermill" in u}, "the DAG must not use papermill"
    assert "PapermillOperator" in source  # ... and its docstring says why

    calls = _dag_calls()
    dag = calls["DAG"]
    assert ast.literal_eval(_keyword(dag, "catchup")) is True
    schedule = _keyword(dag, "schedule")  # an interval, whose start is in the reported month
    assert isinstance(schedule, ast.Call) and schedule.func.id == "CronDataIntervalTimetable"
    assert ast.literal_eval(schedule.args[0]) == "0 6 3 * *"
    default_args = _keyword(dag, "default_args")
    keys = [ast.literal_eval(k) for k in default_args.keys]
    assert ast.literal_eval(default_args.values[keys.index("retries")]) >= 1
    assert "retry_delay" in keys
    assert "BashOperator" in calls


def test_the_dags_command_reports_the_month_of_the_interval(tmp_path):
    """The template, rendered as Airflow renders it (Jinja2), is an
    ``aiadopt report`` command line that aiadopt's parser takes."""
    import datetime as dt

    calls = _dag_calls()
    template = "".join(ast.literal_eval(_keyword(calls["BashOperator"], "bash_command")))
    # params refers to the module's constants (AIADOPT, CONFIG): evaluate it with them.
    constants = [n for n in ast.parse(DAG.read_text()).body if isinstance(n, ast.Assign)]
    namespace: dict = {}
    exec(compile(ast.Module(constants, []), str(DAG), "exec"), namespace)
    expression = ast.Expression(_keyword(calls["DAG"], "params"))
    params = eval(compile(expression, str(DAG), "eval"), namespace)
    command = (
        jinja2.Environment(undefined=jinja2.StrictUndefined)
        .from_string(template)
        .render(params=params, data_interval_start=dt.datetime(2026, 10, 3, 6, 0, tzinfo=dt.UTC))
    )
    words = shlex.split(command)
    assert words[0] == "/opt/aiadopt/.venv/bin/aiadopt"
    args = parse_with_config(words[1:], tmp_path)
    assert args.command == "report" and args.period == "2026-10"
    assert args.out == Path("/srv/aiadopt/reports") and args.workers == 2


def test_the_dag_loads_in_airflow(tmp_path):
    # importorskip, not an import: Airflow is no dependency of aiadopt (test_environment).
    DagBag = pytest.importorskip("airflow.models", reason="Airflow is not installed").DagBag  # noqa: N806

    import datetime as dt
    import inspect

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"  # Airflow 3 has no include_examples
    options = {"include_examples": False}
    if "include_examples" not in inspect.signature(DagBag).parameters:
        options = {}
    bag = DagBag(dag_folder=str(DAG), **options)
    assert not bag.import_errors, bag.import_errors
    dag = bag.dags["aiadopt_monthly"]  # (get_dag reads the metadata database in Airflow 3)
    assert dag.catchup and dag.max_active_runs == 1
    assert [t.task_id for t in dag.tasks] == ["aiadopt_report"]
    assert type(dag.tasks[0]).__name__ == "BashOperator" and dag.tasks[0].retries == 2
    # The run on 3 November reports on October: its interval starts on 3 October.
    run_date = dt.datetime(2026, 11, 3, 6, 0, tzinfo=dt.UTC)
    interval = dag.timetable.infer_manual_data_interval(run_after=run_date)
    assert interval.start.strftime("%Y-%m") == "2026-10"
    command = (
        dag.get_template_env()
        .from_string(dag.tasks[0].bash_command)
        .render(params=dag.params, data_interval_start=interval.start)
    )
    assert "--period 2026-10 " in command


# -- docs ----------------------------------------------------------------------------------------


def test_the_docs_list_the_exit_codes_the_cli_uses():
    from aiadopt import cli

    text = DOCS.read_text(encoding="utf-8")
    codes = (cli.EXIT_REPORTS_FAILED, cli.EXIT_BAD_INPUT, cli.EXIT_LOCKED, cli.EXIT_STALE)
    for code in (0, *codes, 130, 143):
        assert re.search(rf"^\| `{code}` \|", text, re.M), f"exit code {code} is not in the table"
    for name in (*UNITS, "aiadopt.cron", "aiadopt_monthly.py", "journalctl -u aiadopt-report"):
        assert name in text
    assert "aiadopt report --period YYYY-MM" in text
    assert "running-every-month.md" in (ROOT / "README.md").read_text(encoding="utf-8")
