"""Which survey wave goes with a use case: kept for compatibility, the rules
live in :mod:`aiadopt.timeline`."""

from __future__ import annotations

from .timeline import NO_WAVE, month_ordinals, wave_at_start, waves_up_to

__all__ = ["NO_WAVE", "month_ordinals", "waves_up_to", "wave_at_start"]
