"""The study config (``cxkit.toml``): what each column means and how answers are coded.

Example::

    [columns]
    id = "respondent_id"
    role = "role"
    weight = "weight"
    wave = "wave"
    segment = "region"

    [roles]
    self = ["executive", "employee"]
    customer = ["customer"]

    [scale]
    min = 1
    max = 5
    agree = 4            # answers >= 4 count as agreeing (top-2 box)

    [answers]
    missing = ["Don't know", 99]
    [answers.labels]
    "Strongly disagree" = 1
    "Strongly agree" = 5

    [pillars]
    sa = "Strategic alignment"

    [items.sa_1]
    pillar = "sa"
    label = "Our strategy is built around customers' needs"
    reverse = false

    [multi]             # options of multi-select answers joined in one cell
    q5 = ["Budget restrictions", "Time, staff and skills"]

Every key is checked: an unknown key, a wrong type or a dangling reference is a
:class:`~cxkit.errors.ConfigError` naming the file and the key.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError, UsageError

CONFIG_NAME = "cxkit.toml"

#: Common English answer labels, used when the config gives none (matched case-insensitively).
BUILTIN_LABELS: dict[str, float] = {
    "strongly disagree": 1,
    "disagree": 2,
    "somewhat disagree": 2,
    "neither agree nor disagree": 3,
    "neutral": 3,
    "somewhat agree": 4,
    "agree": 4,
    "strongly agree": 5,
}

#: Answers that mean "no answer" unless the config says otherwise.
BUILTIN_MISSING: tuple[str, ...] = (
    "don't know",
    "dont know",
    "dk",
    "n/a",
    "na",
    "not applicable",
    "prefer not to say",
    "refused",
)

#: Numeric answers that mean "no answer" when they lie outside the scale.
BUILTIN_MISSING_NUMBERS: tuple[float, ...] = (-999.0, -99.0, -9.0, 98.0, 99.0, 999.0)

_DEFAULT_SELF = ("executive", "employee")
_DEFAULT_CUSTOMER = ("customer",)


def normalise_label(text: str) -> str:
    """Case-fold, straighten curly quotes and collapse spaces, for label matching.

    >>> normalise_label("  Don\u2019t   Know ")
    "don't know"
    """
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u00a0", " ")
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Scale:
    """An answer scale and what counts as agreeing (answers ``>= agree``)."""

    min: float = 1.0
    max: float = 5.0
    agree: float | None = None

    @property
    def agree_at(self) -> float:
        """The agree threshold: given, else top-2 box (9-10 on a 0-10 scale)."""
        if self.agree is not None:
            return self.agree
        if self.min == 0 and self.max == 10:
            return 9.0
        return self.max - 1.0

    def describe(self) -> str:
        return f"{_fmt(self.min)}-{_fmt(self.max)}, agree = answers >= {_fmt(self.agree_at)}"

    def check_agree(self, agree: float) -> None:
        """Raise :class:`~cxkit.errors.UsageError` unless ``min < agree <= max`` (an
        ``--agree`` at the minimum would count every answer as agreeing)."""
        if not self.min < agree <= self.max:
            lo, hi = _fmt(self.min), _fmt(self.max)
            raise UsageError(
                f"--agree {agree:g} must lie in ({lo}, {hi}]: above the scale's minimum {lo} "
                f"(answers >= it count as agreeing) and at most its maximum {hi}"
            )


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class ItemSpec:
    """One rated statement: its pillar, question label and whether it is reverse-coded."""

    name: str
    pillar: str | None = None
    label: str | None = None
    reverse: bool = False


@dataclass
class Study:
    """Everything ``cxkit.toml`` says about a study; every field has a usable default."""

    id_col: str | None = None
    role_col: str | None = None
    weight_col: str | None = None
    wave_col: str | None = None
    segment_col: str | None = None
    self_roles: tuple[str, ...] | None = None
    customer_roles: tuple[str, ...] | None = None
    scale: Scale | None = None
    labels: dict[str, float] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    items: dict[str, ItemSpec] = field(default_factory=dict)
    pillars: dict[str, str] = field(default_factory=dict)
    reverse: tuple[str, ...] = ()
    checks: list[dict[str, Any]] = field(default_factory=list)
    check_settings: dict[str, Any] = field(default_factory=dict)
    obstacles: dict[str, Any] = field(default_factory=dict)
    multi: dict[str, tuple[str, ...]] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    sha256: str | None = None

    def label_map(self) -> dict[str, float]:
        """Normalised text label -> code: the config's labels, else the built-in set."""
        src = self.labels or BUILTIN_LABELS
        return {normalise_label(k): float(v) for k, v in src.items()}

    def missing_set(self) -> set[str]:
        """Normalised answers that mean "no answer" (config plus built-in)."""
        return {normalise_label(m) for m in (*BUILTIN_MISSING, *self.missing)}

    def default_self(self) -> tuple[str, ...]:
        return self.self_roles or _DEFAULT_SELF

    def default_customer(self) -> tuple[str, ...]:
        return self.customer_roles or _DEFAULT_CUSTOMER

    def is_reverse(self, item: str) -> bool:
        spec = self.items.get(item)
        return item in self.reverse or bool(spec and spec.reverse)


_TOP_KEYS = {
    "columns",
    "roles",
    "scale",
    "answers",
    "pillars",
    "items",
    "check",
    "checks",
    "obstacles",
    "multi",
    "report",
}
_COLUMN_KEYS = {"id", "role", "weight", "wave", "segment"}
_ITEM_KEYS = {"pillar", "label", "reverse"}


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}: {key}: {problem}")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a table ([{key}]), not {type(value).__name__}")
        return value

    def known(self, table: dict[str, Any], allowed: set[str], key: str) -> None:
        for k in table:
            if k not in allowed:
                where = f"{key}.{k}" if key else k
                raise self.fail(where, f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value

    def number(self, value: Any, key: str) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(key, f"must be a finite number, not {value!r}")
        return float(value)

    def strings(self, value: Any, key: str, *, allow_numbers: bool = False) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, "must be a list of strings")
        out = []
        for v in value:
            if allow_numbers and isinstance(v, int | float) and not isinstance(v, bool):
                out.append(_fmt(v))
            elif isinstance(v, str):
                out.append(v)
            else:
                raise self.fail(key, f"must hold strings{' or numbers' if allow_numbers else ''}")
        return tuple(out)


def parse_study(doc: dict[str, Any], path: str = CONFIG_NAME) -> Study:
    """Validate a parsed TOML document and build a :class:`Study`.

    Raises
    ------
    ConfigError
        Naming the file and the offending key.
    """
    c = _Checker(path)
    c.known(doc, _TOP_KEYS, "")
    st = Study(path=path)

    cols = c.table(doc.get("columns", {}), "columns")
    c.known(cols, _COLUMN_KEYS, "columns")
    st.id_col = c.string(cols["id"], "columns.id") if "id" in cols else None
    st.role_col = c.string(cols["role"], "columns.role") if "role" in cols else None
    st.weight_col = c.string(cols["weight"], "columns.weight") if "weight" in cols else None
    st.wave_col = c.string(cols["wave"], "columns.wave") if "wave" in cols else None
    st.segment_col = c.string(cols["segment"], "columns.segment") if "segment" in cols else None

    roles = c.table(doc.get("roles", {}), "roles")
    c.known(roles, {"self", "customer"}, "roles")
    if "self" in roles:
        st.self_roles = c.strings(roles["self"], "roles.self")
    if "customer" in roles:
        st.customer_roles = c.strings(roles["customer"], "roles.customer")
    if st.self_roles and st.customer_roles:
        both = {r.casefold() for r in st.self_roles} & {r.casefold() for r in st.customer_roles}
        if both:
            raise c.fail("roles", f"{sorted(both)} listed as both self and customer")

    if "scale" in doc:
        sc = c.table(doc["scale"], "scale")
        c.known(sc, {"min", "max", "agree"}, "scale")
        lo = c.number(sc.get("min", 1), "scale.min")
        hi = c.number(sc.get("max", 5), "scale.max")
        if hi <= lo:
            raise c.fail("scale", f"max ({_fmt(hi)}) must be above min ({_fmt(lo)})")
        agree = c.number(sc["agree"], "scale.agree") if "agree" in sc else None
        if agree is not None and not lo < agree <= hi:
            raise c.fail("scale.agree", f"must lie in ({_fmt(lo)}, {_fmt(hi)}], not {_fmt(agree)}")
        st.scale = Scale(lo, hi, agree)

    answers = c.table(doc.get("answers", {}), "answers")
    c.known(answers, {"labels", "missing"}, "answers")
    labels = c.table(answers.get("labels", {}), "answers.labels")
    st.labels = {k: c.number(v, f"answers.labels.{k!r}") for k, v in labels.items()}
    st.missing = c.strings(answers.get("missing", []), "answers.missing", allow_numbers=True)

    pillars = c.table(doc.get("pillars", {}), "pillars")
    st.pillars = {k: c.string(v, f"pillars.{k}") for k, v in pillars.items()}

    checks = doc.get("check", [])
    if not isinstance(checks, list) or not all(isinstance(x, dict) for x in checks):
        raise c.fail("check", "must be an array of tables: [[check]]")
    st.checks = checks  # validated by cxkit.check_config, which knows the kinds
    st.check_settings = c.table(doc.get("checks", {}), "checks")

    items = c.table(doc.get("items", {}), "items")
    for name, spec in items.items():
        key = f"items.{name}"
        spec = c.table(spec, key)
        c.known(spec, _ITEM_KEYS, key)
        pillar = c.string(spec["pillar"], f"{key}.pillar") if "pillar" in spec else None
        if pillar is not None and pillar not in st.pillars:
            known = ", ".join(sorted(st.pillars)) or "none defined"
            raise c.fail(f"{key}.pillar", f"{pillar!r} is not in [pillars] ({known})")
        label = c.string(spec["label"], f"{key}.label") if "label" in spec else None
        reverse = spec.get("reverse", False)
        if not isinstance(reverse, bool):
            raise c.fail(f"{key}.reverse", "must be true or false")
        st.items[name] = ItemSpec(name, pillar, label, reverse)
    # [obstacles] belongs to `cxkit obstacles`, which validates its keys (cxkit.rankings)
    st.obstacles = c.table(doc.get("obstacles", {}), "obstacles")
    multi = c.table(doc.get("multi", {}), "multi")
    st.multi = {k: c.strings(v, f"multi.{k}") for k, v in multi.items()}
    # [report] belongs to `cxkit report`, which validates its keys (cxkit.report)
    st.report = c.table(doc.get("report", {}), "report")
    return st


def load_study(path: str | Path) -> Study:
    """Read and validate a ``cxkit.toml`` file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found; check --config") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    st = parse_study(doc, str(path))
    st.sha256 = hashlib.sha256(data).hexdigest()
    return st


def find_config(explicit: str | Path | None, near: str | Path | None = None) -> Path | None:
    """The config to use: ``explicit``, else ``./cxkit.toml``, else one beside ``near``."""
    if explicit is not None:
        return Path(explicit)
    here = Path.cwd() / CONFIG_NAME
    if here.is_file():
        return Path(CONFIG_NAME)
    if near is not None and str(near) != "-":
        beside = Path(near).parent / CONFIG_NAME
        if beside.is_file():
            return beside
    return None
