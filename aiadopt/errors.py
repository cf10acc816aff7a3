"""Errors raised for bad input: every problem at once, each one locatable."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

__all__ = ["Problem", "DataValidationError", "MAX_LISTED"]

#: How many locations one message lists per (file, column, rule) before
#: summarising the rest; all of them stay in ``DataValidationError.problems``.
MAX_LISTED = 12


def _blank(value: object) -> bool:
    """No value to quote: None, or an empty cell as read (NaN, pandas' NA)."""
    return value is None or (isinstance(value, float) and value != value) or repr(value) == "<NA>"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    Parameters
    ----------
    file : str
        File name as the user knows it (``survey.csv``).
    rule : str
        What is wrong, short and general (``value not in {never, ...}``);
        problems with the same file, column and rule are reported together.
    fix : str
        What the user should do about it.
    line : str or None
        Where in the file, as the user sees it: ``line 14`` (CSV, counting
        the header as line 1), ``row 14`` (Excel), ``row 13`` (Parquet,
        counting data rows from 1). None for problems of the whole file.
    column : str or None
        The column as named in the file, if the problem is about a column.
    value : object
        The offending value as it appears in the file, if any.
    code : str or None
        A stable name of the rule, for problems that a presentation layer
        words itself (the report's About section shows warnings this way).
    """

    file: str
    rule: str
    fix: str
    line: str | None = None
    column: str | None = None
    value: object = None
    code: str | None = None

    def location(self) -> str:
        parts = [self.file]
        if self.line:
            parts.append(self.line)
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = "" if _blank(self.value) else f": {self.value!r}"
        return f"{self.location()}{value}: {self.rule}. {self.fix}"


class DataValidationError(ValueError):
    """The input data break one or more rules.

    ``problems`` holds every problem found (pandera's ``lazy=True`` idea);
    ``str(error)`` groups them by file, column and rule so that a report of
    thousands of bad cells stays readable.
    """

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("DataValidationError needs at least one problem")
        self.problems = list(problems)
        super().__init__(self._render())

    @property
    def files(self) -> list[str]:
        return sorted({p.file for p in self.problems})

    def _render(self) -> str:
        n = len(self.problems)
        files = self.files
        head = (
            f"{n} problem{'s' if n != 1 else ''} in the input data "
            f"({', '.join(files)}); nothing was written."
        )
        groups: dict[tuple, list[Problem]] = defaultdict(list)
        for p in self.problems:
            groups[(p.file, p.column or "", p.rule, p.fix)].append(p)
        lines = [head]
        for (file, column, rule, fix), probs in groups.items():
            where = f"{file}, column {column!r}" if column else file
            located = [p for p in probs if p.line or not _blank(p.value)]
            if not located:
                lines.append(f"- {where}: {rule}. {fix}")
                continue
            count = (
                f"{len(probs)} value{'s' if len(probs) != 1 else ''}: " if len(probs) > 1 else ""
            )
            shown = []
            for p in located[:MAX_LISTED]:
                bits = [p.line] if p.line else []
                if not _blank(p.value):
                    bits.append(repr(p.value))
                shown.append(" ".join(bits))
            more = len(located) - MAX_LISTED
            tail = f" and {more} more" if more > 0 else ""
            lines.append(f"- {where}: {count}{rule} ({'; '.join(shown)}{tail}). {fix}")
        return "\n".join(lines)
