"""A copy of the sample organisation with hostile names, for the output-safety tests.

Department ``Finance`` becomes :data:`DOLLAR_DEPT`; two of its teams become
:data:`DOLLAR_TEAM` and :data:`LONG_TEAM` (10,000 characters); one use case
gets the id :data:`DOLLAR_ID` and another :data:`LONG_ID`; use-case titles
start like spreadsheet formulas.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"

DOLLAR_DEPT = "Finance $x_1_2$"
DOLLAR_TEAM = "Sales_$x_1_2$ team"
LONG_TEAM = "Crediteuren " + "x" * (10_000 - len("Crediteuren "))
DOLLAR_ID = "UC-$x_1_2$"
LONG_ID = "UC-" + "9" * 5_000
TEAMS = {"Finance Control": DOLLAR_TEAM, "Finance Crediteuren": LONG_TEAM}


def hostile_folder(target: Path) -> Path:
    """Write the renamed sample organisation to ``target`` and return it."""
    shutil.copytree(SAMPLE, target)
    for name in ("use_cases", "processes", "survey"):
        path = target / f"{name}.csv"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["department"] = frame["department"].replace({"Finance": DOLLAR_DEPT})
        if "team" in frame:
            frame["team"] = frame["team"].replace(TEAMS)
        if name == "use_cases":
            finance = frame.index[frame["department"] == DOLLAR_DEPT]
            frame.loc[finance[0], "use_case_id"] = DOLLAR_ID
            frame.loc[finance[1], "use_case_id"] = LONG_ID
            frame["title"] = "=" + frame["title"]
        frame.to_csv(path, index=False)
    return target
