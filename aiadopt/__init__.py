"""aiadopt: analytics for organisations adopting AI.

Load an organisation's use-case register, process catalogue and survey, and
compute the adoption KPIs, priorities and the competency-to-ROI model of
docs/metrics.md.

The public names are imported on first use (PEP 562 module ``__getattr__``),
so ``import aiadopt`` and ``aiadopt --help`` do not load pandas:
``aiadopt.load(...)`` and ``from aiadopt import load`` work as usual.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: Public name -> the submodule that defines it.
_LAZY: dict[str, str] = {
    "Codebook": ".codebook",
    "load_codebook": ".codebook",
    "Dataset": ".dataset",
    "DataValidationError": ".errors",
    "Problem": ".errors",
    "load": ".io",
    "load_processes": ".io",
    "load_survey": ".io",
    "load_use_cases": ".io",
}

__all__ = [
    "Codebook",
    "Dataset",
    "DataValidationError",
    "Problem",
    "load",
    "load_codebook",
    "load_processes",
    "load_survey",
    "load_use_cases",
    "__version__",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .codebook import Codebook, load_codebook
    from .dataset import Dataset
    from .errors import DataValidationError, Problem
    from .io import load, load_processes, load_survey, load_use_cases


def __getattr__(name: str):
    """Import a public name from its submodule on first access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aiadopt' has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
