"""The project config (aiadopt.toml): aiadopt.config, `aiadopt init` and
`--config` on every command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from aiadopt import cli
from aiadopt.config import KEYS, ConfigError, load_config, starter_config

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _run(*argv, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "aiadopt.cli", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- aiadopt init -------------------------------------------------------------------------------


def test_init_writes_the_starter_and_never_overwrites(tmp_path):
    done = _run("init", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "aiadopt.toml"
    assert written.read_text(encoding="utf-8") == starter_config()
    _write(written, "# mine\n")
    again = _run("init", cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists" in again.stderr and "--force" in again.stderr
    assert written.read_text(encoding="utf-8") == "# mine\n"
    forced = _run("init", "--config", written, "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert written.read_text(encoding="utf-8") == starter_config()


def test_init_to_a_named_file(tmp_path):
    target = tmp_path / "etc" / "prod.toml"
    target.parent.mkdir()
    done = _run("init", "--config", target)
    assert done.returncode == 0, done.stderr
    assert f"--config {target}" in done.stdout


def test_starter_config_loads_and_names_every_key(tmp_path):
    """The starter is valid as written, and uncommenting any key keeps it valid:
    it documents every key the config knows."""
    text = starter_config()
    config = load_config(_write(tmp_path / "aiadopt.toml", text))
    assert config.values["data"] == tmp_path / "data" / "sample"
    assert config.values["languages"] == ["en"]
    assert config.values["min_group_size"] == 5
    from aiadopt.alerts import KEYS as ALERT_KEYS

    named = set(re.findall(r"^#?\s*([a-z_]+) = ", text, flags=re.M))
    for table, keys in {**KEYS, "alerts": dict.fromkeys(ALERT_KEYS)}.items():
        assert f"[{table}]" in text
        assert set(keys) <= named, (table, set(keys) - named)


def test_uncommented_starter_is_valid(tmp_path):
    """Every commented example value is a valid value for its key."""
    lines = []
    seen: set[str] = set()
    for line in starter_config().splitlines():
        match = re.match(r"^# ([a-z_]+) = (.*)$", line)
        if match and match.group(1) not in seen and not line.startswith("# The "):
            key = match.group(1)
            if key == "source":  # the second source: a URL, checked in its own test
                continue
            if key == "departments":
                continue  # already set in the starter
            seen.add(key)
            line = f"{key} = {match.group(2)}"
        lines.append(line)
    text = "\n".join(lines) + "\n"
    text = text.replace('departments = "all"', "")
    config = load_config(_write(tmp_path / "aiadopt.toml", text))
    assert config.values["tables"] == {"survey": "pulse", "use_cases": "register"}
    assert config.values["mapping"] == tmp_path / "mapping-qualtrics.yaml"
    assert config.values["smtp_port"] == 587
    assert config.values["smtp_password_env"] == "AIADOPT_SMTP_PASSWORD"
    assert config.values["alert_email_to"] == ["analytics@example.org"]


# -- errors ---------------------------------------------------------------------------------------


def test_every_problem_at_once_with_file_line_key_and_fix(tmp_path):
    path = _write(
        tmp_path / "bad.toml",
        "\n".join(
            [
                "[data]",  # 1
                'source = "postgresql+psycopg://u:s3cret@db/hr"',  # 2
                'survey_format = "qualtric"',  # 3
                "",  # 4
                "[report]",  # 5
                'language = ["nl"]',  # 6
                'workers = "2"',  # 7
                "[privacy]",  # 8
                "min_group_size = 2",  # 9
                "[alerts]",  # 10
                'smtp_hots = "mail"',  # 11
                "[extra]",  # 12
                "a = 1",  # 13
                "",
            ]
        ),
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    lines = str(caught.value).splitlines()
    assert len(lines) == 7, lines
    expected = {
        2: "password",
        3: "'qualtric'",
        6: "unknown key 'language' in [report]; did you mean 'languages'?",
        7: "workers must be a whole number",
        9: "min_group_size must be a whole number of at least 3",
        11: "unknown key 'smtp_hots'; did you mean 'smtp_host'?",
        12: "unknown table 'extra'",
    }
    for line, text in zip(expected.items(), lines, strict=True):
        number, needle = line
        assert text.startswith(f"{path}, line {number}: "), text
        assert needle in text
    assert "s3cret" not in str(caught.value)


def test_unknown_key_line_in_a_file_with_arrays_and_comments(tmp_path):
    path = _write(
        tmp_path / "c.toml",
        '# config\n[report]\ndepartments = [\n  "Finance",  # [x]\n  "HR",\n]\n\n  outt = "r"\n',
    )
    with pytest.raises(
        ConfigError,
        match=r"c\.toml, line 8: unknown key 'outt' in \[report\]; did you mean 'out'\?",
    ):
        load_config(path)


def test_a_key_outside_any_table(tmp_path):
    path = _write(tmp_path / "c.toml", 'source = "data"\n[data]\n')
    with pytest.raises(ConfigError, match=r"line 1: unknown key 'source'.*put 'source' under one"):
        load_config(path)


def test_toml_syntax_error_names_the_line(tmp_path):
    path = _write(tmp_path / "c.toml", '[data]\nsource = "data\n')
    with pytest.raises(ConfigError, match=r"c\.toml: not valid TOML: .*line 2"):
        load_config(path)


def test_cli_reports_config_errors_before_anything_runs(tmp_path):
    path = _write(tmp_path / "c.toml", "[privacy]\nmin_group_size = 1\n[report]\nout = 3\n")
    done = _run("report", "--config", path, "--data", SAMPLE, "--out", tmp_path / "r")
    assert done.returncode == 2
    assert f"{path}, line 2: [privacy] min_group_size" in done.stderr
    assert f"{path}, line 4: [report] out must be a non-empty text" in done.stderr
    assert not (tmp_path / "r").exists()


def test_missing_config_file_and_missing_data(tmp_path):
    done = _run("kpis", "--config", tmp_path / "nope.toml")
    assert done.returncode == 2 and "no such config file" in done.stderr
    empty = _write(tmp_path / "aiadopt.toml", "[privacy]\nmin_group_size = 5\n")
    done = _run("kpis", cwd=tmp_path)
    assert done.returncode == 2
    assert "give --data" in done.stderr and "[data]" in done.stderr
    del empty


# -- the config gives the defaults, the command line overrides ------------------------------------


def _org_leadership(stdout: str) -> float | None:
    rows = json.loads(stdout)
    (org,) = [r for r in rows if r["level"] == "organisation"]
    return org["leadership_adoption_pct"]


def test_relative_source_is_the_configs_folder_and_options_override(tmp_path):
    """A relative path is relative to the config (not the working directory);
    the privacy threshold from the config applies, and --min-group-size overrides it."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "org").symlink_to(SAMPLE, target_is_directory=True)
    config = _write(
        project / "aiadopt.toml", '[data]\nsource = "org"\n[privacy]\nmin_group_size = 100000\n'
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    strict = _run(
        "kpis", "--config", config, "--level", "organisation", "--format", "json", cwd=elsewhere
    )
    assert strict.returncode == 0, strict.stderr
    assert _org_leadership(strict.stdout) is None  # suppressed: fewer than 100000 leaders
    loose = _run(
        "kpis", "--config", config, "--level", "organisation", "--format", "json",
        "--min-group-size", "5", cwd=elsewhere,
    )  # fmt: skip
    assert loose.returncode == 0, loose.stderr
    assert _org_leadership(loose.stdout) == pytest.approx(65.22, abs=0.01)
    # ./aiadopt.toml is read without --config
    found = _run("kpis", "--level", "organisation", "--format", "json", cwd=project)
    assert found.returncode == 0, found.stderr
    assert _org_leadership(found.stdout) is None


def _captured_report(monkeypatch, tmp_path, config_text: str, *argv):
    runs = []

    def fake(args) -> int:
        runs.append(args)
        return 0

    monkeypatch.setattr(cli, "_report_one", fake)
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "aiadopt.toml", config_text)
    assert cli.main(["report", *argv]) == 0
    return runs


CONFIG = """
[data]
source = "data"
[report]
departments = ["Finance", "HR"]
languages = ["nl", "en"]
out = "published"
workers = 2
pdf = true
[privacy]
min_group_size = 7
[alerts]
webhook = "https://hooks.example.org/x"
email_to = ["a@example.org", "b@example.org"]
smtp_host = "mail.example.org"
"""


def test_report_takes_every_setting_from_the_config(monkeypatch, tmp_path):
    runs = _captured_report(monkeypatch, tmp_path, CONFIG)
    assert [r.lang for r in runs] == ["nl", "en"]
    assert [r.out for r in runs] == [tmp_path / "published" / "nl", tmp_path / "published" / "en"]
    first = runs[0]
    assert first.data == tmp_path / "data"
    assert first.department == ["Finance", "HR"]
    assert (first.workers, first.pdf, first.min_group_size) == (2, True, 7)
    assert first.alert_webhook == "https://hooks.example.org/x"
    assert first.alert_email_to == ["a@example.org", "b@example.org"]
    assert first.smtp_host == "mail.example.org"


def test_report_options_override_the_config(monkeypatch, tmp_path):
    runs = _captured_report(
        monkeypatch,
        tmp_path,
        CONFIG,
        "--department", "Sales", "--lang", "en", "--out", "elsewhere", "--workers", "1",
        "--min-group-size", "5", "--alert-email-to", "c@example.org",
    )  # fmt: skip
    (run,) = runs  # --lang: one language, published in --out itself
    assert run.lang == "en" and run.out == Path("elsewhere")
    assert run.department == ["Sales"]  # replaces the config's list, not added to it
    assert (run.workers, run.min_group_size) == (1, 5)
    assert run.alert_email_to == ["c@example.org"]
    everyone = _captured_report(monkeypatch, tmp_path, CONFIG, "--all", "--lang", "nl")
    assert everyone[0].all is True  # --all overrides the config's departments


def test_other_commands_use_the_first_language_and_not_the_reports_out(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(cli, "cmd_measures", lambda args: seen.append(args) or 0)
    monkeypatch.setattr(cli, "cmd_kpis", lambda args: seen.append(args) or 0)
    parser = cli.build_parser()
    for action in parser._actions:
        if isinstance(action, __import__("argparse")._SubParsersAction):
            action.choices["measures"].set_defaults(func=cli.cmd_measures)
            action.choices["kpis"].set_defaults(func=cli.cmd_kpis)
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "aiadopt.toml", CONFIG)
    assert cli.main(["measures"]) == 0
    assert cli.main(["kpis"]) == 0
    measures, kpis = seen
    assert measures.lang == "nl" and measures.min_group_size == 7
    assert kpis.out is None  # kpis --out is a file: the reports folder does not apply


def test_alert_hook_reads_the_config(tmp_path, monkeypatch):
    from aiadopt import alerts

    sent = []
    monkeypatch.setattr(alerts, "send_alerts", lambda settings, outcome: sent.append(settings))
    monkeypatch.setenv("MONITOR_SERVICE_RESULT", "timeout")
    config = _write(tmp_path / "c.toml", CONFIG)
    assert alerts.main(["--unit", "aiadopt-report.service", "--config", str(config)]) == 0
    (settings,) = sent
    assert settings.webhook == "https://hooks.example.org/x"
    assert settings.email_to == ("a@example.org", "b@example.org")
    bad = _write(tmp_path / "bad.toml", "[alerts]\nsmtp_password = 'x'\n")
    assert alerts.main(["--unit", "u", "--config", str(bad)]) == 2


def test_every_command_takes_config():
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, __import__("argparse")._SubParsersAction)]
    for name, command in sub.choices.items():
        assert "--config" in command._option_string_actions, name


def test_config_doc_lists_every_key():
    from aiadopt.alerts import KEYS as ALERT_KEYS

    doc = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    for table, keys in {**KEYS, "alerts": dict.fromkeys(ALERT_KEYS)}.items():
        assert f"[{table}]" in doc
        for key, spec in keys.items():
            assert f"`{key}`" in doc, (table, key)
            if spec is not None:  # the table's row names the option it stands for
                assert f"| `{key}` | `{spec.option}`" in doc, (table, key)


def test_database_source_schema_and_tables_from_the_config(pg_url, tmp_path, monkeypatch):
    """[data] source, schema and tables read the organisation from PostgreSQL:
    the same KPIs as the options --data URL --schema --tables give."""
    from tests.test_sql_source import _put, _small

    tables = _small()
    _put(pg_url, {"pulse": tables["survey"], "use_cases": tables["use_cases"],
                  "processes": tables["processes"]}, schema="people")  # fmt: skip
    config = _write(
        tmp_path / "aiadopt.toml",
        f'[data]\nsource = "{pg_url}"\nschema = "people"\ntables = {{ survey = "pulse" }}\n',
    )
    argv = ["kpis", "--level", "organisation", "--format", "json"]
    from_config = _run(*argv, "--config", config)
    assert from_config.returncode == 0, from_config.stderr
    from_options = _run(*argv, "--data", pg_url, "--schema", "people", "--tables", "survey=pulse")
    assert from_options.returncode == 0, from_options.stderr
    assert json.loads(from_config.stdout) == json.loads(from_options.stdout)
    wrong = _write(tmp_path / "wrong.toml", f'[data]\nsource = "{pg_url}"\nschema = "people"\n')
    missing = _run(*argv, "--config", wrong)  # the survey table is called pulse here
    assert missing.returncode == 2 and "people.survey" in missing.stderr


def test_config_chromium_is_only_used_with_pdf(monkeypatch, tmp_path):
    """A browser in the config is not an error on a run without PDFs
    (--chromium on the command line without --pdf still is)."""
    seen = []
    import aiadopt.report.runner as runner

    def fake_run(data, **kwargs):
        seen.append(kwargs)
        raise runner.ParameterError("stop here")

    monkeypatch.setattr(runner, "run_reports", fake_run)
    monkeypatch.chdir(tmp_path)
    _write(
        tmp_path / "aiadopt.toml",
        '[data]\nsource = "d"\n[report]\nchromium = "/usr/bin/chromium"\n',
    )
    assert cli.main(["report"]) == 2
    assert seen and seen[0]["pdf"] is False and seen[0]["chromium"] == "/usr/bin/chromium"
    seen.clear()
    assert cli.main(["report", "--chromium", "/opt/chrome"]) == 2
    assert not seen  # refused before the run: --chromium needs --pdf


@pytest.mark.parametrize(
    ("codes", "worst"),
    [([0, 0], 0), ([4, 0], 4), ([0, 1], 1), ([4, 3], 3), ([3, 1], 1), ([2], 2), ([0, 4, 143], 143)],
)
def test_the_exit_status_of_several_languages_is_the_worst(codes, worst):
    """A failure outranks a locked month, which outranks stale data (exit 4,
    a success for systemd), which outranks 0."""
    assert cli._worst(codes) == worst


def test_history_reads_the_first_languages_folder(monkeypatch, tmp_path):
    """With several languages the reports folder holds one per language:
    `aiadopt history --config` reads the first one's history, --lang another's."""
    import aiadopt.history as history

    asked = []

    def fake_path(out):
        asked.append(Path(out))
        raise history.HistoryError("stop here")

    monkeypatch.setattr(history, "history_path", fake_path)
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "aiadopt.toml", CONFIG)
    assert cli.main(["history"]) == 2
    assert cli.main(["history", "--lang", "en"]) == 2
    assert cli.main(["history", "--out", "mine"]) == 2
    assert asked == [tmp_path / "published" / "nl", tmp_path / "published" / "en", Path("mine")]
