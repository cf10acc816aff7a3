"""Alerts of a failed or partial run (aiadopt.alerts): settings, a local SMTP
server (aiosmtpd) and a local HTTP server, both on 127.0.0.1, and
``aiadopt report`` runs with the tiny notebooks of test_publishing.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import re
import shutil
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from aiadopt import alerts
from aiadopt.alerts import (
    AlertSettings,
    AlertSettingsError,
    FailedReport,
    RunOutcome,
    alert_payload,
    alert_text,
    send_alerts,
)
from aiadopt.cli import main
from aiadopt.report.runner import JobResult, RunResult
from aiadopt.report.store import Results
from tests import test_publishing
from tests.test_publishing import PERIOD, SAMPLE, report

#: The tiny report notebooks and their ``steer`` (a fixture of test_publishing).
tiny = test_publishing.tiny

# -- local servers ---------------------------------------------------------------------------------


def _free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp():
    """A local SMTP server: ``(inbox, port)``."""
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


class _Hook:
    """The requests a local webhook got, and the status it answers with."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.status = 204
        self.location: str | None = None


@pytest.fixture
def webhook():
    """A local HTTP server: ``(hook, url)``."""
    hook = _Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            hook.requests.append(("POST", dict(self.headers), body))
            self.send_response(hook.status)
            if hook.location:
                self.send_header("Location", hook.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            hook.requests.append(("GET", dict(self.headers), b""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook, f"http://127.0.0.1:{server.server_address[1]}/hooks/T0/secret-token"
    server.shutdown()
    server.server_close()


def _alert_options(smtp_port: int, url: str) -> list[str]:
    return [
        "--alert-email-to",
        "ops@example.org",
        "--alert-email-from",
        "aiadopt@example.org",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        str(smtp_port),
        "--alert-webhook",
        url,
        "--alert-timeout",
        "5",
    ]


# -- no survey figures -----------------------------------------------------------------------------


def _figures_in(text: str, kpis, *, ignore: tuple[str, ...] = ()) -> list[str]:
    """The KPI values and counts of ``kpis`` that ``text`` shows, as the
    reports write them (1 or 2 decimals, point or comma) or in full; counts
    from 60 up as whole words (smaller ones clash with times of day)."""
    for part in ignore:
        text = text.replace(part, " ")
    found = []
    for column in kpis.columns:
        if column in ("level", "unit", "department", "survey_wave", "period"):
            continue
        for value in kpis[column].dropna():
            if isinstance(value, bool) or str(value) in ("True", "False"):
                continue
            value = float(value)
            if value.is_integer():
                shown = [str(int(value))] if value >= 60 else []
            else:
                shown = [f"{value:.1f}", f"{value:.2f}", repr(value)]
            for candidate in dict.fromkeys(shown + [c.replace(".", ",") for c in shown]):
                if re.search(rf"(?<![\d.,]){re.escape(candidate)}(?!\d)(?![.,]\d)", text):
                    found.append(f"{column}={candidate}")
    return found


def test_the_figure_check_finds_a_figure():
    """The check below is not vacuous: it finds a KPI value and a count."""
    import pandas as pd

    kpis = pd.DataFrame(
        {"unit": ["HR"], "leadership_adoption_pct": [82.352941], "n_respondents": [154]}
    )
    assert _figures_in("adoption 82,4% of 154 people", kpis) == [
        "leadership_adoption_pct=82,4",
        "n_respondents=154",
    ]
    assert _figures_in("at 02:15:54 exit 1, id 1545 or 82.41", kpis) == []


# -- end to end: aiadopt report --------------------------------------------------------------------


def test_a_partial_run_sends_one_mail_and_one_post_and_a_good_run_none(
    tmp_path, tiny, smtp, webhook, capsys
):
    notebooks, steer = tiny
    inbox, port = smtp
    hook, url = webhook
    out = tmp_path / "reports"

    assert report(out, notebooks, *_alert_options(port, url)) == 0
    assert inbox.messages == [] and hook.requests == []  # a run that went well: no alert

    steer("v2", HR="fail")
    capsys.readouterr()
    assert report(out, notebooks, *_alert_options(port, url)) == 1
    err = capsys.readouterr().err
    assert "alert not delivered" not in err

    assert len(inbox.messages) == 1
    sender, recipients, message = inbox.messages[0]
    assert sender == "aiadopt@example.org" and recipients == ["ops@example.org"]
    body = message.get_content()
    assert "October 2026" in message["Subject"] and "partial" in message["Subject"]
    assert "Period: October 2026 (2026-10)" in body
    assert "  - HR: RuntimeError: injected failure for HR" in body
    assert "Exit code: 1" in body and f"Output folder: {out / PERIOD}" in body
    assert f"Host: {socket.gethostname()}" in body

    assert len(hook.requests) == 1
    method, headers, raw = hook.requests[0]
    assert method == "POST" and headers["Content-Type"] == "application/json"
    posted = json.loads(raw)
    assert posted["period"] == PERIOD and posted["status"] == "partial"
    assert posted["exit_code"] == 1 and posted["output"] == str(out / PERIOD)
    assert [(f["title"], f["reason"]) for f in posted["failed_reports"]] == [
        ("HR", "RuntimeError: injected failure for HR (cell 3)")
    ]
    assert posted["text"] == body.replace("\r\n", "\n")
    started = dt.datetime.fromisoformat(posted["started_at"])
    assert started <= dt.datetime.fromisoformat(posted["finished_at"])

    # No survey figure: no published KPI value or count is in the mail or the POST.
    kpis = Results.read(out / PERIOD / "results").kpis
    assert len(kpis) >= 3
    ignore = (str(out / PERIOD), socket.gethostname(), socket.getfqdn())
    mail = "\n".join([message["Subject"], message["From"], message["To"], body])
    assert _figures_in(mail, kpis, ignore=ignore) == []
    assert _figures_in(raw.decode(), kpis, ignore=ignore) == []


def test_a_down_mail_server_and_webhook_do_not_change_the_exit_code(
    tmp_path, tiny, webhook, capsys
):
    notebooks, steer = tiny
    hook, url = webhook
    hook.status = 500
    steer("v1", Legal="fail")
    code = report(tmp_path / "reports", notebooks, *_alert_options(_free_port(), url))
    assert code == 1  # partial, as without alerts
    err = capsys.readouterr().err
    assert "Legal: RuntimeError: injected failure for Legal" in err
    assert "aiadopt: alert not delivered: the alert e-mail to ops@example.org via 127.0.0.1:" in err
    assert "ConnectionRefusedError" in err
    assert "aiadopt: alert not delivered: the alert webhook http://127.0.0.1:" in err
    assert "HTTP 500" in err
    assert "secret-token" not in err  # the webhook's token is not logged
    assert len(hook.requests) == 1


def test_bad_input_is_alerted_without_quoting_the_data(tmp_path, webhook, capsys):
    """A run stopped by a data error (exit 2) is alerted; the message, which
    quotes cells of the survey, stays in the log."""
    hook, url = webhook
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    survey = data / "survey.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("ai_use_frequency")] = "seldom-XQ7"
    lines[1] = ",".join(row)
    survey.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(
        [
            "report",
            "--data",
            str(data),
            "--out",
            str(tmp_path / "reports"),
            "--alert-webhook",
            url,
            "--period",
            PERIOD,
        ]
    )
    assert code == 2
    assert "seldom-XQ7" in capsys.readouterr().err  # the log names the bad value
    posted = json.loads(hook.requests[0][2])
    assert posted["status"] == "failed" and posted["exit_code"] == 2
    assert posted["error"] == "DataValidationError" and posted["period"] == PERIOD
    assert "seldom-XQ7" not in hook.requests[0][2].decode()
    assert "stopped before publishing anything (DataValidationError)" in posted["text"]


def test_a_crash_is_alerted_and_raised_as_before(tmp_path, webhook, monkeypatch):
    """An unexpected error (a bug) still alerts, with Python's exit code 1 and
    without its message, which may hold anything."""
    import aiadopt.report.runner

    hook, url = webhook

    def crash(*args, **kwargs):
        raise RuntimeError("a bug that quotes 82.4")

    monkeypatch.setattr(aiadopt.report.runner, "run_reports", crash)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["report", "--data", str(SAMPLE), "--out", str(tmp_path), "--alert-webhook", url])
    posted = json.loads(hook.requests[0][2])
    assert posted["exit_code"] == 1 and posted["error"] == "RuntimeError"
    assert "82.4" not in hook.requests[0][2].decode()


def test_bad_alert_options_stop_before_the_run(tmp_path, capsys):
    code = main(
        [
            "report",
            "--data",
            str(tmp_path / "no-data"),
            "--out",
            str(tmp_path / "reports"),
            "--alert-email-to",
            "ops@example.org",
            "--alert-webhook",
            "file:///etc/passwd",
            "--smtp-username",
            "aiadopt",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert (
        "--alert-webhook must be an http:// or https:// URL with a host, got 'file:///etc/passwd'"
        in err
    )
    assert "--alert-email-to needs --smtp-host" in err
    assert "--smtp-username needs --smtp-password-env" in err
    assert "no-data" not in err  # the data were never read
    assert not (tmp_path / "reports").exists()


# -- settings --------------------------------------------------------------------------------------


def test_settings_from_the_alerts_table():
    settings = AlertSettings.from_mapping(
        {
            "webhook": "https://hooks.example.org/T0/B0",
            "email_to": ["ops@example.org", "lead@example.org"],
            "smtp_host": "mail.example.org",
            "smtp_security": "starttls",
            "smtp_username": "aiadopt",
            "smtp_password_env": "AIADOPT_SMTP_PASSWORD",
            "timeout": 20,
            "lang": "nl",
        }
    )
    assert settings.email_to == ("ops@example.org", "lead@example.org")
    assert settings.port == 587 and settings.timeout == 20.0 and settings.enabled
    assert AlertSettings.from_mapping(
        {"email_to": "a@x.org, b@x.org", "smtp_host": "m"}
    ).email_to == (
        "a@x.org",
        "b@x.org",
    )
    assert not AlertSettings.from_mapping({}).enabled


def test_unknown_keys_and_a_password_are_errors_naming_key_and_line():
    with pytest.raises(AlertSettingsError) as error:
        AlertSettings.from_mapping(
            {"webhok": "https://x.org/h", "smtp_password": "hunter2", "smtp_port": 70000},
            source="aiadopt.toml [alerts]",
            lines={"webhok": 12, "smtp_password": 13, "smtp_port": 14},
        )
    message = str(error.value)
    assert (
        "aiadopt.toml [alerts], line 12: unknown key 'webhok'; did you mean 'webhook'?" in message
    )
    assert "aiadopt.toml [alerts], line 13: 'smtp_password' is not allowed" in message
    assert "smtp_password_env" in message and "hunter2" not in message
    assert "line 14: smtp_port must be a whole number from 1 to 65535, got 70000" in message


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"webhook": "ftp://x.org/h"}, "webhook must be an http:// or https:// URL"),
        ({"email_to": "ops", "smtp_host": "m"}, "not like name@example.org: ['ops']"),
        ({"email_to": "ops@x.org"}, "email_to needs smtp_host"),
        ({"smtp_host": "m"}, "smtp_host is set but email_to is not"),
        ({"webhook": "http://x.org", "smtp_security": "tls"}, "smtp_security must be one of none"),
        ({"webhook": "http://x.org", "smtp_password_env": "MY-PASS"}, "the NAME of an environment"),
        ({"webhook": "http://x.org", "timeout": 0}, "timeout must be a number of seconds above 0"),
        ({"webhook": "http://x.org", "lang": "de"}, "lang must be 'en' or 'nl'"),
    ],
)
def test_bad_settings(settings, message):
    with pytest.raises(AlertSettingsError, match=re.escape(message)):
        AlertSettings.from_mapping(settings)


# -- delivery --------------------------------------------------------------------------------------


def _outcome(status: str = "partial") -> RunOutcome:
    result = RunResult(
        period=PERIOD,
        directory=Path("/srv/reports") / PERIOD,
        results=[
            JobResult("organisation", None, "Organisation", "organisation.html", "ok", None, 1.0),
            JobResult("department", "HR", "HR", None, "failed", "CellTimeoutError: cell 3", 600.0),
        ],
        published=status == "partial",
    )
    return RunOutcome.from_result(
        result,
        exit_code=1,
        started=dt.datetime(2026, 11, 3, 6, 0, tzinfo=dt.UTC),
        finished=dt.datetime(2026, 11, 3, 6, 12, tzinfo=dt.UTC),
    )


def test_an_outcome_that_went_well_sends_nothing(webhook):
    hook, url = webhook
    ok = RunOutcome.from_result(
        RunResult(period=PERIOD, directory=Path("/srv/reports") / PERIOD, results=[]), exit_code=0
    )
    assert ok.status == "ok"
    assert send_alerts(AlertSettings(webhook=url), ok) == []
    assert hook.requests == []


def test_a_run_where_every_report_failed_is_failed_in_dutch(smtp):
    inbox, port = smtp
    settings = AlertSettings.from_mapping(
        {"email_to": "ops@example.org", "smtp_host": "127.0.0.1", "smtp_port": port, "lang": "nl"}
    )
    assert send_alerts(settings, _outcome("failed")) == []
    message = inbox.messages[0][2]
    assert message["Subject"].startswith(
        "aiadopt-rapport oktober 2026: mislukt, niets gepubliceerd"
    )
    body = message.get_content()
    assert "Periode: oktober 2026 (2026-10)" in body
    assert "1 mislukt rapport:" in body and "  - HR: CellTimeoutError: cell 3" in body
    assert "Gestart: 2026-11-03T06:00:00+00:00" in body


@pytest.fixture
def auth_smtp():
    """A local SMTP server that wants the login ``aiadopt`` / ``s3cret``:
    ``(inbox, port, logins seen)``."""
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=False)

    inbox = _Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    yield inbox, controller.port, seen
    controller.stop()


def _login_settings(port: int) -> AlertSettings:
    return AlertSettings.from_mapping(
        {
            "email_to": "ops@example.org",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_username": "aiadopt",
            "smtp_password_env": "AIADOPT_TEST_SMTP_PASSWORD",
        }
    )


def test_smtp_login_takes_the_password_from_the_named_variable(auth_smtp, monkeypatch):
    inbox, port, seen = auth_smtp
    settings = _login_settings(port)
    monkeypatch.delenv("AIADOPT_TEST_SMTP_PASSWORD", raising=False)
    problems = send_alerts(settings, _outcome(), log=lambda _: None)
    assert problems and "AIADOPT_TEST_SMTP_PASSWORD (smtp_password_env) is not set" in problems[0]
    assert inbox.messages == []
    monkeypatch.setenv("AIADOPT_TEST_SMTP_PASSWORD", "wrong")
    problems = send_alerts(settings, _outcome(), log=lambda _: None)
    assert problems and "SMTPAuthenticationError" in problems[0] and "wrong" not in problems[0]
    monkeypatch.setenv("AIADOPT_TEST_SMTP_PASSWORD", "s3cret")
    assert send_alerts(settings, _outcome()) == []
    assert len(inbox.messages) == 1 and seen[-1] == (b"aiadopt", b"s3cret")


def test_a_run_takes_the_password_out_of_the_environment(auth_smtp, monkeypatch):
    """Workers and kernels start after RunAlerts: they never inherit the password."""
    inbox, port, seen = auth_smtp
    monkeypatch.setenv("AIADOPT_TEST_SMTP_PASSWORD", "s3cret")
    run = alerts.RunAlerts(_login_settings(port), period="latest", output="reports")
    assert "AIADOPT_TEST_SMTP_PASSWORD" not in os.environ
    assert run.stopped(alerts.AlertSettingsError("x"), 2) == 2
    assert run.problems == [] and seen == [(b"aiadopt", b"s3cret")]
    body = inbox.messages[0][2].get_content()
    assert "Period: the latest month with data (latest)" in body.splitlines()
    assert "Exit code: 2" in body.splitlines()


def test_a_redirected_webhook_is_a_failed_delivery(webhook):
    """urllib would follow it with a GET without the alert and call that a success."""
    hook, url = webhook
    hook.status, hook.location = 302, url + "/moved"
    problems = send_alerts(AlertSettings(webhook=url), _outcome(), log=lambda _: None)
    assert len(problems) == 1 and "HTTP 302" in problems[0]
    assert [method for method, _, _ in hook.requests] == ["POST"]


def test_a_webhook_that_does_not_answer_in_time_is_reported(capsys):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
        problems = send_alerts(AlertSettings(webhook=url, timeout=0.5), _outcome())
    assert len(problems) == 1 and "timed out" in problems[0]
    assert "alert not delivered" in capsys.readouterr().err


def test_alert_text_and_payload_hold_the_run_not_its_figures():
    subject, body = alert_text(_outcome(), "en")
    assert (
        subject
        == f"aiadopt report October 2026: partial, some reports failed on {socket.gethostname()}"
    )
    payload = alert_payload(_outcome())
    assert payload["failed_reports"] == [
        {"title": "HR", "reason": "CellTimeoutError: cell 3", "earlier_run": None}
    ]
    assert set(payload) == {
        "source",
        "event",
        "period",
        "status",
        "exit_code",
        "host",
        "output",
        "started_at",
        "finished_at",
        "failed_reports",
        "error",
        "unit",
        "unit_result",
        "subject",
        "text",
    }


def test_a_long_reason_is_cut():
    outcome = RunOutcome(
        period=PERIOD,
        status="partial",
        exit_code=1,
        output=None,
        started=None,
        finished=None,
        failures=(FailedReport("HR", "x" * 10),),
    )
    result = RunResult(
        period=PERIOD,
        directory=Path("r"),
        results=[JobResult("department", "HR", "HR", None, "failed", "y" * 5000, 1.0)],
    )
    cut = RunOutcome.from_result(result, exit_code=1).failures[0].reason
    assert len(cut) == alerts.REASON_CHARS and cut.endswith("…")
    assert outcome.failures[0].reason == "x" * 10


# -- the systemd OnFailure= hook -------------------------------------------------------------------


def test_the_systemd_hook_alerts_when_systemd_ended_the_run(webhook, monkeypatch):
    hook, url = webhook
    monkeypatch.setenv("MONITOR_SERVICE_RESULT", "timeout")
    monkeypatch.setenv("MONITOR_EXIT_CODE", "killed")
    monkeypatch.setenv("MONITOR_EXIT_STATUS", "TERM")
    assert alerts.main(["--unit", "aiadopt-report.service", "--alert-webhook", url]) == 0
    posted = json.loads(hook.requests[0][2])
    assert posted["unit"] == "aiadopt-report.service" and posted["status"] == "failed"
    assert posted["unit_result"] == "timeout killed TERM" and posted["exit_code"] is None
    assert "was ended by systemd (timeout killed TERM)" in posted["text"]


def test_the_systemd_hook_leaves_an_exit_status_to_the_command(webhook, monkeypatch, capsys):
    hook, url = webhook
    monkeypatch.setenv("MONITOR_SERVICE_RESULT", "exit-code")
    monkeypatch.setenv("MONITOR_EXIT_STATUS", "1")
    assert alerts.main(["--unit", "aiadopt-report.service", "--alert-webhook", url]) == 0
    assert hook.requests == []
    assert "the command sent its own alert" in capsys.readouterr().err


def test_the_systemd_hook_refuses_bad_options(capsys):
    assert alerts.main(["--unit", "x.service", "--alert-webhook", "gopher://x"]) == 2
    assert "--alert-webhook must be an http://" in capsys.readouterr().err
