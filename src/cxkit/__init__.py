"""cxkit: voice-of-customer survey analysis.

The Python API gives the same numbers as the command line::

    import cxkit
    survey = cxkit.read_survey("examples/centricity_survey.csv")
    result = cxkit.gap(survey)
    result.table      # tidy DataFrame
    result.headline   # one-line summary

Heavy modules load on first use, so ``import cxkit`` stays cheap.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import ConfigError, CxkitError, InputError, OutputError, UsageError

if TYPE_CHECKING:
    from .drivers import drivers
    from .gap import gap
    from .metrics import metric
    from .nps import nps
    from .obstacles import obstacles
    from .read import read_table
    from .roi import roi
    from .roi_data import AccountSpec, read_accounts
    from .roi_survey import panel_from_survey
    from .survey import Survey, SurveySpec, read_survey

__all__ = [
    "AccountSpec",
    "ConfigError",
    "CxkitError",
    "InputError",
    "OutputError",
    "Survey",
    "SurveySpec",
    "UsageError",
    "__version__",
    "drivers",
    "gap",
    "metric",
    "nps",
    "obstacles",
    "panel_from_survey",
    "read_accounts",
    "read_survey",
    "read_table",
    "roi",
]

_LAZY = {
    "gap": ("gap", "gap"),
    "nps": ("nps", "nps"),
    "metric": ("metrics", "metric"),
    "drivers": ("drivers", "drivers"),
    "obstacles": ("obstacles", "obstacles"),
    "read_table": ("read", "read_table"),
    "read_survey": ("survey", "read_survey"),
    "Survey": ("survey", "Survey"),
    "SurveySpec": ("survey", "SurveySpec"),
    "roi": ("roi", "roi"),
    "read_accounts": ("roi_data", "read_accounts"),
    "AccountSpec": ("roi_data", "AccountSpec"),
    "panel_from_survey": ("roi_survey", "panel_from_survey"),
}


class _Package(types.ModuleType):
    """``cxkit.gap`` is the function even after the ``cxkit.gap`` module is imported.

    The import system stores each submodule as an attribute of its package, which would
    shadow a function of the same name; reading the public names through this hook keeps
    the API stable whatever was imported first, and imports heavy modules only on use.
    """

    def __getattribute__(self, name: str) -> Any:
        if name in _LAZY:
            module, attr = _LAZY[name]
            return getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        return super().__getattribute__(name)


sys.modules[__name__].__class__ = _Package
