"""The monthly report pipeline: report sections for the notebooks, and the
runner that executes them with papermill into HTML reports."""

from .sections import COMPLETION_MARK, SECTIONS, Report

__all__ = ["COMPLETION_MARK", "SECTIONS", "Report"]
