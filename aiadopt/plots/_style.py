"""Colours shared by every chart, so a category has one colour everywhere."""

from __future__ import annotations

import seaborn as sns

from ..schema import COMPETENCIES, CULTURE_TRAITS, GOALS, PILLARS, SKILL_LEVELS, STATUSES

__all__ = ["PALETTES", "color", "palette", "titled", "NEUTRAL", "HIGHLIGHT", "SUPPRESSED"]

_cb = sns.color_palette("colorblind", 10).as_hex()

NEUTRAL = "#8c8c8c"
HIGHLIGHT = _cb[3]
SUPPRESSED = "#d9d9d9"

PALETTES: dict[str, dict[str, str]] = {
    "goal": dict(zip(GOALS, (_cb[2], _cb[0], _cb[4]), strict=True)),
    "status": dict(zip(STATUSES, (NEUTRAL, _cb[1], _cb[2], _cb[0], _cb[3]), strict=True)),
    "quadrant": {
        "Quick wins": _cb[2],
        "Major projects": _cb[0],
        "Fill-ins": _cb[7],
        "Thankless tasks": _cb[3],
    },
    "competency": dict(zip(COMPETENCIES, _cb[:7], strict=True)),
    "culture": dict(zip(CULTURE_TRAITS, _cb[:5], strict=True)),
    "pillar": dict(zip(PILLARS, _cb[5:9], strict=True)),
    "phase": dict(zip(("1", "2", "3", "4", "5"), sns.color_palette("crest", 5).as_hex(), strict=True)),
    "skill": dict(zip(SKILL_LEVELS, (_cb[0], _cb[1], _cb[2]), strict=True)),
}


def palette(group: str) -> dict[str, str]:
    """Key -> hex colour for a group (``goal``, ``status``, ``quadrant``, ...)."""
    try:
        return dict(PALETTES[group])
    except KeyError:
        raise KeyError(f"no palette {group!r}; expected one of {sorted(PALETTES)}") from None


def color(group: str, key) -> str:
    return PALETTES[group].get(str(key), NEUTRAL)


def titled(ax, title: str, note: str | None = None, *, fontsize="small", pad: float | None = None) -> None:
    """Bold left-aligned title with an optional grey subtitle under it (the
    same look for every chart of the suite)."""
    lines = note.count("\n") + 1 if note else 0
    ax.set_title(title, loc="left", fontweight="bold", pad=pad if pad is not None else 6 + 12 * lines)
    if note:
        ax.annotate(
            note,
            xy=(0, 1),
            xycoords="axes fraction",
            xytext=(0, 4),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=fontsize,
            color="0.3",
        )
