"""The organisation's units, defined once: its departments and teams.

A department is *known* when it appears anywhere in the inputs: the use-case
register, the process catalogue or any survey wave. Every function that takes
a ``department=`` checks it against :func:`known_departments`, so a
department that only has core processes is accepted everywhere alike (its
figures are then empty, not an error).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .dataset import Dataset

__all__ = ["check_department", "known_departments", "known_teams"]


def _names(frame: pd.DataFrame, col: str) -> set[str]:
    if col not in frame.columns:
        return set()
    return set(frame[col].dropna().astype(str))


def known_departments(data: Dataset) -> list[str]:
    """Every department of the organisation, sorted by name.

    Parameters
    ----------
    data : Dataset
        The organisation's validated inputs.

    Returns
    -------
    list of str
        The departments of the register, the process catalogue and the
        survey (all waves).

    Examples
    --------
    >>> import pandas as pd
    >>> from aiadopt.dataset import Dataset
    >>> data = Dataset(use_cases=pd.DataFrame({"department": ["IT", "HR"]}),
    ...                processes=pd.DataFrame({"department": ["Legal"]}),
    ...                survey=pd.DataFrame({"department": ["IT", None]}))
    >>> known_departments(data)
    ['HR', 'IT', 'Legal']
    """
    return sorted(
        _names(data.use_cases, "department")
        | _names(data.processes, "department")
        | _names(data.survey, "department")
    )


def known_teams(data: Dataset) -> pd.DataFrame:
    """Every team of the organisation: (department, team) pairs of the
    register and the survey (all waves), sorted. A team is identified by its
    department and its name.

    Examples
    --------
    >>> import pandas as pd
    >>> from aiadopt.dataset import Dataset
    >>> data = Dataset(use_cases=pd.DataFrame({"department": ["IT", "IT"], "team": ["Ops", "Dev"]}),
    ...                processes=pd.DataFrame({"department": ["Legal"]}),
    ...                survey=pd.DataFrame({"department": ["IT", "HR"], "team": ["Ops", "Pay"]}))
    >>> known_teams(data)
      department team
    0         HR  Pay
    1         IT  Dev
    2         IT  Ops
    """
    frames = [
        f[["department", "team"]].astype(object)
        for f in (data.use_cases, data.survey)
        if {"department", "team"} <= set(f.columns)
    ]
    if not frames:
        return pd.DataFrame(
            {"department": pd.Series(dtype=object), "team": pd.Series(dtype=object)}
        )
    teams = pd.concat(frames, ignore_index=True).dropna().drop_duplicates()
    teams = teams.astype(str).sort_values(["department", "team"], kind="mergesort")
    return teams.reset_index(drop=True)


def check_department(data: Dataset, department: str | None) -> str | None:
    """``department`` if it is one of :func:`known_departments` (None passes).

    Raises
    ------
    ValueError
        Naming the department and listing the known ones.

    Examples
    --------
    >>> import pandas as pd
    >>> from aiadopt.dataset import Dataset
    >>> data = Dataset(use_cases=pd.DataFrame({"department": ["IT"]}),
    ...                processes=pd.DataFrame({"department": ["Legal"]}),
    ...                survey=pd.DataFrame({"department": []}))
    >>> check_department(data, "Legal")
    'Legal'
    >>> check_department(data, "Sales")
    Traceback (most recent call last):
    ...
    ValueError: unknown department 'Sales'; known departments: IT, Legal
    """
    if department is None:
        return None
    known = known_departments(data)
    if department not in known:
        listed = ", ".join(known) if known else "none (the data holds no department)"
        raise ValueError(f"unknown department {department!r}; known departments: {listed}")
    return department
