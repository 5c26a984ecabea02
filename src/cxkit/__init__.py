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

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import ConfigError, CxkitError, InputError, OutputError, UsageError

if TYPE_CHECKING:
    from .gap import gap
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
    "read_survey",
]

_LAZY = {
    "gap": ("gap", "gap"),
    "read_survey": ("survey", "read_survey"),
    "Survey": ("survey", "Survey"),
    "SurveySpec": ("survey", "SurveySpec"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'cxkit' has no attribute {name!r}")
