"""Canonical names of the input tables (docs/metrics.md §1).

Every other module refers to columns and category values through this
module, so a rename happens in one place.
"""

from __future__ import annotations

__all__ = [
    "COMPETENCIES",
    "CULTURE_TRAITS",
    "PILLARS",
    "SCALE_FAMILIES",
    "STATUSES",
    "GOALS",
    "ROLES",
    "FREQUENCIES",
    "SKILL_LEVELS",
    "PHASES",
    "USE_CASE_COLUMNS",
    "USE_CASE_REQUIRED",
    "PROCESS_COLUMNS",
    "SURVEY_REQUIRED",
    "SURVEY_OPTIONAL",
    "TABLES",
    "scale_column",
]

#: The seven competencies of AI-competent leaders (seed 002), in report order.
COMPETENCIES: tuple[str, ...] = (
    "strategic",
    "data",
    "ethics",
    "change",
    "prompting",
    "hybrid",
    "learning",
)
#: The five AI-first culture traits (seed 000).
CULTURE_TRAITS: tuple[str, ...] = (
    "experimentation",
    "ownership",
    "feedback",
    "learning",
    "transparency",
)
#: The four pillars (seed 003).
PILLARS: tuple[str, ...] = ("leadership", "skills", "human", "strategic")

#: Scale family -> (item column prefix, keys).
SCALE_FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "competency": ("comp", COMPETENCIES),
    "culture": ("culture", CULTURE_TRAITS),
    "pillar": ("pillar", PILLARS),
}

STATUSES: tuple[str, ...] = ("idea", "pilot", "production", "scaled", "stopped")
GOALS: tuple[str, ...] = ("personal", "operational", "strategic")
ROLES: tuple[str, ...] = ("leader", "employee")
#: Ordered from least to most frequent.
FREQUENCIES: tuple[str, ...] = ("never", "monthly", "weekly", "daily")
SKILL_LEVELS: tuple[str, ...] = ("user", "connector", "specialist")
#: team_phase 1..5 (seed 000).
PHASES: dict[int, str] = {
    1: "unaware",
    2: "waiting",
    3: "trying",
    4: "learning",
    5: "embedded",
}

USE_CASE_REQUIRED: tuple[str, ...] = (
    "use_case_id",
    "title",
    "department",
    "team",
    "goal",
    "status",
    "impact",
    "effort",
    "feasibility",
    "urgency",
    "start_date",
    "investment_eur",
)
USE_CASE_OPTIONAL: tuple[str, ...] = (
    "process",
    "repetition",
    "data_intensity",
    "error_sensitivity",
    "decision_date",
    "first_impact_date",
    "annual_benefit_eur",
)
USE_CASE_COLUMNS: tuple[str, ...] = USE_CASE_REQUIRED + USE_CASE_OPTIONAL

PROCESS_COLUMNS: tuple[str, ...] = ("department", "process", "core")

SURVEY_REQUIRED: tuple[str, ...] = (
    "respondent_id",
    "wave",
    "department",
    "team",
    "role",
)
SURVEY_OPTIONAL: tuple[str, ...] = (
    "ai_use_frequency",
    "ai_skill_level",
    "ai_training_done",
    "team_phase",
)

#: Table name -> default file stem in a data folder.
TABLES: tuple[str, ...] = ("use_cases", "processes", "survey")


def scale_column(family: str, key: str) -> str:
    """Name of the scale-score column of ``key`` in ``family``.

    Examples
    --------
    >>> scale_column("competency", "change")
    'comp_change'
    """
    prefix, keys = SCALE_FAMILIES[family]
    if key not in keys:
        raise ValueError(f"unknown {family} key {key!r}; expected one of {keys}")
    return f"{prefix}_{key}"
