"""Alerts when the monthly run fails or is partial: an e-mail (SMTP) and/or
a webhook POST of JSON.

An alert names the period, the status, the output folder, the failed
reports with their reasons, the exit code, the host and the start and end
of the run. It holds no survey figure: no KPI value and no count of
respondents, only what the run's log shows about the run itself. The
message of a data validation error is left out too (it quotes cells of the
input files); the alert points to the log instead.

Sending never raises for a failed delivery: a mail server or webhook that is
down does not change the run's exit code. :func:`send_alerts` returns the
problems (and logs them), so the command can say so on stderr.

Settings
--------
:class:`AlertSettings` holds the ``[alerts]`` table of the project config;
its keys are the names in :data:`KEYS`, and ``aiadopt report`` takes the
same settings as options (:data:`OPTIONS`: ``webhook`` is
``--alert-webhook``, ``smtp_host`` is ``--smtp-host``, ...). The SMTP
password is never in the settings: ``smtp_password_env`` names the
environment variable that holds it.

The systemd hook
----------------
``python -m aiadopt.alerts --unit aiadopt-report.service [options]`` is the
``OnFailure=`` hook of ``deploy/systemd/aiadopt-report.service``
(:func:`main`). ``aiadopt report`` sends its own alert for every outcome it
sees; the hook alerts only when the command could not: when systemd ended
it (a signal, ``TimeoutStartSec``, a core dump, the OOM killer), read from
the ``MONITOR_*`` variables systemd (>= 251) passes to ``OnFailure=`` units.

Examples
--------
>>> settings = AlertSettings.from_mapping({"webhook": "https://hooks.example.org/T0/B0"})
>>> settings.webhook, settings.enabled
('https://hooks.example.org/T0/B0', True)
>>> AlertSettings.from_mapping({"smtp_hots": "mail"})
Traceback (most recent call last):
...
aiadopt.alerts.AlertSettingsError: [alerts]: unknown key 'smtp_hots'; did you mean 'smtp_host'? ...
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import difflib
import json
import os
import re
import socket
import sys
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "KEYS",
    "OPTIONS",
    "SECURITY",
    "AlertSettings",
    "AlertSettingsError",
    "FailedReport",
    "RunAlerts",
    "RunOutcome",
    "add_alert_options",
    "alert_text",
    "alert_payload",
    "main",
    "send_alerts",
    "settings_from_args",
    "REASON_CHARS",
]

#: How the SMTP connection is secured: plain, STARTTLS after connecting, or TLS from the start.
SECURITY = ("none", "starttls", "ssl")

#: The keys of the ``[alerts]`` table, in the order the docs list them.
KEYS = (
    "webhook",
    "email_to",
    "email_from",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password_env",
    "timeout",
    "lang",
)

#: The ``aiadopt report`` option for each key (the config's key, as an option).
OPTIONS = {
    "webhook": "--alert-webhook",
    "email_to": "--alert-email-to",
    "email_from": "--alert-email-from",
    "smtp_host": "--smtp-host",
    "smtp_port": "--smtp-port",
    "smtp_security": "--smtp-security",
    "smtp_username": "--smtp-username",
    "smtp_password_env": "--smtp-password-env",
    "timeout": "--alert-timeout",
    "lang": "--alert-lang",
}

_DEFAULT_PORT = {"none": 25, "starttls": 587, "ssl": 465}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ADDRESS = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+$")
_PASSWORD_KEYS = ("password", "smtp_password", "pass", "secret")
#: A failure reason in an alert is cut to this many characters (the log has it whole).
REASON_CHARS = 500


class AlertSettingsError(ValueError):
    """The alert settings are wrong; the message lists every problem."""


@dataclass(frozen=True)
class AlertSettings:
    """Where alerts go: the ``[alerts]`` table of the project config.

    Parameters
    ----------
    webhook : str, optional
        ``http(s)://`` URL that receives a JSON POST.
    email_to : tuple of str, default=()
        Addresses of the e-mail alert; needs ``smtp_host``.
    email_from : str, optional
        Sender address (default: ``aiadopt@<this host's name>``).
    smtp_host : str, optional
        The mail server.
    smtp_port : int, optional
        Default: 25, 587 with ``starttls``, 465 with ``ssl``.
    smtp_security : {"none", "starttls", "ssl"}, default="none"
        ``starttls`` and ``ssl`` verify the server's certificate.
    smtp_username : str, optional
        Log in with this name; needs ``smtp_password_env``.
    smtp_password_env : str, optional
        The NAME of the environment variable holding the SMTP password
        (never the password itself).
    timeout : float, default=10.0
        Seconds to wait for the mail server or the webhook.
    lang : {"en", "nl"}, default="en"
        Language of the alert's text.
    """

    webhook: str | None = None
    email_to: tuple[str, ...] = ()
    email_from: str | None = None
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str = "none"
    smtp_username: str | None = None
    smtp_password_env: str | None = None
    timeout: float = 10.0
    lang: str = "en"

    @property
    def enabled(self) -> bool:
        """True when alerts go somewhere (a webhook or an e-mail address)."""
        return bool(self.webhook or self.email_to)

    @property
    def port(self) -> int:
        """The SMTP port: the one set, else the security's default."""
        return self.smtp_port or _DEFAULT_PORT[self.smtp_security]

    @classmethod
    def from_mapping(
        cls,
        mapping: Mapping[str, object],
        *,
        source: str = "[alerts]",
        lines: Mapping[str, int] | None = None,
    ) -> AlertSettings:
        """Settings from the ``[alerts]`` table (or the command's options).

        Parameters
        ----------
        mapping : mapping
            Key -> value; keys as in :data:`KEYS`. ``None`` means not set.
        source : str, default="[alerts]"
            Where the mapping comes from, named in the errors (e.g.
            ``"aiadopt.toml [alerts]"``).
        lines : mapping, optional
            Key -> line number in ``source``, named in the errors.

        Raises
        ------
        AlertSettingsError
            Listing every problem: unknown keys (with the closest known
            one), a password in the settings, bad addresses, a webhook that
            is not an http(s) URL, a port out of range, an e-mail without a
            mail server, ...
        """
        lines = lines or {}
        problems: list[str] = []

        def where(key: str) -> str:
            return f"{source}, line {lines[key]}" if key in lines else source

        def bad(key: str, what: str) -> None:
            problems.append(f"{where(key)}: {key} {what}")

        values: dict[str, object] = {}
        for key, value in mapping.items():
            key = str(key)
            if key in _PASSWORD_KEYS:
                problems.append(
                    f"{where(key)}: {key!r} is not allowed: never put a password in the settings; "
                    "put it in an environment variable and name that variable in smtp_password_env "
                    '(e.g. smtp_password_env = "AIADOPT_SMTP_PASSWORD")'
                )
            elif key not in KEYS:
                close = difflib.get_close_matches(key, KEYS, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(
                    f"{where(key)}: unknown key {key!r}{hint} Known keys: {', '.join(KEYS)}"
                )
            elif value is not None:
                values[key] = value

        def text(key: str) -> str | None:
            value = values.get(key)
            if value is None:
                return None
            if not isinstance(value, str) or not value.strip():
                bad(key, f"must be a non-empty text, got {value!r}")
                return None
            return value.strip()

        webhook = text("webhook")
        if webhook is not None:
            parts = urllib.parse.urlsplit(webhook)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                bad("webhook", f"must be an http:// or https:// URL with a host, got {webhook!r}")
                webhook = None

        email_to: tuple[str, ...] = ()
        raw_to = values.get("email_to")
        if raw_to is not None:
            items = [raw_to] if isinstance(raw_to, str) else raw_to
            if not isinstance(items, (list, tuple)) or not all(isinstance(a, str) for a in items):
                bad("email_to", f"must be an address or a list of addresses, got {raw_to!r}")
            else:
                addresses = [a.strip() for item in items for a in item.split(",") if a.strip()]
                wrong = [a for a in addresses if not _ADDRESS.match(a)]
                if wrong or not addresses:
                    bad(
                        "email_to",
                        f"has addresses that are not like name@example.org: {wrong or raw_to!r}",
                    )
                else:
                    email_to = tuple(addresses)

        email_from = text("email_from")
        if email_from is not None and not _ADDRESS.match(email_from):
            bad("email_from", f"must be an address like aiadopt@example.org, got {email_from!r}")

        smtp_host = text("smtp_host")
        smtp_port = values.get("smtp_port")
        if smtp_port is not None and (
            not isinstance(smtp_port, int)
            or isinstance(smtp_port, bool)
            or not 1 <= smtp_port <= 65535
        ):
            bad("smtp_port", f"must be a whole number from 1 to 65535, got {smtp_port!r}")
            smtp_port = None

        security = values.get("smtp_security", "none")
        if security not in SECURITY:
            bad("smtp_security", f"must be one of {', '.join(SECURITY)}, got {security!r}")
            security = "none"

        username = text("smtp_username")
        password_env = text("smtp_password_env")
        if password_env is not None and not _ENV_NAME.match(password_env):
            bad(
                "smtp_password_env",
                f"must be the NAME of an environment variable (letters, digits, _), got {password_env!r}",
            )
        if username and not password_env:
            bad(
                "smtp_username",
                "needs smtp_password_env: the environment variable with the password",
            )
        if password_env and not username:
            bad("smtp_password_env", "needs smtp_username: the name to log in with")

        timeout = values.get("timeout", 10.0)
        if (
            not isinstance(timeout, (int, float))
            or isinstance(timeout, bool)
            or not 0 < timeout <= 600
        ):
            bad("timeout", f"must be a number of seconds above 0 and at most 600, got {timeout!r}")
            timeout = 10.0

        lang = values.get("lang", "en")
        if lang not in ("en", "nl"):
            bad("lang", f"must be 'en' or 'nl', got {lang!r}")
            lang = "en"

        if email_to and not smtp_host:
            bad("email_to", "needs smtp_host: the mail server that sends the alert")
        if smtp_host and "email_to" not in values:
            bad("smtp_host", "is set but email_to is not: add the addresses that get the alert")

        if problems:
            raise AlertSettingsError("; ".join(problems))
        return cls(
            webhook=webhook,
            email_to=email_to,
            email_from=email_from,
            smtp_host=smtp_host,
            smtp_port=smtp_port,  # type: ignore[arg-type]
            smtp_security=str(security),
            smtp_username=username,
            smtp_password_env=password_env,
            timeout=float(timeout),
            lang=str(lang),
        )


# -- what an alert says --------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedReport:
    """A report that failed: its title and the reason (no figures)."""

    title: str
    reason: str
    #: When the earlier version the month keeps showing was made, if any.
    earlier_run: str | None = None


@dataclass(frozen=True)
class RunOutcome:
    """What an alert reports about one run of ``aiadopt report``.

    Build it with :meth:`from_result` (the run finished: its
    :class:`~aiadopt.report.runner.RunResult`), :meth:`from_error` (the run
    stopped with an error) or, in the systemd hook, directly.

    Attributes
    ----------
    status : {"ok", "partial", "failed"}
        ``partial``: some reports failed, the others are published;
        ``failed``: nothing was published.
    """

    period: str | None
    status: str
    exit_code: int | None
    output: str | None
    started: dt.datetime | None
    finished: dt.datetime | None
    host: str = field(default_factory=socket.gethostname)
    failures: tuple[FailedReport, ...] = ()
    #: Why the run stopped (an error before or while running), if it did.
    error: str | None = None
    #: For the systemd hook: the unit that failed and how systemd ended it.
    unit: str | None = None
    unit_result: str | None = None

    @classmethod
    def from_result(
        cls,
        result,
        *,
        exit_code: int,
        started: dt.datetime | None = None,
        finished: dt.datetime | None = None,
    ) -> RunOutcome:
        """The outcome of a run that finished (published or not).

        Parameters
        ----------
        result : RunResult
            What :func:`~aiadopt.report.runner.run_reports` returned.
        exit_code : int
            The command's exit status.
        """
        failures = tuple(
            FailedReport(r.title, _short(r.reason or ""), r.earlier_run) for r in result.failures
        )
        if not result.published:
            status = "failed"
        else:
            status = "partial" if failures else "ok"
        return cls(
            period=str(result.period),
            status=status,
            exit_code=exit_code,
            output=str(result.directory),
            started=started,
            finished=finished,
            failures=failures,
        )

    @classmethod
    def from_error(
        cls,
        error: BaseException,
        *,
        period: str | None,
        exit_code: int | None,
        output: str | Path | None,
        started: dt.datetime | None = None,
        finished: dt.datetime | None = None,
    ) -> RunOutcome:
        """The outcome of a run that stopped with ``error``: nothing published.

        The message of a data validation error (it quotes cells of the input
        files) and of an unexpected error is left out: the alert names only
        the kind of error, and the log has the message.
        """
        from .errors import DataValidationError

        kind = type(error).__name__
        quiet = isinstance(error, DataValidationError) or kind not in (
            "ParameterError",
            "OutputError",
            "ReportLockedError",
            "RunInterrupted",
            "ClusterError",
            "AlertSettingsError",
        )
        text = kind if quiet else f"{kind}: {_short(str(error))}"
        return cls(
            period=period,
            status="failed",
            exit_code=exit_code,
            output=None if output is None else str(output),
            started=started,
            finished=finished,
            error=text,
        )


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def _when(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def alert_payload(outcome: RunOutcome, lang: str = "en") -> dict:
    """The webhook's JSON body: the outcome's fields and the alert's text
    (``text``, so chat tools' incoming webhooks show it as it is)."""
    subject, body = alert_text(outcome, lang)
    return {
        "source": "aiadopt",
        "event": "report_run",
        "period": outcome.period,
        "status": outcome.status,
        "exit_code": outcome.exit_code,
        "host": outcome.host,
        "output": outcome.output,
        "started_at": _when(outcome.started),
        "finished_at": _when(outcome.finished),
        "failed_reports": [dataclasses.asdict(f) for f in outcome.failures],
        "error": outcome.error,
        "unit": outcome.unit,
        "unit_result": outcome.unit_result,
        "subject": subject,
        "text": body,
    }


def alert_text(outcome: RunOutcome, lang: str = "en") -> tuple[str, str]:
    """The alert's subject and plain-text body, in ``lang``.

    Words from the label catalogue (group ``alert``), the month from
    :class:`~aiadopt.present.formats.Formatter`; times in ISO 8601 as the
    log shows them, so the two can be matched.
    """
    from .labels import label
    from .present.formats import Formatter

    fmt = Formatter(lang)
    unknown = label("alert.unknown", lang)
    month = outcome.period or unknown
    if outcome.period and _MONTH.match(outcome.period):
        month = fmt.month(outcome.period)
    elif outcome.period == "latest":  # stopped before the month was known
        month = label("alert.latest", lang)
    status = label(f"alert.status_{outcome.status}", lang)
    subject = label("alert.subject", lang, month=month, status=status, host=outcome.host)
    if outcome.unit:
        intro = label(
            "alert.intro_unit", lang, unit=outcome.unit, result=outcome.unit_result or unknown
        )
    elif outcome.error:
        intro = label("alert.intro_error", lang, month=month, error=outcome.error)
    else:
        intro = label(f"alert.intro_{outcome.status}", lang, month=month)

    def line(name: str, value: object) -> str:
        return label("alert.field", lang, name=label(f"alert.{name}", lang), value=value)

    lines = [intro, ""]
    lines.append(
        line("period", f"{month} ({outcome.period})" if month != outcome.period else month)
    )
    lines.append(line("status", status))
    if outcome.unit:
        lines.append(line("unit", outcome.unit))
    lines.append(line("exit_code", unknown if outcome.exit_code is None else outcome.exit_code))
    lines.append(line("host", outcome.host))
    lines.append(line("output", outcome.output or unknown))
    lines.append(line("started", _when(outcome.started) or unknown))
    lines.append(line("finished", _when(outcome.finished) or unknown))
    if outcome.failures:
        lines += ["", label("alert.failed_reports", lang, n=fmt.count(len(outcome.failures)))]
        for failed in outcome.failures:
            lines.append(
                label("alert.failed_report", lang, title=failed.title, reason=failed.reason)
            )
            if failed.earlier_run:
                lines.append(label("alert.earlier_run", lang, when=failed.earlier_run))
    lines += ["", label("alert.logs", lang)]
    return subject, "\n".join(lines) + "\n"


# -- sending -------------------------------------------------------------------------------------


def _post(settings: AlertSettings, payload: dict) -> None:
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        """A redirect is a failed delivery: urllib would repeat the POST as a
        GET without its body and call that a success."""

        def redirect_request(self, req, fp, code, msg, headers, newurl):
            raise urllib.error.HTTPError(
                req.full_url, code, f"redirected to {newurl}; give the final URL", headers, fp
            )

    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        settings.webhook,  # type: ignore[arg-type]
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "aiadopt-alerts"},
    )
    opener = urllib.request.build_opener(NoRedirect)
    with opener.open(request, timeout=settings.timeout) as response:
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(
                request.full_url, response.status, "not a 2xx answer", response.headers, None
            )


def _mail(settings: AlertSettings, subject: str, body: str, password: str | None) -> None:
    import smtplib
    import ssl
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.email_from or f"aiadopt@{socket.getfqdn()}"
    message["To"] = ", ".join(settings.email_to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=socket.getfqdn())
    message.set_content(body)
    if settings.smtp_username:
        if password is None:
            password = os.environ.get(settings.smtp_password_env or "")
        if password is None:
            raise smtplib.SMTPException(
                f"the environment variable {settings.smtp_password_env} (smtp_password_env) is not set"
            )
    context = ssl.create_default_context()
    host, port = settings.smtp_host, settings.port
    if settings.smtp_security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(host, port, timeout=settings.timeout)
    with client:
        if settings.smtp_security == "starttls":
            client.starttls(context=context)
        if settings.smtp_username:
            client.login(settings.smtp_username, password or "")
        client.send_message(message)


def send_alerts(
    settings: AlertSettings,
    outcome: RunOutcome,
    *,
    log: Callable[[str], None] | None = None,
    password: str | None = None,
) -> list[str]:
    """Send the alert of a failed or partial run; nothing for a run that went well.

    Parameters
    ----------
    settings : AlertSettings
        Where to send (nothing is sent when :attr:`AlertSettings.enabled` is False).
    outcome : RunOutcome
        The run; only ``failed`` and ``partial`` outcomes are sent.
    log : callable, optional
        Gets one line per problem (default: print to stderr).
    password : str, optional
        The SMTP password, when the caller has taken it out of the
        environment already (:class:`RunAlerts` does); default: the
        variable ``settings.smtp_password_env`` names.

    Returns
    -------
    list of str
        The deliveries that failed, each naming the channel and the error.
        Never raises for a failed delivery: the run's exit code does not
        depend on the mail server or the webhook.
    """
    import smtplib
    import urllib.error

    log = log or (lambda msg: print(msg, file=sys.stderr))
    if not settings.enabled or outcome.status not in ("failed", "partial"):
        return []
    subject, body = alert_text(outcome, settings.lang)
    problems: list[str] = []
    if settings.email_to:
        try:
            _mail(settings, subject, body, password)
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            problems.append(
                f"the alert e-mail to {', '.join(settings.email_to)} via "
                f"{settings.smtp_host}:{settings.port} was not sent: {_describe(exc)}"
            )
    if settings.webhook:
        try:
            _post(settings, alert_payload(outcome, settings.lang))
        except (OSError, urllib.error.URLError, ValueError) as exc:
            problems.append(
                f"the alert webhook {_safe_url(settings.webhook)} failed: {_describe(exc)}"
            )
    for problem in problems:
        log(f"aiadopt: alert not delivered: {problem}")
    return problems


def _describe(exc: BaseException) -> str:
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _safe_url(url: str) -> str:
    """The webhook without its path and query, which often hold its secret token."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


# -- command-line options (aiadopt report, and the systemd hook) -----------------------------------


def add_alert_options(parser: argparse.ArgumentParser) -> None:
    """Add the alert settings as options (:data:`OPTIONS`), in a group of their own."""
    group = parser.add_argument_group(
        "alerts", "where a failed or partial run is reported (the config's [alerts] table)"
    )
    group.add_argument(
        OPTIONS["webhook"], metavar="URL", help="POST a JSON alert to this http(s) URL"
    )
    group.add_argument(
        OPTIONS["email_to"],
        action="append",
        metavar="ADDR",
        help="e-mail the alert to ADDR (repeatable); needs --smtp-host",
    )
    group.add_argument(OPTIONS["email_from"], metavar="ADDR", help="sender (default aiadopt@HOST)")
    group.add_argument(
        OPTIONS["smtp_host"], metavar="HOST", help="mail server for the alert e-mail"
    )
    group.add_argument(
        OPTIONS["smtp_port"],
        type=int,
        metavar="PORT",
        help="mail server port (default 25; 587 with starttls, 465 with ssl)",
    )
    group.add_argument(
        OPTIONS["smtp_security"],
        choices=SECURITY,
        metavar="MODE",
        help="none, starttls or ssl (default none)",
    )
    group.add_argument(OPTIONS["smtp_username"], metavar="NAME", help="log in to the mail server")
    group.add_argument(
        OPTIONS["smtp_password_env"],
        metavar="VAR",
        help="the environment variable holding the SMTP password (never the password itself)",
    )
    group.add_argument(
        OPTIONS["timeout"],
        type=float,
        metavar="S",
        help="seconds to wait for delivery (default 10)",
    )
    group.add_argument(
        OPTIONS["lang"],
        choices=("en", "nl"),
        metavar="LANG",
        help="language of the alert (default en)",
    )


def settings_from_args(args: argparse.Namespace) -> AlertSettings:
    """:class:`AlertSettings` from the options :func:`add_alert_options` added.

    Raises
    ------
    AlertSettingsError
        Naming the options (not the config keys) that are wrong.
    """
    values = {key: getattr(args, OPTIONS[key][2:].replace("-", "_"), None) for key in KEYS}
    try:
        return AlertSettings.from_mapping(values, source="option")
    except AlertSettingsError as exc:
        message = str(exc)
        for key, option in OPTIONS.items():
            message = message.replace(f"option: {key}", option)
            message = re.sub(rf"(?<![\w-]){key}(?![\w-])", option, message)
        raise AlertSettingsError(message) from None


class RunAlerts:
    """The alerts of one ``aiadopt report`` run: the settings, checked before
    the run starts, and the start time; :meth:`finished` and :meth:`stopped`
    send the alert (when the run failed or is partial) and give back the
    exit code unchanged. The SMTP password is taken out of the environment
    when the run starts, so no worker or notebook kernel inherits it.

    Parameters
    ----------
    settings : AlertSettings
    period : str
        The period asked for (``YYYY-MM`` or ``latest``), named when the run
        stops before it resolves the month.
    output : path
        The reports folder.
    log : callable, optional
        Gets the delivery problems (default: stderr).
    """

    def __init__(
        self,
        settings: AlertSettings,
        *,
        period: str,
        output: str | Path,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.period = period
        self.output = output
        self.log = log
        self.started = dt.datetime.now(dt.UTC)
        # The password leaves the environment before anything runs: the
        # workers and the notebooks' kernels inherit the environment.
        self._password = (
            os.environ.pop(settings.smtp_password_env, None) if settings.smtp_password_env else None
        )
        #: The problems of the last delivery (see :func:`send_alerts`).
        self.problems: list[str] = []

    def finished(self, result, exit_code: int) -> int:
        """The run finished (``result``: its RunResult); returns ``exit_code``."""
        outcome = RunOutcome.from_result(
            result, exit_code=exit_code, started=self.started, finished=dt.datetime.now(dt.UTC)
        )
        self.problems = send_alerts(self.settings, outcome, log=self.log, password=self._password)
        return exit_code

    def stopped(self, error: BaseException, exit_code: int | None) -> int | None:
        """The run stopped with ``error``; returns ``exit_code``."""
        outcome = RunOutcome.from_error(
            error,
            period=self.period,
            exit_code=exit_code,
            output=self.output,
            started=self.started,
            finished=dt.datetime.now(dt.UTC),
        )
        self.problems = send_alerts(self.settings, outcome, log=self.log, password=self._password)
        return exit_code


def _config_alerts(parser: argparse.ArgumentParser, argv: Sequence[str]) -> dict:
    """The project config's ``[alerts]`` settings as the defaults of the hook's options."""
    from .config import find_config, load_config

    pre = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    pre.add_argument("--config", type=Path)
    path = find_config(pre.parse_known_args(list(argv))[0].config)
    if path is None:
        return {}
    wanted = {OPTIONS[key][2:].replace("-", "_") for key in KEYS}
    defaults = {
        dest: value
        for dest, value in load_config(path).defaults_for("report", wanted).items()
        if dest in wanted
    }
    parser.set_defaults(**defaults)
    return defaults


def main(argv: Sequence[str] | None = None) -> int:
    """The ``OnFailure=`` hook: ``python -m aiadopt.alerts --unit NAME [alert options]``.

    Sends an alert when systemd ended the unit (``MONITOR_SERVICE_RESULT``
    is not ``exit-code``: a signal, a timeout, a core dump, the OOM killer),
    or when systemd did not say how it ended (older than 251). When the
    command exited with a status, it sent its own alert. Exits 0 (an alert
    that cannot be delivered is reported on stderr: the journal), 2 for bad
    options.
    """
    parser = argparse.ArgumentParser(
        prog="python -m aiadopt.alerts",
        description="Alert that a scheduled aiadopt unit failed (systemd OnFailure= hook).",
    )
    parser.add_argument("--unit", required=True, help="the unit that failed (systemd's %%i)")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="the project config, whose [alerts] table gives the settings "
        "(default: ./aiadopt.toml when it exists); an option given here overrides it",
    )
    add_alert_options(parser)
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        config = _config_alerts(parser, argv)
        args = parser.parse_args(argv)
        if args.alert_email_to and config.get("alert_email_to"):
            start = config["alert_email_to"]
            if args.alert_email_to[: len(start)] == start and len(args.alert_email_to) > len(start):
                args.alert_email_to = args.alert_email_to[
                    len(start) :
                ]  # the options replace the list
        settings = settings_from_args(args)
    except ValueError as exc:  # AlertSettingsError, or the config's ConfigError
        print(f"aiadopt alerts: error: {exc}", file=sys.stderr)
        return 2
    result = os.environ.get("MONITOR_SERVICE_RESULT")
    if result == "exit-code":
        print(
            f"aiadopt alerts: {args.unit} exited with status {os.environ.get('MONITOR_EXIT_STATUS')}; "
            "the command sent its own alert",
            file=sys.stderr,
        )
        return 0
    status = os.environ.get("MONITOR_EXIT_STATUS")
    how = " ".join(v for v in (result, os.environ.get("MONITOR_EXIT_CODE"), status) if v)
    outcome = RunOutcome(
        period=None,
        status="failed",
        exit_code=int(status) if status and status.isdigit() else None,
        output=None,
        started=None,
        finished=dt.datetime.now(dt.UTC),
        unit=args.unit,
        unit_result=how or None,
    )
    send_alerts(settings, outcome)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
