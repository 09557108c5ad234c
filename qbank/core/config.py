"""Settings: ``[tool.qbank]`` in ``pyproject.toml`` or a ``qbank.toml``, then command-line overrides.

The nearest ``qbank.toml`` or ``pyproject.toml`` with a ``[tool.qbank]`` table, walking up from the
bank, is used (``qbank.toml`` wins within one folder). Keys are kebab-case; unknown keys are errors
reported at their line and column.

```toml
[tool.qbank]
blueprint = "questions/dva-c02/blueprint.yaml"
profile = "aws"                      # default | aws | strict
select = ["QB"]                      # codes or prefixes; empty = everything
ignore = ["QB205", {code = "QB607", reason = "no GIFT export"}]
severity = {QB501 = "error"}
exclude = ["questions/drafts/**"]
math = "dollars"                     # dollars | brackets | off

[tool.qbank.per-path-ignores]
"questions/legacy/**" = ["QB2", "QB401"]
```
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qbank.core.diagnostics import Diagnostic, Severity
from qbank.core.fielddocs import describe_fields
from qbank.core.model import MathSyntax

__all__ = [
    "Config",
    "ConfigError",
    "ConfigModel",
    "DupesConfig",
    "Ignore",
    "StatsConfig",
    "find_config",
    "load_config",
]

CodeOrPrefix = Annotated[str, Field(pattern=r"^QB[0-9]{0,3}$")]
Code = Annotated[str, Field(pattern=r"^QB[0-9]{3}$")]
QuestionId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=_kebab,
        populate_by_name=True,
        defer_build=True,  # built on first use, after describe_fields has put the docstrings in
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        describe_fields(cls)


class Ignore(_Section):
    """An ignored code or prefix with the reason it is ignored."""

    code: CodeOrPrefix
    reason: str | None = None


class DupesConfig(_Section):
    """Duplicate detection settings."""

    threshold: float = Field(default=85.0, ge=0, le=100)
    """Whole-item similarity (0-100) at which two questions count as near duplicates."""
    allow: list[Annotated[list[QuestionId], Field(min_length=2)]] = Field(default_factory=list)
    """Intentional variants: groups of question ids never reported as duplicates of each other."""
    meaning: bool = True
    """Also find reworded duplicates: the same key, the same meaning in other words."""
    threshold_meaning: float = Field(default=85.0, ge=0, le=100)
    """Meaning score (0-100: cosine of the stems' embeddings x 100) at which same-key questions
    are reworded duplicates."""


class StatsConfig(_Section):
    """Item statistics settings (``qbank stats``, the QB95x rules, ``assemble --difficulty-balance``)."""

    min_n: int = Field(default=30, ge=1)
    """Fewest respondents behind a figure before it is trusted; below it figures are flagged as unreliable."""
    sidecar: str | None = None
    """Keep statistics in this YAML file (relative to the configuration) instead of the question files."""
    balance_tolerance: float = Field(default=0.02, gt=0, le=1)
    """``assemble --difficulty-balance``: the most the forms' mean facilities may differ."""


class ConfigModel(_Section):
    """The ``[tool.qbank]`` table."""

    model_config = ConfigDict(title="qbank configuration")
    blueprint: str | None = None
    """Path of the blueprint file, relative to the configuration file."""
    bank: str | None = None
    """Folder of the whole bank, relative to the configuration file: ``qbank check FILE...`` reports
    on FILE but judges it against this bank (duplicates in other files, coverage)."""
    profile: Literal["default", "aws", "strict"] = "default"
    """Lint profile: ``aws`` adds the AWS exam's option counts, ``strict`` turns warnings into errors."""
    select: list[CodeOrPrefix] = Field(default_factory=list)
    """Only report these codes or prefixes (empty: all)."""
    ignore: list[CodeOrPrefix | Ignore] = Field(default_factory=list)
    """Never report these codes or prefixes."""
    severity: dict[Code, Severity] = Field(default_factory=dict)
    """Per-code severity overrides."""
    per_path_ignores: dict[str, list[CodeOrPrefix]] = Field(default_factory=dict)
    """Glob (relative to the configuration file) -> codes or prefixes ignored in matching files."""
    exclude: list[str] = Field(default_factory=list)
    """Globs of files that are not part of the bank."""
    math: MathSyntax = "dollars"
    """LaTeX math in Markdown: ``dollars`` reads ``$...$``, ``$$...$$``, ``\\(...\\)`` and ``\\[...\\]``;
    ``brackets`` only the last two (a ``$`` is always text); ``off`` reads no math at all."""
    rules: dict[Code, dict[str, Any]] = Field(default_factory=dict)
    """Per-rule options, e.g. ``[tool.qbank.rules.QB205] max-words = 150``."""
    dupes: DupesConfig = Field(default_factory=DupesConfig)
    stats: StatsConfig = Field(default_factory=StatsConfig)


class ConfigError(Exception):
    """A configuration file could not be used; carries located diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("; ".join(f"{d.location}: {d.message}" for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class Config:
    """Validated settings plus where they came from."""

    model: ConfigModel = field(default_factory=ConfigModel)
    path: Path | None = None
    """The file the settings were read from, or ``None`` for built-in defaults."""

    @property
    def root(self) -> Path:
        """Folder that relative paths in the configuration are resolved against."""
        return self.path.parent if self.path else Path.cwd()

    @property
    def stats_sidecar(self) -> Path | None:
        """The configured statistics sidecar file, resolved."""
        return (self.root / self.model.stats.sidecar) if self.model.stats.sidecar else None

    @property
    def bank_path(self) -> Path | None:
        """The configured bank folder, resolved."""
        return (self.root / self.model.bank) if self.model.bank else None

    @property
    def blueprint_path(self) -> Path | None:
        """The configured blueprint, resolved."""
        return (self.root / self.model.blueprint) if self.model.blueprint else None

    def with_overrides(self, **changes: Any) -> Config:
        """A copy with some settings replaced (command-line options)."""
        data = self.model.model_dump(by_alias=False)
        data.update({k: v for k, v in changes.items() if v is not None})
        return Config(ConfigModel.model_validate(data), self.path)

    def setting_diagnostic(self, message: str, keys: Sequence[str]) -> Diagnostic:
        """A QB014 error located at the setting ``keys`` (e.g. ``("rules", "QB301", "max")``) of the file."""
        shown = str(self.path) if self.path else "<config>"
        line, col = 1, 1
        if self.path is not None:
            try:
                text = self.path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = ""
            prefix = ("tool", "qbank") if self.path.name == "pyproject.toml" else ()
            line, col = _toml_position(text, (*prefix, *keys))
        return _diag(message, shown, line, col)

    def ignored_codes(self) -> list[str]:
        """Codes and prefixes of the ``ignore`` list."""
        return [i.code if isinstance(i, Ignore) else i for i in self.model.ignore]

    def _relative(self, shown: str) -> str:
        path = Path(shown)
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except (ValueError, OSError):
            return path.as_posix()

    def per_path_hits(self, diag: Diagnostic) -> list[tuple[str, str]]:
        """The ``(glob, code)`` entries of ``per-path-ignores`` that silence ``diag`` (empty: none)."""
        per_path = self.model.per_path_ignores
        if not per_path:
            return []
        rel = self._relative(diag.path)
        return [
            (glob, prefix)
            for glob, codes in per_path.items()
            if fnmatch(rel, glob) or fnmatch(diag.path, glob)
            for prefix in codes
            if diag.code.startswith(prefix)
        ]

    def apply(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        """Filter by select/ignore/per-path-ignores and apply severity overrides and the profile."""
        select, ignore = self.model.select, self.ignored_codes()
        per_path = self.model.per_path_ignores
        out: list[Diagnostic] = []
        for diag in diagnostics:
            code = diag.code
            if select and not any(code.startswith(p) for p in select):
                continue
            if any(code.startswith(p) for p in ignore):
                continue
            if per_path and self.per_path_hits(diag):
                continue
            override = self.model.severity.get(code)
            if override is not None:
                diag = diag.with_severity(override)
            elif self.model.profile == "strict" and diag.severity == Severity.WARNING:
                diag = diag.with_severity(Severity.ERROR)
            out.append(diag)
        return out


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The nearest ``qbank.toml`` or ``pyproject.toml`` with ``[tool.qbank]`` at or above ``start``."""
    here = Path(start).resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / "qbank.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                if "qbank" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                    return pyproject
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                return pyproject  # let load_config report what is wrong with it
    return None


def load_config(path: str | os.PathLike[str] | None) -> Config:
    """Read and validate a configuration file (``None`` gives the defaults).

    Raises :class:`ConfigError` with located diagnostics when the file is unusable.
    """
    if path is None:
        return Config()
    path = Path(path)
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([_diag(f"cannot read configuration: {exc}", shown)]) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = _toml_error_position(str(exc))
        raise ConfigError([_diag(f"TOML syntax error: {exc}", shown, line, col)]) from None
    is_pyproject = path.name == "pyproject.toml"
    table = doc.get("tool", {}).get("qbank", {}) if is_pyproject else doc
    prefix: tuple[str, ...] = ("tool", "qbank") if is_pyproject else ()
    if not isinstance(table, dict):
        raise ConfigError([_diag("[tool.qbank] must be a table", shown)])
    try:
        model = ConfigModel.model_validate(table)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            keys = tuple(p for p in err["loc"] if isinstance(p, str))
            line, col = _toml_position(text, (*prefix, *keys))
            what = ".".join(str(p) for p in err["loc"])
            if err["type"] == "extra_forbidden":
                message = f"unknown setting {what!r}"
            else:
                message = f"setting {what!r}: {err['msg']}"
            problems.append(_diag(message, shown, line, col))
        raise ConfigError(problems) from None
    return Config(model, path)


def _diag(message: str, path: str, line: int = 1, col: int = 1) -> Diagnostic:
    return Diagnostic("QB014", Severity.ERROR, message, path, line, col)


def _toml_error_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _toml_position(text: str, keys: tuple[str, ...]) -> tuple[int, int]:
    """Best-effort line/column of a dotted key in TOML text (table headers and dotted keys)."""

    def split(dotted: str) -> tuple[str, ...]:
        return tuple(part.strip().strip("\"'") for part in dotted.split("."))

    table: tuple[str, ...] = ()
    best = (1, 1)
    best_len = -1
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            table = split(header.group(1))
            n = _common(table, keys)
            if n == len(table) and n > best_len:
                best, best_len = (number, line.index("[") + 1), n
            continue
        key_match = re.match(r"^(\s*)([A-Za-z0-9_\-.\"' ]+?)\s*=", line)
        if not key_match:
            continue
        full = table + split(key_match.group(2))
        n = _common(full, keys)
        if n == len(full) and n > best_len:
            best, best_len = (number, len(key_match.group(1)) + 1), n
            # keys of an inline table on the same line: {QB401 = "error"}
            for depth, name in enumerate(keys[n:], start=n + 1):
                inline = re.search(r"[{,]\s*(" + re.escape(name) + r")\s*=", line)
                if not inline:
                    break
                best, best_len = (number, inline.start(1) + 1), depth
    return best


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
