"""The vote board of a live workshop: one object in one process holds the room's votes.

A facilitator's session scores use cases of the register on impact and effort
with the room (seed 002's impact-effort matrix, seed 001's "prioritise
together" sessions). The board is the whole state of such a session; the Panel
views (:mod:`aiadopt.workshop.app`) only show it and pass clicks to it.

Durability. Every vote is appended to ``out/votes.csv`` and flushed to disk
(``fsync``) before :meth:`Board.vote` returns, so a vote a participant saw
acknowledged survives a crash or ``kill -9``. Facilitator actions go to
``out/events.csv`` with the number of vote rows written before them, so
``Board(..., resume=True)`` replays both files into exactly the state of the
moment of the stop. ``out/session.json`` keeps the selection and the codes.

Anonymity. A participant is a random 32-hex-digit id; no name, address or
device detail is stored anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import json
import math
import numbers
import os
import re
import secrets
import statistics
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..atomic import write_text_atomic
from ..dataset import Dataset
from ..labels import LANGUAGES
from ..schema import STATUSES

__all__ = [
    "ACTIONS",
    "DEFAULT_MIN_VOTES",
    "JOIN_ALPHABET",
    "Board",
    "Refused",
    "Snapshot",
    "VotingClosed",
    "WorkshopSessionError",
]

#: Fewest votes before a use case's means are shown (the privacy threshold).
DEFAULT_MIN_VOTES: int = 3
#: Facilitator actions :meth:`Board.control` accepts.
ACTIONS: tuple[str, ...] = ("open", "close", "reveal", "hide", "step", "reset", "end")
#: Letters of the join code: no 0/O, 1/I/L, so it can be read off a wall.
JOIN_ALPHABET: str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_LENGTH: int = 5
SCORES: tuple[int, ...] = (1, 2, 3, 4, 5)

VOTE_COLUMNS: tuple[str, ...] = ("session", "use_case_id", "impact", "effort", "time")
EVENT_COLUMNS: tuple[str, ...] = ("after_votes", "action", "use_case_id", "time")
RESULT_COLUMNS: tuple[str, ...] = (
    "use_case_id",
    "title",
    "votes",
    "impact",
    "effort",
    "impact_sd",
    "effort_sd",
    "shown",
)
_SESSION_RE = re.compile(r"^[0-9a-f]{32}$")
_FORMAT = 1


class Refused(PermissionError):
    """A facilitator action came without the right token; nothing changed."""


class VotingClosed(RuntimeError):
    """A vote came while voting is closed, after the end, or for a use case
    that is not the one being scored (step mode); nothing changed."""


class WorkshopSessionError(ValueError):
    """The output folder, the selection or a file to resume does not fit."""


@dataclass(frozen=True)
class _Vote:
    impact: int
    effort: int
    time: str
    seq: int  # order of arrival, for the final-votes export


@dataclass(frozen=True)
class Snapshot:
    """The board's state at one moment (immutable).

    Attributes
    ----------
    version : int
        Grows by one with every change; a view drops a snapshot older than
        the one it shows (notifications from several threads may cross).
    open : bool
        Whether votes are accepted.
    revealed : bool
        Whether the facilitator shows the results (means) to the room.
    current : str or None
        The use case being scored in step mode; None: all at once.
    ended : bool
        The facilitator ended the session; no more votes.
    votes : int
        Current votes: one per participant per use case.
    participants : int
        Participants with at least one current vote.
    results : DataFrame
        :meth:`Board.results` at this moment.
    """

    version: int
    open: bool
    revealed: bool
    current: str | None
    ended: bool
    votes: int
    participants: int
    results: pd.DataFrame = field(repr=False, compare=False)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.split(",")
    out = [str(v).strip() for v in value]
    return [v for v in out if v]


def _select(
    use_cases: pd.DataFrame,
    department: str | None,
    ids: list[str] | None,
    status: list[str] | None,
) -> pd.DataFrame:
    """The use cases of the session, in register order; every problem at once."""
    problems: list[str] = []
    frame = use_cases
    if department is not None:
        known = sorted(frame["department"].dropna().unique())
        if department not in known:
            problems.append(
                f"department {department!r} has no use cases in the register. "
                f"Choose one of: {', '.join(known)}."
            )
        frame = frame[frame["department"] == department]
    if status:
        unknown = [s for s in status if s not in STATUSES]
        if unknown:
            problems.append(
                f"unknown status {', '.join(map(repr, unknown))}. "
                f"Use any of: {', '.join(STATUSES)} (comma-separated)."
            )
        frame = frame[frame["status"].isin(status)]
    if ids:
        missing = [i for i in ids if i not in set(frame["use_case_id"])]
        if missing:
            where = []
            if department is not None:
                where.append(f"department {department!r}")
            if status:
                where.append(f"status {','.join(status)}")
            scope = f" (within {' and '.join(where)})" if where else ""
            problems.append(
                f"use case {', '.join(map(repr, missing))} is not in the register{scope}. "
                "Check the ids in the use_case_id column."
            )
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"use case {', '.join(map(repr, dupes))} is given more than once.")
        order = {uc: n for n, uc in enumerate(dict.fromkeys(ids))}
        frame = frame[frame["use_case_id"].isin(order)]
        frame = frame.iloc[frame["use_case_id"].map(order).argsort(kind="stable")]
    if not problems and frame.empty:
        problems.append("the selection holds no use case. Widen --department/--status/--use-case.")
    if problems:
        raise WorkshopSessionError("Cannot start the workshop:\n- " + "\n- ".join(problems))
    return frame


def _describe(row: pd.Series) -> str:
    text = row.get("description")
    if isinstance(text, str) and text.strip():
        return text.strip()
    parts = [row.get(c) for c in ("department", "team", "process")]
    return " · ".join(p for p in parts if isinstance(p, str) and p.strip())


def _items(frame: pd.DataFrame) -> pd.DataFrame:
    items = pd.DataFrame(
        {
            "use_case_id": frame["use_case_id"].astype(str).to_numpy(),
            "title": frame["title"].astype(str).to_numpy(),
            "description": [_describe(r) for _, r in frame.iterrows()],
            "department": frame["department"].astype(str).to_numpy(),
            "status": frame["status"].astype(str).to_numpy(),
        }
    )
    return items


def _fsync_append(fh: io.TextIOBase, rows: list[list[object]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    fh.write(buffer.getvalue())
    fh.flush()
    os.fsync(fh.fileno())


def _read_log(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The complete rows of an append-only log; a torn last line (a write cut
    off by a crash, never acknowledged) is cut off the file."""
    if not path.exists():
        return []
    raw = path.read_bytes()
    if raw and not raw.endswith(b"\n"):
        cut = raw.rfind(b"\n") + 1
        with open(path, "r+b") as fh:
            fh.truncate(cut)
            fh.flush()
            os.fsync(fh.fileno())
        raw = raw[:cut]
    text = raw.decode("utf-8")
    if not text:
        return []
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return []
    if tuple(header) != columns:
        raise WorkshopSessionError(
            f"{path}, line 1: the header is {','.join(header)!r}, expected "
            f"{','.join(columns)!r}. This is not a workshop log of aiadopt; "
            "choose another --out folder."
        )
    rows = []
    for number, values in enumerate(reader, start=2):
        if len(values) != len(columns):
            raise WorkshopSessionError(
                f"{path}, line {number}: {len(values)} fields, expected {len(columns)} "
                f"({','.join(columns)}): {','.join(values)!r}. Remove or repair the line, "
                "then resume."
            )
        rows.append({"line": number, **dict(zip(columns, values, strict=True))})
    return rows


class Board:
    """The vote board of one workshop session.

    Parameters
    ----------
    data : Dataset, str or Path
        The organisation's data, or its folder (read with :func:`aiadopt.load`).
    department : str, default=None
        Only this department's use cases.
    use_cases : str or iterable of str, default=None
        Only these use cases, in this order (a comma-separated string works).
    status : str or iterable of str, default=None
        Only use cases with these statuses, e.g. ``"idea,pilot"``.
    out : str or Path, default=None
        Folder of the session's files (``votes.csv``, ``events.csv``,
        ``session.json`` and the export). Default
        ``workshops/<YYYY-MM-DD-HHMM>``. A folder that already holds a session
        is refused unless ``resume=True``.
    min_votes : int, default=None
        Fewest votes before a use case's means are shown (default 3). On
        resume, the session's own value; a different explicit value is an
        error.
    resume : bool, default=False
        Continue the session in ``out`` after a stop or crash: the selection,
        codes and every acknowledged vote and action come back exactly.
    lang : {"en", "nl"}, default="en"
        Language of the views and the export.
    lan : bool, default=False
        Whether the board is served on a network: then participant pages need
        the join code and the projector its key.

    Examples
    --------
    >>> import tempfile, aiadopt
    >>> from aiadopt.workshop import Board
    >>> board = Board(aiadopt.load("data/sample"), department="Finance",
    ...               status="idea,pilot", out=tempfile.mkdtemp())
    >>> p = board.new_participant()
    >>> first = board.items["use_case_id"].iloc[0]
    >>> board.vote(p, first, impact=4, effort=2).votes
    1
    >>> board.results()[["use_case_id", "votes", "shown"]].head(2)
      use_case_id  votes  shown
    0     UC-0082      1  False
    1     UC-0123      0  False
    """

    def __init__(
        self,
        data: Dataset | str | Path,
        *,
        department: str | None = None,
        use_cases: str | Iterable[str] | None = None,
        status: str | Iterable[str] | None = None,
        out: str | Path | None = None,
        min_votes: int | None = None,
        resume: bool = False,
        lang: str = "en",
        lan: bool = False,
    ) -> None:
        if lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {LANGUAGES}; got {lang!r}")
        if min_votes is not None and (
            isinstance(min_votes, bool) or not isinstance(min_votes, int) or min_votes < 1
        ):
            raise ValueError(f"min_votes must be a whole number >= 1; got {min_votes!r}")
        if not isinstance(data, Dataset):
            from ..io import load

            data = load(data)
        self.dataset: Dataset = data
        self.lang = lang
        self.lan = bool(lan)
        self.department = department
        self.status = _as_list(status)
        self.out = Path(
            out
            if out is not None
            else Path("workshops") / dt.datetime.now().strftime("%Y-%m-%d-%H%M")
        )
        self._lock = threading.RLock()
        self._listeners: list[Callable[[Snapshot], None]] = []
        self._votes: dict[tuple[str, str], _Vote] = {}
        self._open, self._revealed, self._ended = True, True, False
        self._current: str | None = None
        self._version = 0
        self._vote_rows = 0  # vote rows in votes.csv (events refer to it)
        self._seq = 0
        self._snapshot: Snapshot | None = None
        if resume:
            self._resume(use_cases, min_votes)
        else:
            self._start(use_cases, min_votes)
        self._ids = set(self.items["use_case_id"])

    # --- setting up -------------------------------------------------------------------------
    def _start(self, use_cases, min_votes) -> None:
        frame = _select(self.dataset.use_cases, self.department, _as_list(use_cases), self.status)
        self.items = _items(frame)
        self.min_votes = DEFAULT_MIN_VOTES if min_votes is None else min_votes
        self.token = secrets.token_urlsafe(18)
        self.view_key = secrets.token_urlsafe(12)
        self.join_code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))
        self.out.mkdir(parents=True, exist_ok=True)
        taken = [n for n in ("session.json", "votes.csv", "events.csv") if (self.out / n).exists()]
        if taken:
            raise WorkshopSessionError(
                f"{self.out} already holds a workshop session ({', '.join(taken)}). "
                "Pass resume=True (--resume) to continue it, or choose another folder (--out)."
            )
        session = {
            "format": _FORMAT,
            "created": _now(),
            "source": str(self.dataset.sources.get("use_cases", "")),
            "department": self.department,
            "status": self.status,
            "use_cases": list(self.items["use_case_id"]),
            "min_votes": self.min_votes,
            "token": self.token,
            "view_key": self.view_key,
            "join_code": self.join_code,
        }
        write_text_atomic(self.out / "session.json", json.dumps(session, indent=2) + "\n")
        os.chmod(self.out / "session.json", 0o600)  # it holds the facilitator token
        self._votes_fh = self._open_log("votes.csv", VOTE_COLUMNS, new=True)
        self._events_fh = self._open_log("events.csv", EVENT_COLUMNS, new=True)

    def _open_log(self, name: str, columns: tuple[str, ...], *, new: bool):
        path = self.out / name
        fh = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115 (held open)
        if new or path.stat().st_size == 0:
            _fsync_append(fh, [list(columns)])
        return fh

    def _resume(self, use_cases, min_votes) -> None:
        path = self.out / "session.json"
        if not path.exists():
            raise WorkshopSessionError(
                f"{self.out} holds no workshop session to resume (session.json is missing). "
                "Check --out, or start a new session without --resume."
            )
        try:
            session = json.loads(path.read_text(encoding="utf-8"))
            ids = [str(i) for i in session["use_cases"]]
            stored_min = int(session["min_votes"])
            self.token, self.view_key = str(session["token"]), str(session["view_key"])
            self.join_code = str(session["join_code"])
        except (ValueError, KeyError, TypeError) as exc:
            raise WorkshopSessionError(
                f"{path}: not a readable workshop session ({exc}). Restore the file from the "
                "session folder's backup, or start a new session in another folder."
            ) from exc
        problems = []
        asked = _as_list(use_cases)
        if asked is not None and asked != ids:
            problems.append(
                f"--use-case {','.join(asked)} differs from the session's {','.join(ids)}"
            )
        for name, given in (("department", self.department), ("status", self.status)):
            if given is not None and given != session.get(name):
                problems.append(
                    f"--{name} {given!r} differs from the session's {session.get(name)!r}"
                )
        if min_votes is not None and min_votes != stored_min:
            problems.append(f"--min-votes {min_votes} differs from the session's {stored_min}")
        register = self.dataset.use_cases
        missing = [i for i in ids if i not in set(register["use_case_id"])]
        if missing:
            problems.append(
                f"use case {', '.join(map(repr, missing))} of the session is no longer in "
                f"the register {self.dataset.sources.get('use_cases', '')}"
            )
        if problems:
            raise WorkshopSessionError(
                f"Cannot resume the session in {self.out}:\n- "
                + "\n- ".join(problems)
                + "\nResume without those options (the session keeps its own), "
                "or start a new session in another folder."
            )
        self.department = session.get("department")
        self.status = session.get("status")
        frame = register.set_index("use_case_id", drop=False).loc[ids]
        self.items = _items(frame)
        self._ids = set(ids)
        self.min_votes = stored_min
        votes = _read_log(self.out / "votes.csv", VOTE_COLUMNS)
        events = _read_log(self.out / "events.csv", EVENT_COLUMNS)
        self._replay(votes, events)
        self._votes_fh = self._open_log("votes.csv", VOTE_COLUMNS, new=False)
        self._events_fh = self._open_log("events.csv", EVENT_COLUMNS, new=False)

    def _replay(self, votes: list[dict], events: list[dict]) -> None:
        pending = list(events)
        for row in votes:
            while pending and self._after(pending[0]) <= self._vote_rows:
                self._apply_event(pending.pop(0))
            where = f"{self.out / 'votes.csv'}, line {row['line']}"
            try:
                impact, effort = self._scores(int(row["impact"]), int(row["effort"]))
                self._check_participant(row["session"])
            except ValueError as exc:
                raise WorkshopSessionError(f"{where}: {exc}") from None
            if row["use_case_id"] not in self._ids:
                raise WorkshopSessionError(
                    f"{where}: use case {row['use_case_id']!r} is not in the session."
                )
            self._record(row["session"], row["use_case_id"], impact, effort, row["time"])
            self._vote_rows += 1
        for event in pending:
            self._apply_event(event)

    def _after(self, event: dict) -> int:
        try:
            return int(event["after_votes"])
        except ValueError:
            raise WorkshopSessionError(
                f"{self.out / 'events.csv'}, line {event['line']}: after_votes "
                f"{event['after_votes']!r} is not a whole number."
            ) from None

    def _apply_event(self, event: dict) -> None:
        action, uc = event["action"], event["use_case_id"] or None
        if action not in ACTIONS or (uc is not None and uc not in self._ids):
            raise WorkshopSessionError(
                f"{self.out / 'events.csv'}, line {event['line']}: unknown action "
                f"{action!r} or use case {uc!r}."
            )
        self._apply(action, uc)

    # --- the participants' side -----------------------------------------------------------
    @staticmethod
    def new_participant() -> str:
        """A new anonymous participant id: 32 random hex digits, nothing else."""
        return secrets.token_hex(16)

    @staticmethod
    def is_participant(session: object) -> bool:
        """Whether ``session`` looks like an id of :meth:`new_participant`
        (32 lowercase hex digits): a cookie is checked with it before use."""
        return isinstance(session, str) and _SESSION_RE.fullmatch(session) is not None

    @staticmethod
    def _check_participant(session: str) -> None:
        if not Board.is_participant(session):
            raise ValueError(
                f"participant id {session!r} is not 32 lowercase hex digits; "
                "use Board.new_participant()."
            )

    @staticmethod
    def _scores(impact: object, effort: object) -> tuple[int, int]:
        def whole(value: object) -> bool:
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                return False
            return math.isfinite(value) and float(value).is_integer() and int(value) in SCORES

        bad = [
            f"{name} {value!r}"
            for name, value in (("impact", impact), ("effort", effort))
            if not whole(value)
        ]
        if bad:
            raise ValueError(f"{' and '.join(bad)}: scores are whole numbers from 1 to 5.")
        return int(impact), int(effort)  # type: ignore[arg-type]

    def vote(self, session: str, use_case_id: str, impact: int, effort: int) -> Snapshot:
        """Record a participant's scores for a use case; a re-vote replaces the earlier one.

        Returns only after the vote is on disk (appended to ``votes.csv``,
        flushed and fsynced), so an acknowledged vote survives any crash.

        Raises
        ------
        VotingClosed
            Voting is closed or ended, or in step mode ``use_case_id`` is not
            the current use case.
        KeyError
            ``use_case_id`` is not in the session.
        ValueError
            A score is not a whole number 1–5, or the participant id is malformed.
        """
        self._check_participant(session)
        impact, effort = self._scores(impact, effort)
        if use_case_id not in self._ids:
            raise KeyError(f"use case {use_case_id!r} is not in this workshop session")
        with self._lock:
            if self._ended or not self._open:
                raise VotingClosed("voting is closed")
            if self._current is not None and use_case_id != self._current:
                raise VotingClosed(f"only {self._current!r} is open for votes now")
            time = _now()
            _fsync_append(self._votes_fh, [[session, use_case_id, impact, effort, time]])
            self._vote_rows += 1
            self._record(session, use_case_id, impact, effort, time)
            snap = self._changed()
        self._notify(snap)
        return snap

    def _record(self, session: str, uc: str, impact: int, effort: int, time: str) -> None:
        self._seq += 1
        self._votes.pop((session, uc), None)  # a re-vote moves to the end of the order
        self._votes[(session, uc)] = _Vote(impact, effort, time, self._seq)
        self._version += 1

    def my_votes(self, session: str) -> dict[str, tuple[int, int]]:
        """The participant's current votes: use_case_id -> (impact, effort)."""
        with self._lock:
            return {uc: (v.impact, v.effort) for (s, uc), v in self._votes.items() if s == session}

    # --- the facilitator's side ------------------------------------------------------------
    def check_token(self, token: object) -> bool:
        """Whether ``token`` is the facilitator token (constant-time)."""
        return isinstance(token, str) and hmac.compare_digest(token.encode(), self.token.encode())

    def check_view_key(self, key: object) -> bool:
        """Whether ``key`` is the projector key (constant-time)."""
        return isinstance(key, str) and hmac.compare_digest(key.encode(), self.view_key.encode())

    def check_code(self, code: object) -> bool:
        """Whether ``code`` is the join code (case, spaces and dashes ignored)."""
        if not isinstance(code, str):
            return False
        typed = re.sub(r"[\s\-]", "", code).upper()
        return hmac.compare_digest(typed.encode(), self.join_code.encode())

    def control(self, action: str, *, token: str, use_case_id: str | None = None) -> Snapshot:
        """A facilitator action.

        Parameters
        ----------
        action : {"open", "close", "reveal", "hide", "step", "reset", "end"}
            ``step`` shows only ``use_case_id`` to participants (``None``: all
            at once); ``reset`` drops ``use_case_id``'s votes; ``end`` closes
            voting for good.
        token : str
            The facilitator token (:attr:`token`).
        use_case_id : str, default=None
            For ``step`` and ``reset``.

        Raises
        ------
        Refused
            The token is wrong; nothing changes.
        ValueError
            An unknown action or use case, or an action after the end.
        """
        if not self.check_token(token):
            raise Refused("this action needs the facilitator token")
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
        if action == "reset" and use_case_id is None:
            raise ValueError("reset needs the use case whose votes to drop")
        if action not in ("step", "reset") and use_case_id is not None:
            raise ValueError(f"{action} takes no use case")
        if use_case_id is not None and use_case_id not in self._ids:
            raise ValueError(f"use case {use_case_id!r} is not in this workshop session")
        with self._lock:
            if self._ended and action in ("open", "step", "reset"):
                raise ValueError(f"the session has ended; {action} is no longer possible")
            row = [self._vote_rows, action, use_case_id or "", _now()]
            _fsync_append(self._events_fh, [row])
            self._apply(action, use_case_id)
            snap = self._changed()
        self._notify(snap)
        return snap

    def _apply(self, action: str, uc: str | None) -> None:
        if action == "open":
            self._open = True
        elif action == "close":
            self._open = False
        elif action == "reveal":
            self._revealed = True
        elif action == "hide":
            self._revealed = False
        elif action == "step":
            self._current = uc
        elif action == "reset":
            for key in [k for k in self._votes if k[1] == uc]:
                del self._votes[key]
        elif action == "end":
            self._ended, self._open = True, False
        self._version += 1

    # --- reading the state ------------------------------------------------------------------
    def results(self) -> pd.DataFrame:
        """The room's scores per use case, in :attr:`items` order.

        Returns
        -------
        DataFrame
            ``use_case_id``, ``title``, ``votes``, ``impact``, ``effort``
            (means), ``impact_sd``, ``effort_sd`` (sample SD, NaN for one
            vote) and ``shown`` (``votes >= min_votes``). Means and SDs are
            NaN where not shown: they never leave the board below the
            threshold.
        """
        with self._lock:
            return self._results()

    def _results(self) -> pd.DataFrame:
        scores: dict[str, list[tuple[int, int]]] = {uc: [] for uc in self.items["use_case_id"]}
        for (_, uc), v in self._votes.items():
            scores[uc].append((v.impact, v.effort))
        rows = []
        for uc, title in zip(self.items["use_case_id"], self.items["title"], strict=True):
            got = scores[uc]
            shown = len(got) >= self.min_votes
            stats = [math.nan] * 4
            if shown:
                imp, eff = [g[0] for g in got], [g[1] for g in got]
                stats = [
                    statistics.fmean(imp),
                    statistics.fmean(eff),
                    statistics.stdev(imp) if len(imp) > 1 else math.nan,
                    statistics.stdev(eff) if len(eff) > 1 else math.nan,
                ]
            rows.append([uc, title, len(got), *stats, shown])
        frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
        return frame.astype({"votes": "int64", "shown": "bool"})

    def votes(self) -> pd.DataFrame:
        """The votes that count: one row per participant and use case, in the
        order they were cast (``session, use_case_id, impact, effort, time``)."""
        with self._lock:
            ordered = sorted(self._votes.items(), key=lambda kv: kv[1].seq)
            rows = [[s, uc, v.impact, v.effort, v.time] for (s, uc), v in ordered]
        return pd.DataFrame(rows, columns=list(VOTE_COLUMNS)).astype(
            {"session": "str", "use_case_id": "str", "impact": "int64", "effort": "int64"}
        )

    def snapshot(self) -> Snapshot:
        """The state now (see :class:`Snapshot`)."""
        with self._lock:
            return self._snap()

    def _snap(self) -> Snapshot:
        if self._snapshot is None or self._snapshot.version != self._version:
            self._snapshot = Snapshot(
                version=self._version,
                open=self._open,
                revealed=self._revealed,
                current=self._current,
                ended=self._ended,
                votes=len(self._votes),
                participants=len({s for s, _ in self._votes}),
                results=self._results(),
            )
        return self._snapshot

    def _changed(self) -> Snapshot:
        return self._snap()

    def subscribe(self, fn: Callable[[Snapshot], None]) -> Callable[[], None]:
        """Call ``fn(snapshot)`` after every change; returns the function that stops it.

        ``fn`` runs in the thread that made the change, outside the board's
        lock, and must not block: a view schedules its own update (e.g. with
        its document's ``add_next_tick_callback``). Notifications from
        several threads may arrive out of order: compare ``snapshot.version``.
        """
        with self._lock:
            self._listeners.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._listeners:
                    self._listeners.remove(fn)

        return unsubscribe

    def _notify(self, snap: Snapshot) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for fn in listeners:
            fn(snap)

    # --- the end ----------------------------------------------------------------------------
    def export(self) -> dict[str, Path]:
        """Write the session's export into :attr:`out`: the votes that count,
        a copy of the register with the room's means and a one-page summary.

        Returns
        -------
        dict
            Name -> path of each file written (``votes.csv``, the full log,
            is already there and listed too).
        """
        from .export import export_session

        return export_session(self)

    def show(self):
        """The board as a Panel layout (projector and facilitator controls),
        for JupyterLab: ``Board(data).show()``."""
        from .app import board_view

        return board_view(self)

    def close(self) -> None:
        """Close the log files (votes already on disk stay there)."""
        with self._lock:
            for fh in (self._votes_fh, self._events_fh):
                if not fh.closed:
                    fh.close()

    def __enter__(self) -> Board:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        snap = self.snapshot()
        return (
            f"Board({len(self.items)} use cases, {snap.votes} votes, "
            f"{snap.participants} participants, out={str(self.out)!r})"
        )
