"""The presentation layer: every word and number a reader sees.

Submodules are imported where they are used (``from aiadopt.present.formats
import Formatter``), so importing this package stays cheap.
"""

__all__: list[str] = []
