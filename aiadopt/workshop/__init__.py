"""Live workshops: the room scores use cases on impact and effort, and the
impact-effort matrix on the wall shows where each lands (docs/workshop.md).

:class:`Board` holds the state of one session; the Panel views are in
:mod:`aiadopt.workshop.app` (``pip install aiadopt[workshop]``).
"""

from .board import (
    DEFAULT_MIN_VOTES,
    Board,
    Refused,
    Snapshot,
    VotingClosed,
    WorkshopSessionError,
)

__all__ = [
    "DEFAULT_MIN_VOTES",
    "Board",
    "Refused",
    "Snapshot",
    "VotingClosed",
    "WorkshopSessionError",
]
