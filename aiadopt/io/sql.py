"""Reading the three input tables from PostgreSQL.

``aiadopt.load("postgresql+psycopg://user@host/db")`` (and ``--data`` on the
command line) reads the tables ``use_cases``, ``processes`` and ``survey``
(names and schema configurable) in one read-only transaction, so the three
are one consistent snapshot. Only the columns the loader uses are read: the
standard columns of each table and, for the survey, the item columns the
codebook maps onto scales. The rows become the same raw tables a CSV file
gives (:class:`~aiadopt.io._read.RawTable`), so every check and message is
the one of the file path; a problem names the table (``public.survey``),
the row by its key (``respondent_id='R-12', wave='2026-10'``) and the column
instead of file and line.

Credentials come from libpq's own places only: the ``PGPASSWORD``
environment variable or the password file (``~/.pgpass``, ``PGPASSFILE``).
A URL holding a password is refused, so that no password reaches a config
file, a log, the manifest or a notebook's parameters. See docs/databases.md.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..codebook import Codebook, normalise_header
from ..errors import DataValidationError, Problem
from ..schema import TABLES
from ._read import RawTable
from ._tables import SURVEY_REQUIRED, USE_CASE_OPTIONAL, USE_CASE_REQUIRED

__all__ = [
    "DEFAULT_TABLES",
    "KEY_COLUMNS",
    "DataSourceError",
    "SqlTable",
    "is_database_url",
    "check_url",
    "parse_tables",
    "read_tables",
]

#: Input table -> its default table name in the database.
DEFAULT_TABLES: dict[str, str] = {t: t for t in TABLES}
#: Input table -> the columns that name one of its rows in error messages.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "use_cases": ("use_case_id",),
    "processes": ("department", "process"),
    "survey": ("respondent_id", "wave"),
}
#: Seconds to wait for the server before giving up (libpq's ``connect_timeout``).
CONNECT_TIMEOUT = 10
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_DRIVERS = ("postgresql", "postgresql+psycopg")
_FIX_PASSWORD = (
    "Give the password in the PGPASSWORD environment variable or in ~/.pgpass "
    "(a line host:port:database:user:password, file mode 600), never in the URL or the config."
)


class DataSourceError(DataValidationError):
    """The database cannot be read: a URL with a password, a server that
    does not answer, a refused login, a missing table. One line naming the
    database (without a password) and the fix."""

    def __init__(self, source: str, rule: str, fix: str):
        super().__init__([Problem(file=source, rule=rule, fix=fix)])

    def _render(self) -> str:
        return str(self.problems[0])


class SqlTable(str):
    """Where one input table was read from: prints as ``schema.table``.

    The value of :attr:`aiadopt.dataset.Dataset.sources` for a table read
    from a database (a file's is its path). It is a ``str``, so code that
    shows a source's name works unchanged.

    Attributes
    ----------
    url : str
        The database URL (it holds no password: such a URL is refused).
    schema, table : str
    rows : int
        Rows read.
    sha256 : str
        Checksum of the rows read (:func:`rows_checksum`): the manifest's
        record of the input, as a file's checksum is for a file.
    """

    url: str
    schema: str
    table: str
    rows: int
    sha256: str

    def __new__(cls, url: str, schema: str, table: str, rows: int, sha256: str) -> SqlTable:
        self = super().__new__(cls, f"{schema}.{table}")
        self.url, self.schema, self.table, self.rows, self.sha256 = url, schema, table, rows, sha256
        return self

    def __reduce__(self):
        return (SqlTable, (self.url, self.schema, self.table, self.rows, self.sha256))

    @property
    def name(self) -> str:
        """``schema.table``, as a file's ``Path.name`` names the file."""
        return str(self)


def is_database_url(source: object) -> bool:
    """Whether ``source`` is a database URL (``scheme://...``) rather than a folder.

    Examples
    --------
    >>> is_database_url("postgresql+psycopg://aiadopt@db.example.org/hr")
    True
    >>> is_database_url("data/sample")
    False
    """
    return isinstance(source, str) and bool(_URL.match(source))


def check_url(source: str):
    """The SQLAlchemy URL of ``source``, checked: PostgreSQL, no password.

    ``postgresql://`` is read with psycopg 3 (``postgresql+psycopg://``).

    Raises
    ------
    DataSourceError
        Not a PostgreSQL URL, or a URL holding a password.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(source)
    except ArgumentError:
        raise DataSourceError(
            _scheme_only(source),
            "not a database URL",
            "Write it as postgresql+psycopg://user@host:port/database.",
        ) from None
    if url.password is not None or "password" in url.query:
        shown = url.set(query={k: v for k, v in url.query.items() if k != "password"})
        raise DataSourceError(
            shown.render_as_string(hide_password=True),
            "the URL holds a password",
            "Remove it from the URL. " + _FIX_PASSWORD,
        )
    if url.drivername not in _DRIVERS:
        raise DataSourceError(
            url.render_as_string(hide_password=True),
            f"unsupported database {url.drivername!r}",
            "aiadopt reads PostgreSQL: postgresql+psycopg://user@host:port/database.",
        )
    return url.set(drivername="postgresql+psycopg")


def _scheme_only(source: str) -> str:
    # An unparseable URL is shown by its scheme only: it may hold a password.
    return source.split("://", 1)[0] + "://..."


def parse_tables(text: str | Mapping[str, str] | None) -> dict[str, str]:
    """Table names: the defaults, overridden by ``TABLE=NAME`` pairs.

    Parameters
    ----------
    text : str or mapping, optional
        ``"survey=pulse,use_cases=register"`` (the ``--tables`` option) or
        a mapping of input table to database table.

    Examples
    --------
    >>> parse_tables("survey=pulse_2026")["survey"]
    'pulse_2026'
    >>> parse_tables(None) == DEFAULT_TABLES
    True
    """
    out = dict(DEFAULT_TABLES)
    if text is None:
        return out
    if isinstance(text, str):
        pairs = []
        for item in filter(None, (p.strip() for p in text.split(","))):
            key, sep, name = item.partition("=")
            if not sep or not name.strip():
                raise ValueError(f"tables: expected TABLE=NAME, got {item!r} (e.g. survey=pulse)")
            pairs.append((key.strip(), name.strip()))
    else:
        pairs = list(text.items())
    for key, name in pairs:
        if key not in DEFAULT_TABLES:
            raise ValueError(
                f"tables: unknown table {key!r}; expected one of {', '.join(DEFAULT_TABLES)}"
            )
        out[key] = str(name)
    return out


def rows_checksum(relation: str, data: bytes) -> str:
    """SHA-256 of ``schema.table``, a NUL byte and the rows read as
    PostgreSQL's ``COPY ... TO STDOUT (FORMAT csv, HEADER)`` writes them:
    the columns read, rows sorted by key (see :func:`read_tables`)."""
    return hashlib.sha256(relation.encode() + b"\x00" + data).hexdigest()


def _as_text(sa, name: str, type_):
    """The column as the query selects it: booleans as ``true``/``false``
    and timestamps as their date, so that the CSV text reads as a file's."""
    column = sa.column(name)
    if isinstance(type_, sa.Boolean):
        return sa.cast(column, sa.Text).label(name)
    if isinstance(type_, sa.DateTime):
        return sa.cast(column, sa.Date).label(name)
    return column


def _copy_csv(conn, query) -> bytes:
    """The rows of ``query`` as CSV, through ``COPY`` in the connection's
    transaction (fast: no Python object per value)."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    driver = conn.connection.driver_connection  # the psycopg connection
    out = io.BytesIO()
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy,
    ):
        for block in copy:
            out.write(block)
    return out.getvalue()


def _parse_csv(data: bytes, names: list[str]) -> pd.DataFrame:
    """COPY's CSV as a raw frame: every column dictionary-encoded text (pandas
    categoricals, as the file reader gives), NULL as missing."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text = pa.dictionary(pa.int32(), pa.string())
    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, text),
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    return table.to_pandas()


@dataclass
class _SqlRaw(RawTable):
    """A table read from the database: named ``schema.table``, its rows
    located by their key (``use_case_id='UC-7'``)."""

    relation: str = ""
    keys: pd.DataFrame | None = None  # key columns as read, by row label

    @property
    def name(self) -> str:
        return self.relation

    def where(self, pos: int) -> str:
        keys = self.keys
        if keys is None or keys.empty or len(keys.columns) == 0:
            return f"row {int(pos) + 1}"
        row = keys.loc[pos]
        if row.isna().any():
            empty = ", ".join(str(c) for c in row.index[row.isna().to_numpy()])
            return f"row {int(pos) + 1} (empty {empty})"
        return "row " + ", ".join(f"{c}={_key_text(v)!r}" for c, v in row.items())


def _key_text(value) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text[10:].strip("T0:") == "" else text
    return str(value)


def _needed(table: str, canonical: dict[str, str], codebook: Codebook) -> set[str]:
    """The database columns the loader uses, by their canonical names."""
    if table == "use_cases":
        wanted = set(USE_CASE_REQUIRED) | set(USE_CASE_OPTIONAL)
    elif table == "processes":
        wanted = {"department", "process", "core"}
    else:
        wanted = set(SURVEY_REQUIRED)
        try:
            items = codebook.match_items(list(dict.fromkeys(canonical.values())))
        except DataValidationError:
            return set(canonical)  # the converter reports the codebook's clash
        wanted |= {src for mapping in items.values() for src in mapping}
    return {c for c, canon in canonical.items() if canon in wanted}


def _canonical(columns: list[str], codebook: Codebook) -> dict[str, str]:
    out = {}
    for c in columns:
        name = normalise_header(c)
        out[c] = codebook.columns.get(name, name)
    return out


def _unread(n: int) -> pd.Series:
    """A column that is in the table but not read: its name is known (the
    survey lists it as dropped; a misspelt header is still caught), its
    values are not."""
    return pd.Series(pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=[]))


def _read_error(source: str, relation: str, user: str | None, exc) -> DataSourceError:
    orig = getattr(exc, "orig", exc)
    first = next((x.strip() for x in str(orig).splitlines() if x.strip()), type(orig).__name__)
    if getattr(orig, "sqlstate", None) == "42501":
        fix = f"Grant the user SELECT on it (GRANT SELECT ON {relation} TO {user or 'the user'})."
    else:
        fix = "Check the table, and the server's log."
    return DataSourceError(source, f"cannot read {relation} ({first})", fix)


def _connection_error(source: str, exc) -> DataSourceError:
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None)
    text = str(orig).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(orig).__name__)
    first = first.removeprefix("connection failed: ")
    lower = text.lower()
    if "peer authentication" in lower:
        return DataSourceError(
            source,
            f"login refused ({first})",
            "Over the server's Unix socket you log in as your system user: use that name in the "
            "URL, or connect over TCP (user@host:port) with the password in PGPASSWORD or ~/.pgpass.",
        )
    if state in ("28P01", "28000") or "password" in lower or "authentication" in lower:
        return DataSourceError(source, f"login refused ({first})", _FIX_PASSWORD)
    if re.search(r'\brole "[^"]*" does not exist', text):
        return DataSourceError(
            source,
            f"login refused ({first})",
            "Check the user name in the URL (user@host), or ask for a role on the server.",
        )
    if state == "3D000" or re.search(r'\bdatabase "[^"]*" does not exist', text):
        return DataSourceError(
            source, f"cannot connect ({first})", "Check the database name at the end of the URL."
        )
    return DataSourceError(
        source,
        f"cannot connect ({first})",
        "Check the host and port in the URL, and that the server is running and accepts "
        "connections from this machine.",
    )


def read_tables(
    source: str,
    *,
    codebook: Codebook,
    schema: str | None = None,
    tables: str | Mapping[str, str] | None = None,
) -> tuple[dict[str, RawTable], dict[str, SqlTable], list[Problem]]:
    """Read the three input tables from the database at ``source``.

    Parameters
    ----------
    source : str
        ``postgresql+psycopg://user@host:port/database`` (no password).
    codebook : Codebook
        Decides which survey columns are read (the items of its scales).
    schema : str, optional
        The tables' schema (default: the connection's current schema,
        normally ``public``).
    tables : str or mapping, optional
        Table names other than ``use_cases``, ``processes`` and ``survey``
        (:func:`parse_tables`).

    Returns
    -------
    raw : dict
        Input table -> raw table, rows sorted by key (then by the other
        columns), only the columns the loader uses holding values.
    sources : dict
        Input table -> :class:`SqlTable` (rows read and their checksum).
    problems : list of Problem
        Tables without rows.

    Raises
    ------
    DataSourceError
        A URL with a password, a server that does not answer, a refused
        login, a missing table or a table the user may not read.
    """
    names = parse_tables(tables)
    url = check_url(source)
    try:
        import psycopg
        import sqlalchemy as sa
    except ImportError:  # pragma: no cover - a core dependency
        raise DataSourceError(
            source, "SQLAlchemy is not installed", "pip install sqlalchemy psycopg"
        ) from None

    engine = sa.create_engine(
        url,
        poolclass=sa.pool.NullPool,
        connect_args={"connect_timeout": CONNECT_TIMEOUT, "application_name": "aiadopt"},
    )
    raws: dict[str, RawTable] = {}
    sources: dict[str, SqlTable] = {}
    problems: list[Problem] = []
    try:
        try:
            conn = engine.connect()
        except sa.exc.DBAPIError as exc:
            raise _connection_error(source, exc) from None
        with conn:
            # One read-only snapshot of the three tables.
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            schema = schema or conn.execute(sa.text("SELECT current_schema()")).scalar() or "public"
            conn.execute(sa.text("SET LOCAL DateStyle = 'ISO, YMD'"))  # dates as 2025-03-14
            inspector = sa.inspect(conn)
            missing = [
                f"{schema}.{names[t]}"
                for t in TABLES
                if not inspector.has_table(names[t], schema=schema)
            ]
            if missing:
                raise DataSourceError(
                    source,
                    f"no table {', '.join(missing)} in the database",
                    "Create the table, or name yours with --schema and --tables "
                    "(e.g. --tables survey=pulse); see docs/databases.md.",
                )
            for table in TABLES:
                relation = f"{schema}.{names[table]}"
                try:
                    raw, checksum = _read_one(
                        sa, conn, inspector, table, schema, names[table], codebook
                    )
                except (sa.exc.DBAPIError, psycopg.Error) as exc:
                    raise _read_error(source, relation, url.username, exc) from None
                rows = 0 if raw is None else len(raw.frame)
                sources[table] = SqlTable(source, schema, names[table], rows, checksum)
                if raw is None:
                    problems.append(
                        Problem(
                            file=relation,
                            rule="the table has no rows",
                            fix="Load the data into it, or name the right table with --tables.",
                        )
                    )
                    continue
                raws[table] = raw
    finally:
        engine.dispose()
    return raws, sources, problems


def _read_one(sa, conn, inspector, table, schema, name, codebook) -> tuple[RawTable | None, str]:
    relation = f"{schema}.{name}"
    described = inspector.get_columns(name, schema=schema)
    columns = [c["name"] for c in described]
    canonical = _canonical(columns, codebook)
    needed = _needed(table, canonical, codebook)
    selected = [c for c in columns if c in needed]
    key_columns = [c for k in KEY_COLUMNS[table] for c in selected if canonical[c] == k]
    order = key_columns + [c for c in selected if c not in key_columns]
    if selected:
        types = {c["name"]: c["type"] for c in described}
        query = (
            sa.select(*(_as_text(sa, c, types[c]) for c in selected))
            .select_from(sa.table(name, schema=schema))
            .order_by(*(sa.column(c) for c in order))
        )
        data = _copy_csv(conn, query)
        frame = _parse_csv(data, selected)
    else:
        n = conn.execute(
            sa.select(sa.func.count()).select_from(sa.table(name, schema=schema))
        ).scalar()
        frame = pd.DataFrame(index=pd.RangeIndex(int(n)))
        data = str(n).encode()
    checksum = rows_checksum(relation, data)
    if len(frame) == 0:
        return None, checksum
    keys = frame[key_columns].copy() if key_columns else None
    if selected:
        blank = frame.isna().all(axis=1)
        if blank.all():
            return None, checksum
        if blank.any():
            frame = frame.loc[~blank]
    for c in columns:
        if c not in needed:
            frame[c] = _unread(len(frame)).set_axis(frame.index)
    frame = frame[columns]
    return (
        _SqlRaw(
            frame=frame,
            path=Path(relation),
            kind="sql",
            relation=relation,
            keys=keys,
        ),
        checksum,
    )
