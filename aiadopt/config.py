"""The project config, ``aiadopt.toml``.

One file holds what the monthly run needs: the data source and the survey
tool's mapping, the departments and languages of the reports, the privacy
threshold, the output and notebook folders, and where alerts go. Every
command reads it (``--config FILE``, else ``./aiadopt.toml`` when it
exists); an option given on the command line overrides the config.
``aiadopt init`` writes a commented starter config (:func:`write_starter`).

The tables and their keys are in :data:`KEYS`. A relative path in the
config is relative to the config file's folder, so the scheduled run finds
the same files whatever its working directory. The config never holds a
password: a database URL with one is refused, as is any key named like a
password, and the SMTP password is named by the environment variable that
holds it (``smtp_password_env``).

Every problem is reported at once, each with the file, the line, the key,
the bad value and the fix, before anything runs.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "aiadopt.toml").write_text('[data]\\nsource = "org"\\n[privacy]\\nmin_group_size = 7\\n')
>>> config = load_config(folder / "aiadopt.toml")
>>> config.values["data"] == folder / "org", config.values["min_group_size"]
(True, 7)
>>> _ = (folder / "bad.toml").write_text('[report]\\nlanguage = ["nl"]\\n')
>>> load_config(folder / "bad.toml")
Traceback (most recent call last):
...
aiadopt.config.ConfigError: ...bad.toml, line 2: unknown key 'language' in [report]; did you mean 'languages'? ...
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "CONFIG_NAME",
    "ConfigError",
    "Config",
    "KEYS",
    "find_config",
    "load_config",
    "starter_config",
    "write_starter",
]

#: The config file a command reads from the working directory when no
#: ``--config`` is given.
CONFIG_NAME = "aiadopt.toml"

_LANGUAGES = ("en", "nl")
_SURVEY_FORMATS = ("auto", "aiadopt", "qualtrics", "msforms", "limesurvey")
_TABLES = ("use_cases", "processes", "survey")


class ConfigError(ValueError):
    """The config is wrong; the message lists every problem, one per line."""


class _Bad(Exception):
    """A key's value is wrong: the message says what it must be."""


# -- value checks: each returns the value as the command's option holds it ----------------------


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(f'must be a non-empty text in quotes (e.g. "..."), got {value!r}')
    return value.strip()


def _whole(low: int, high: int | None = None) -> Callable[[object], int]:
    def check(value: object) -> int:
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or value < low
            or (high is not None and value > high)
        ):
            upto = f" and at most {high}" if high is not None else ""
            raise _Bad(
                f"must be a whole number of at least {low}{upto}, without quotes, got {value!r}"
            )
        return value

    return check


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _Bad(f"must be true or false, without quotes, got {value!r}")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in options:
            raise _Bad(f"must be one of {', '.join(options)}, got {value!r}")
        return str(value)

    return check


def _source(value: object, base: Path) -> Path | str:
    text = _text(value)
    if "://" not in text:
        return base / Path(text).expanduser()
    from urllib.parse import urlsplit

    if urlsplit(text).password is not None:
        raise _Bad(
            "holds a password: never put one in the config; remove it from the URL and give it "
            "in PGPASSWORD or ~/.pgpass (docs/databases.md)"
        )
    return text


def _path(value: object, base: Path) -> Path:
    return base / Path(_text(value)).expanduser()


def _tables(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _Bad(f'must be a table like {{ survey = "pulse" }}, got {value!r}')
    wrong = [key for key in value if key not in _TABLES]
    if wrong:
        raise _Bad(f"has unknown tables {', '.join(map(repr, wrong))}; known: {', '.join(_TABLES)}")
    return {key: _text(name) for key, name in value.items()}


def _departments(value: object) -> list[str] | None:
    if value == "all":
        return None
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise _Bad(
            f'must be "all" or a list of department names like ["Finance", "HR"], got {value!r}'
        )
    return [v.strip() for v in value]


def _languages(value: object) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if (
        not isinstance(items, list)
        or not items
        or any(v not in _LANGUAGES for v in items)
        or len(set(items)) != len(items)
    ):
        raise _Bad(
            f"must be a list of different languages from {', '.join(_LANGUAGES)} "
            f'like ["nl", "en"], got {value!r}'
        )
    return list(items)


def _timeout(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _Bad(f"must be a positive whole number of seconds (e.g. 600), got {value!r}")
    return value


def _addresses(value: object) -> list[str]:
    return [value] if isinstance(value, str) else value  # checked by AlertSettings


@dataclass(frozen=True)
class _Key:
    dest: str  # the option's attribute on the parsed arguments
    check: Callable[..., object]
    #: The commands this key applies to; None: every command with that option.
    commands: tuple[str, ...] | None = None
    relative: bool = False  # check(value, base): a path relative to the config's folder
    option: str = ""  # the command-line option it stands for (docs/config.md lists both)


#: ``table -> key -> what it sets``. The ``[alerts]`` keys are
#: :data:`aiadopt.alerts.KEYS`, checked by :class:`aiadopt.alerts.AlertSettings`.
KEYS: dict[str, dict[str, _Key]] = {
    "data": {
        "source": _Key("data", _source, relative=True, option="--data"),
        "schema": _Key("schema", _text, option="--schema"),
        "tables": _Key("tables", _tables, option="--tables"),
        "codebook": _Key("codebook", _path, relative=True, option="--codebook"),
        "survey_format": _Key("survey_format", _choice(_SURVEY_FORMATS), option="--survey-format"),
        "mapping": _Key("mapping", _path, relative=True, option="--mapping"),
    },
    "report": {
        "departments": _Key("department", _departments, ("report",), option="--department"),
        "languages": _Key("languages", _languages, option="--lang"),
        "out": _Key("out", _path, ("report", "history"), relative=True, option="--out"),
        "notebooks": _Key("notebooks", _path, ("report",), relative=True, option="--notebooks"),
        "workers": _Key("workers", _whole(1), ("report",), option="--workers"),
        "timeout": _Key("timeout", _timeout, ("report",), option="--timeout"),
        "n_boot": _Key("n_boot", _whole(0), ("report",), option="--n-boot"),
        "seed": _Key("seed", _whole(0), ("report",), option="--seed"),
        "pdf": _Key("pdf", _flag, ("report",), option="--pdf"),
        "chromium": _Key("chromium", _text, ("report",), option="--chromium"),
        "scheduler": _Key("scheduler", _text, ("report",), option="--scheduler"),
    },
    "privacy": {
        "min_group_size": _Key("min_group_size", _whole(3), option="--min-group-size"),
    },
}


def _alert_keys() -> dict[str, _Key]:
    from .alerts import KEYS as ALERT_KEYS
    from .alerts import OPTIONS

    return {
        key: _Key(
            OPTIONS[key][2:].replace("-", "_"),
            _addresses if key == "email_to" else (lambda v: v),
            ("report",),
            option=OPTIONS[key],
        )
        for key in ALERT_KEYS
    }


@dataclass(frozen=True)
class Config:
    """A loaded project config.

    Attributes
    ----------
    path : Path
        The config file.
    values : dict
        Option attribute (``data``, ``min_group_size``, ``languages``, ...)
        -> checked value; relative paths already joined to the config's folder.
    commands : dict
        Option attribute -> the commands it applies to (None: every command
        that has the option).
    """

    path: Path
    values: dict[str, object] = field(default_factory=dict)
    commands: dict[str, tuple[str, ...] | None] = field(default_factory=dict)

    def defaults_for(self, command: str, dests: set[str]) -> dict[str, object]:
        """The values that become ``command``'s option defaults: the keys that
        apply to it, among its options ``dests``."""
        wanted = {}
        for dest, value in self.values.items():
            commands = self.commands.get(dest)
            if commands is not None and command not in commands:
                continue
            if dest == "languages":
                if command == "report":
                    wanted["languages"] = value  # one run per language; --lang: that one
                else:
                    if "lang" in dests:
                        wanted["lang"] = value[0]  # type: ignore[index]
                    if command == "history":
                        wanted["languages"] = value  # the reports folder has one per language
            elif dest in dests:
                wanted[dest] = value
        return wanted


_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\s*(#.*)?$")
_KEY_LINE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-.]+)\s*=""")


def _lines(text: str) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Line numbers of the tables (``name -> line``) and of their keys
    (``(table, key) -> line``); top-level keys have the table ``""``."""
    tables: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    table = ""
    depth = 0  # inside a multi-line array: its lines are not keys
    for number, line in enumerate(text.splitlines(), start=1):
        if depth == 0:
            header = _HEADER.match(line)
            if header:
                table = header.group(1).strip().strip("\"'")
                tables.setdefault(table, number)
                continue
            key = _KEY_LINE.match(line)
            if key:
                name = key.group(1).strip("\"'")
                if "." in name and not key.group(1).startswith(("'", '"')):
                    inner, _, name = name.rpartition(".")
                    keys.setdefault((f"{table}.{inner}".strip("."), name), number)
                    tables.setdefault(f"{table}.{inner}".strip(".").split(".")[0], number)
                else:
                    keys.setdefault((table, name), number)
        code = re.sub(r"\"[^\"]*\"|'[^']*'|#.*$", "", line)
        depth = max(0, depth + code.count("[") - code.count("]"))
    return tables, keys


def find_config(path: str | Path | None = None, *, cwd: str | Path | None = None) -> Path | None:
    """The config to read: ``path`` (which must exist), else ``aiadopt.toml``
    in ``cwd`` (default: the working directory) when it exists, else None."""
    if path is not None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"{path}: no such config file; write a starter with 'aiadopt init --config {path}'"
            )
        return path
    default = Path(cwd or ".") / CONFIG_NAME
    return default if default.is_file() else None


def load_config(path: str | Path) -> Config:
    """Read and check the config at ``path``.

    Parameters
    ----------
    path : str or Path
        A TOML file with the tables ``[data]``, ``[report]``, ``[privacy]``
        and ``[alerts]`` (:data:`KEYS`).

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        Listing every problem with its file and line: TOML that does not
        parse, an unknown table or key (with the closest known one), a value
        of the wrong kind, a password.
    """
    from .alerts import AlertSettings, AlertSettingsError

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML: {exc}; see the starter config from 'aiadopt init'"
        ) from None
    table_lines, key_lines = _lines(text)
    base = path.resolve().parent
    problems: list[str] = []
    values: dict[str, object] = {}
    commands: dict[str, tuple[str, ...] | None] = {}
    known = {**KEYS, "alerts": _alert_keys()}

    def at(table: str, key: str | None = None) -> str:
        line = key_lines.get((table, key)) if key is not None else None
        line = line or table_lines.get(table)
        return f"{path}, line {line}" if line else str(path)

    for table, content in raw.items():
        if table not in known:
            close = difflib.get_close_matches(table, known, n=1)
            hint = f"; did you mean [{close[0]}]?" if close else ""
            what = "table" if isinstance(content, dict) else "key"
            problems.append(
                f"{at('', table) if what == 'key' else at(table)}: unknown {what} {table!r}{hint}; "
                f"the config has the tables {', '.join(f'[{t}]' for t in known)}"
                + (f"; put {table!r} under one of them" if what == "key" else "")
            )
            continue
        if not isinstance(content, dict):
            problems.append(
                f"{at('', table)}: {table} must be a table: write [{table}] on a line of its own"
            )
            continue
        if table == "alerts":
            lines = {k: key_lines[("alerts", k)] for k in content if ("alerts", k) in key_lines}
            try:
                AlertSettings.from_mapping(content, source=f"{path} [alerts]", lines=lines)
            except AlertSettingsError as exc:
                message = str(exc).replace(f"{path} [alerts], line", f"{path}, line")
                problems.extend(re.split(rf"; (?={re.escape(str(path))})", message))
        for key, value in content.items():
            spec = known[table].get(key)
            if spec is None:
                if table == "alerts":
                    continue  # reported above, with the alerts' own hints
                close = difflib.get_close_matches(key, known[table], n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problems.append(
                    f"{at(table, key)}: unknown key {key!r} in [{table}]{hint} "
                    f"Known keys: {', '.join(known[table])}"
                )
                continue
            try:
                checked = spec.check(value, base) if spec.relative else spec.check(value)
            except _Bad as exc:
                problems.append(f"{at(table, key)}: [{table}] {key} {exc}")
                continue
            values[spec.dest] = checked
            commands[spec.dest] = spec.commands
    if problems:
        raise ConfigError("\n".join(problems))
    return Config(path=path, values=values, commands=commands)


def starter_config() -> str:
    """The text ``aiadopt init`` writes: every key, commented, with its default."""
    from importlib.resources import files

    return files("aiadopt").joinpath("data/aiadopt.toml").read_text(encoding="utf-8")


def write_starter(path: str | Path, *, force: bool = False) -> Path:
    """Write :func:`starter_config` to ``path`` (atomically).

    Raises
    ------
    FileExistsError
        When ``path`` exists and ``force`` is False: a config is never
        overwritten by accident.
    """
    from .atomic import write_text_atomic

    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(
            f"{path} already exists; edit it, or pass --force to replace it with the starter config"
        )
    write_text_atomic(path, starter_config())
    return path
