"""aiadopt: analytics for organisations adopting AI.

Load an organisation's use-case register, process catalogue and survey, and
compute the adoption KPIs, priorities and the competency-to-ROI model of
docs/metrics.md.
"""

from .codebook import Codebook, load_codebook
from .dataset import Dataset
from .errors import DataValidationError, Problem
from .io import load, load_processes, load_survey, load_use_cases

__version__ = "0.1.0"

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
