"""ROI of a use case (docs/metrics.md §2): the one definition every analysis uses."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["compute_roi"]


def compute_roi(use_cases: pd.DataFrame) -> np.ndarray:
    """ROI = (annual_benefit_eur − investment_eur) / investment_eur.

    Undefined (NaN) where the investment is 0 or missing, or the benefit is
    unknown.

    Examples
    --------
    >>> import pandas as pd
    >>> compute_roi(pd.DataFrame({"investment_eur": [100.0, 0.0, 50.0],
    ...                           "annual_benefit_eur": [250.0, 10.0, None]}))
    array([1.5, nan, nan])
    """
    investment = use_cases["investment_eur"].to_numpy(dtype=float)
    benefit = use_cases["annual_benefit_eur"].to_numpy(dtype=float)
    defined = np.isfinite(investment) & (investment > 0) & np.isfinite(benefit)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(defined, (benefit - investment) / investment, np.nan)
