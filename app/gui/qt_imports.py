"""Keep Qt for Python from reading the source of every module imported after it.

Once ``PySide6`` is loaded it wraps ``__import__``; after each import it reads the new
module's whole source text (``inspect.getsource``) to learn whether the module names PySide6,
so that ``from __feature__ import snake_case`` could apply to it. Assay never uses those
features, and the source scan costs about a tenth of the time it takes to import the database
layers. Every module is marked as not using the features, which is what the bundled app
already gets: it ships compiled modules without sources, so the scan finds none.
"""

from __future__ import annotations

import logging
import sys
from types import ModuleType

logger = logging.getLogger(__name__)

_FEATURE_MODULE = "shibokensupport.feature"


def _uses_no_feature(module: ModuleType) -> bool:
    """Say that ``module`` uses no Qt for Python feature, without reading its source."""
    return False


def skip_source_scan() -> bool:
    """Stop the per-import source scan of Qt for Python; return whether it was found.

    Call it after PySide6 is imported. A PySide6 without the scan is left as it is.
    """
    feature = sys.modules.get(_FEATURE_MODULE)
    if feature is None or not hasattr(feature, "_mod_uses_pyside"):
        logger.debug("no Qt for Python source scan to skip")
        return False
    feature._mod_uses_pyside = _uses_no_feature  # noqa: SLF001 - the one switch it offers
    return True
