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
    from .gap import gap
    from .obstacles import obstacles
    from .read import read_table
    from .survey import Survey, SurveySpec, read_survey

__all__ = [
    "ConfigError",
    "CxkitError",
    "InputError",
    "OutputError",
    "Survey",
    "SurveySpec",
    "UsageError",
    "__version__",
    "gap",
    "obstacles",
    "read_survey",
    "read_table",
]

_LAZY = {
    "gap": ("gap", "gap"),
    "obstacles": ("obstacles", "obstacles"),
    "read_table": ("read", "read_table"),
    "read_survey": ("survey", "read_survey"),
    "Survey": ("survey", "Survey"),
    "SurveySpec": ("survey", "SurveySpec"),
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
