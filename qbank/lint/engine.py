"""The lint engine: run the rule catalogue over a bank and turn findings into located diagnostics.

Item rules see one question at a time, in code order; bank rules run once. Cue rules (QB4xx) are
skipped for a question whose structure rules (QB1xx) report an error, since their reasoning assumes
a sound key. Profiles: ``default``; ``aws`` (AWS exam shapes: QB102 needs five choices for
``multiple_response``, QB104 wants four for ``single_choice``, QB104 and QB209 become errors);
``strict`` (warnings become errors, applied by :meth:`qbank.core.config.Config.apply`).

Suppressions: a question's ``lint: {ignore: [QB401], reason: ...}`` (also through a file's
``defaults``) and ``per-path-ignores`` in the configuration. A suppression that silences nothing is
reported as ``QB008`` (unused-suppression) at the suppression itself.
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from qbank.core.config import Config
from qbank.core.diagnostics import FORMAT_CODES, Diagnostic, Severity, sort_diagnostics
from qbank.core.gcpolicy import bulk_work
from qbank.core.model import Bank, Question, Variant
from qbank.io.source import SourceFile
from qbank.io.templates import collapse_items
from qbank.lint.rules import Finding, Rule, RuleContext, registry
from qbank.lint.rules.base import BankFacts
from qbank.lint.rules.text import Item, TextEdit

__all__ = [
    "PROFILES",
    "Located",
    "RuleSet",
    "apply_suppressions",
    "check_questions",
    "judge_bank",
    "lint",
    "lint_diagnostics",
    "one_per_template",
    "rule_doc",
    "run_rules",
]

PROFILES: tuple[str, ...] = ("default", "aws", "strict")
MEMORY = "<memory>"


@dataclass(frozen=True, slots=True)
class Located:
    """A finding of a rule together with the diagnostic it became."""

    rule: type[Rule[Any]]
    finding: Finding
    diagnostic: Diagnostic

    @property
    def edits(self) -> tuple[TextEdit, ...]:
        """The meaning-preserving text edits the finding offers (``check --fix``)."""
        return self.finding.fix


def _active(code: str, config: Config) -> bool:
    select, ignore = config.model.select, config.ignored_codes()
    if select and not any(code.startswith(p) for p in select):
        return False
    return not any(code.startswith(p) for p in ignore)


def rule_options(
    config: Config, rules: Iterable[type[Rule[Any]]]
) -> tuple[dict[str, BaseModel], list[Diagnostic]]:
    """Validated options of each rule (from ``[tool.qbank.rules.CODE]``) and the problems found."""
    out: dict[str, BaseModel] = {}
    problems: list[Diagnostic] = []
    for rule in rules:
        raw = {**rule.option_defaults(config.model), **config.model.rules.get(rule.code, {})}
        try:
            out[rule.code] = rule.Options.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                name = ".".join(str(p) for p in err["loc"])
                message = (
                    f"unknown option {name!r} of {rule.code}"
                    if err["type"] == "extra_forbidden"
                    else f"option {name!r} of {rule.code}: {err['msg']}"
                )
                keys = ["rules", rule.code, *(str(p) for p in err["loc"][:1])]
                problems.append(config.setting_diagnostic(message, keys))
            out[rule.code] = rule.Options()
    return out, problems


def _locate(bank: Bank, rule: type[Rule[Any]], finding: Finding, severity: Severity) -> Diagnostic:
    question = finding.question
    data = finding.data
    if question is None:
        sf = next((f for f in bank.files if f.display == bank.blueprint_path), None)
        if sf is not None:
            located: Diagnostic = sf.diag(
                rule.code, finding.message, finding.where, severity=severity, data=data
            )
            return located
        return Diagnostic(rule.code, severity, finding.message, bank.blueprint_path or MEMORY, data=data)
    question_id = question.id if rule.scope == "item" or finding.where else None
    origin = question.origin
    if origin is None:
        return Diagnostic(rule.code, severity, finding.message, MEMORY, question_id=question_id, data=data)
    source: SourceFile = origin.source
    offset = finding.offset
    if origin.variant is not None and offset is not None:
        offset = origin.variant.template_offset(finding.where, offset)
    return source.diag(
        rule.code,
        finding.message,
        ("questions", origin.index, *finding.where),
        offset=offset,
        severity=severity,
        question_id=question_id,
        data=data,
    )


@dataclass(slots=True)
class Active:
    """One rule as configured for a run: its instance, context and default severity."""

    rule: type[Rule[Any]]
    instance: Rule[Any]
    ctx: RuleContext[Any]
    severity: Severity
    cue: bool
    """A QB4xx rule: skipped for a question whose structure rules report an error."""


Found = tuple[Active, Finding, Severity]


class RuleSet:
    """The active rules of a configuration, ready to run on one question at a time and on the bank.

    Item rules and the facts of facts rules run per question (:meth:`check_item`, :meth:`facts`),
    wherever the question's file is checked; :meth:`judge` and :meth:`check_bank` need the whole bank.
    ``timings``, when given, receives the CPU seconds spent in each rule; ``jobs`` is the number of
    threads bank rules may use (0 = one per core).
    """

    def __init__(
        self,
        config: Config,
        bank: Bank,
        *,
        codes: Collection[str] | None = None,
        timings: dict[str, float] | None = None,
        focus: frozenset[str] | None = None,
        cache: Path | None = None,
        jobs: int = 1,
    ) -> None:
        self.bank = bank
        profile = config.model.profile
        rules = [
            r for code, r in registry().items() if _active(code, config) and (codes is None or code in codes)
        ]
        options, self.problems = rule_options(config, rules)
        active = [
            Active(
                r,
                r(),
                RuleContext(bank, profile, options[r.code], focus, cache, jobs),
                r.severity_for(profile),
                r.code.startswith("QB4"),
            )
            for r in rules
        ]
        self.item_rules = [a for a in active if a.rule.scope == "item" and not a.rule.on_facts]
        self.fact_rules = [a for a in active if a.rule.on_facts]
        self.bank_rules = [a for a in active if a.rule.scope == "bank" and not a.rule.on_facts]
        self.timings = timings

    def check_item(self, item: Item) -> list[Found]:
        """Findings of the item rules for one question (cue rules skipped when its structure is broken)."""
        out: list[Found] = []
        broken = False
        timings = self.timings
        for a in self.item_rules:
            if broken and a.cue:
                continue
            if timings is None:
                results = a.instance.item_findings(item, a.ctx)
            else:
                start = time.process_time()
                results = list(a.instance.item_findings(item, a.ctx))
                timings[a.rule.code] = timings.get(a.rule.code, 0.0) + time.process_time() - start
            for finding in results:
                severity = finding.severity or a.severity
                if severity == Severity.ERROR and a.rule.code.startswith("QB1"):
                    broken = True
                out.append((a, finding, severity))
        return out

    def facts(self, item: Item) -> list[Any]:
        """What each facts rule keeps of one question, in :attr:`fact_rules` order."""
        if self.timings is None:
            return [a.instance.fact(item, a.ctx) for a in self.fact_rules]
        out = []
        for a in self.fact_rules:
            start = time.process_time()
            out.append(a.instance.fact(item, a.ctx))
            self.timings[a.rule.code] = self.timings.get(a.rule.code, 0.0) + time.process_time() - start
        return out

    def judge(self, facts: Sequence[Sequence[Any]], ids: Sequence[str], files: Sequence[int]) -> list[Found]:
        """Findings of the facts rules over the facts of the whole bank (``facts[r]``: rule r's values)."""
        out: list[Found] = []
        for a, values in zip(self.fact_rules, facts, strict=True):
            start = time.process_time()
            out.extend(
                (a, finding, finding.severity or a.severity)
                for finding in a.instance.judge(BankFacts(values, ids, files), a.ctx)
            )
            if self.timings is not None:
                self.timings[a.rule.code] = self.timings.get(a.rule.code, 0.0) + time.process_time() - start
        return out

    def locate(self, found: Iterable[Found]) -> list[Located]:
        """The findings placed at their line and column."""
        start = time.process_time()
        out = [Located(a.rule, f, _locate(self.bank, a.rule, f, severity)) for a, f, severity in found]
        if self.timings is not None:
            self.timings["locate"] = self.timings.get("locate", 0.0) + time.process_time() - start
        return out

    def check_bank(self, bank: Bank) -> list[Found]:
        """Findings of the rules that need the whole bank's questions (duplicates)."""
        out: list[Found] = []
        for a in self.bank_rules:
            start = time.process_time()
            out.extend(
                (a, finding, finding.severity or a.severity)
                for finding in a.instance.bank_findings(bank, a.ctx)
            )
            if self.timings is not None:
                self.timings[a.rule.code] = self.timings.get(a.rule.code, 0.0) + time.process_time() - start
        return out


@bulk_work()
def run_rules(
    bank: Bank,
    config: Config | None = None,
    *,
    codes: Collection[str] | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[list[Located], list[Diagnostic]]:
    """Run every active rule (or only ``codes``); return located findings and configuration problems.

    Nothing is filtered here: suppressions and the configuration are applied by :func:`lint`.
    ``timings``, when given, receives the CPU seconds spent in each rule (by code) and in placing
    findings at their line and column (``locate``); the benchmarks read it.
    """
    config = config or Config()
    rules = RuleSet(config, bank, codes=codes, timings=timings)
    located, facts = check_questions(rules, bank.questions)
    located.extend(judge_bank(rules, bank, facts))
    return one_per_template(located), rules.problems


def check_questions(rules: RuleSet, questions: Sequence[Question]) -> tuple[list[Located], list[list[Any]]]:
    """The item rules' located findings on ``questions`` and what each facts rule keeps of them
    (``facts[r][i]``: rule r on the i-th question). Nothing here depends on other questions, so a
    file's share can be computed on its own, in another process, or taken from the cache."""
    found: list[Found] = []
    facts: list[list[Any]] = [[] for _ in rules.fact_rules]
    for question in questions:
        item = Item(question)
        found.extend(rules.check_item(item))
        for values, fact in zip(facts, rules.facts(item), strict=True):
            values.append(fact)
    return rules.locate(found), facts


def judge_bank(rules: RuleSet, bank: Bank, facts: Sequence[Sequence[Any]]) -> list[Located]:
    """Located findings of the rules that need the whole bank: the bank rules on its questions and
    the facts rules on ``facts`` (those of every question of ``bank``, in bank order)."""
    found = rules.check_bank(bank)
    displays: dict[str, int] = {}
    files = [
        displays.setdefault(q.origin.source.display if q.origin is not None else MEMORY, len(displays))
        for q in bank.questions
    ]
    for a, finding, severity in rules.judge(facts, [q.id for q in bank.questions], files):
        if finding.ordinal is not None:
            finding = replace(finding, question=bank.questions[finding.ordinal], ordinal=None)
        found.append((a, finding, severity))
    return rules.locate(found)


def one_per_template(located: list[Located]) -> list[Located]:
    """A finding shared by several variants of a template is reported once, at the template, with
    the first variant's values; findings on variants offer no fix (the text is computed)."""

    def variant(item: Located) -> Variant | None:
        question = item.finding.question
        origin = question.origin if question is not None else None
        return origin.variant if origin is not None else None

    def rebuild(item: Located, message: str) -> Located:
        finding = replace(item.finding, fix=())
        return Located(item.rule, finding, replace(item.diagnostic, message=message))

    return collapse_items(((variant(x), x) for x in located), lambda x: x.diagnostic, rebuild)


def ran_codes(config: Config) -> set[str]:
    """Codes whose check runs under ``config``: validation codes and the active rules."""
    codes = {c for c in FORMAT_CODES if _active(c, config)}
    codes.update(c for c in registry() if _active(c, config))
    return codes


def lint_diagnostics(bank: Bank, config: Config | None = None) -> list[Diagnostic]:
    """Every finding of the active rules as a diagnostic, before suppressions and configuration."""
    located, problems = run_rules(bank, config)
    return [*problems, *(x.diagnostic for x in located)]


def lint(bank: Bank, config: Config | None = None) -> list[Diagnostic]:
    """Lint a loaded bank: findings of every active rule, suppressions and ``config`` applied.

    ``qbank.check`` calls the same pieces and also suppresses validation, duplicate and coverage
    findings; use this function to lint a bank built or loaded in code.
    """
    config = config or Config()
    diagnostics = apply_suppressions(bank, lint_diagnostics(bank, config), config)
    return sort_diagnostics(config.apply(diagnostics))


# ---------------------------------------------------------------------------------------------- suppressions


@dataclass(eq=False)
class _Entry:
    code: str
    path: str
    where: tuple[str | int, ...]
    source: Any
    question_id: str | None
    used: bool = False


def _question_entries(bank: Bank) -> dict[tuple[str, str], list[_Entry]]:
    shared: dict[tuple[str, tuple[str | int, ...]], _Entry] = {}
    out: dict[tuple[str, str], list[_Entry]] = {}
    for question in bank.questions:
        if question.lint is None:
            continue
        origin = question.origin
        display = origin.source.display if origin is not None else MEMORY
        own = True
        if origin is not None:
            raw = _raw_question(origin.source.data, origin.index)
            own = raw is None or "lint" in raw
        for k, code in enumerate(question.lint.ignore):
            if origin is None:
                where: tuple[str | int, ...] = ("lint", "ignore", k)
            elif own:
                where = ("questions", origin.index, "lint", "ignore", k)
            else:
                where = ("defaults", "lint", "ignore", k)
            entry = shared.setdefault(
                (display, where if origin is not None else (question.id, *where)),
                _Entry(code, display, where, origin.source if origin else None, question.id if own else None),
            )
            out.setdefault((display, question.id), []).append(entry)
    return out


def _raw_question(data: Any, index: int) -> dict[str, Any] | None:
    try:
        raw = data["questions"][index]
    except (KeyError, IndexError, TypeError):
        return None
    return raw if isinstance(raw, dict) else None


def _covers(prefix: str, codes: Collection[str]) -> bool:
    return any(code.startswith(prefix) for code in codes)


def apply_suppressions(
    bank: Bank,
    diagnostics: Iterable[Diagnostic],
    config: Config | None = None,
    *,
    checked: Collection[str] | None = None,
) -> list[Diagnostic]:
    """Drop findings silenced by a question's ``lint.ignore``; add ``QB008`` for unused suppressions.

    Per-path ignores are filtered later by :meth:`~qbank.core.config.Config.apply`; here they are only
    checked for use. ``checked`` is the set of codes whose checks ran (default: validation codes
    and the active rules); a suppression of a code that did not run is never called unused.
    """
    config = config or Config()
    ran = ran_codes(config) if checked is None else set(checked)
    entries = _question_entries(bank)
    kept: list[Diagnostic] = []
    per_path_used: set[tuple[str, str]] = set()
    per_path = bool(config.model.per_path_ignores)
    for diag in diagnostics:
        if per_path:
            per_path_used.update(config.per_path_hits(diag))
        if diag.question_id is not None:
            candidates = entries.get((diag.path, diag.question_id), ())
            hit = next((e for e in candidates if e.code == diag.code), None)
            if hit is not None:
                hit.used = True
                continue
        kept.append(diag)
    seen: set[int] = set()
    for group in entries.values():
        for entry in group:
            if id(entry) in seen or entry.used or entry.code not in ran:
                continue
            seen.add(id(entry))
            message = f"unused suppression: no {entry.code} finding to ignore here"
            severity = FORMAT_CODES["QB008"][1]
            if entry.source is None:
                kept.append(Diagnostic("QB008", severity, message, MEMORY, question_id=entry.question_id))
            else:
                kept.append(entry.source.diag("QB008", message, entry.where, question_id=entry.question_id))
    if per_path:
        kept.extend(_unused_per_path(config, per_path_used, ran))
    return kept


def _unused_per_path(config: Config, used: set[tuple[str, str]], ran: Collection[str]) -> list[Diagnostic]:
    shown = str(config.path) if config.path else "<config>"
    text = ""
    if config.path is not None:
        try:
            text = config.path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            text = ""
    out: list[Diagnostic] = []
    for glob, codes in config.model.per_path_ignores.items():
        for code in codes:
            if (glob, code) in used or not _covers(code, ran):
                continue
            line, col = _per_path_position(text, glob, code)
            out.append(
                Diagnostic(
                    "QB008",
                    FORMAT_CODES["QB008"][1],
                    f"unused suppression: per-path ignore of {code} for {glob!r} matched no finding",
                    shown,
                    line,
                    col,
                )
            )
    return out


def _per_path_position(text: str, glob: str, code: str) -> tuple[int, int]:
    """Best line and column of ``code`` in the per-path entry for ``glob`` (else of the glob)."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        at = max(line.find(f'"{glob}"'), line.find(f"'{glob}'"))
        if at < 0:
            continue
        for offset, follow in enumerate(lines[number - 1 : number + 20]):
            start = (at + len(glob) + 2) if offset == 0 else 0
            match = re.search(rf"[\"']{re.escape(code)}[\"']", follow[start:])
            if match:
                return number + offset, start + match.start() + 1
            if "]" in follow[start:]:
                break
        return number, at + 1
    return 1, 1


# ---------------------------------------------------------------------------------------------- documentation


def rule_doc(code: str) -> str | None:
    """The documentation of a code as text (``qbank rules CODE``), or ``None`` if it is unknown."""
    rule = registry().get(code)
    if rule is None:
        info = FORMAT_CODES.get(code)
        if info is None:
            return None
        name, severity, summary = info
        return f"{code} {name} ({severity.value}, reported while reading and validating files)\n\n{summary}\n"
    head = f"{rule.code} {rule.name}"
    facts = [f"severity: {rule.severity.value}"]
    facts.extend(f"{sev.value} with profile {p}" for p, sev in rule.profile_severity.items())
    facts.append(f"scope: {rule.scope}")
    if rule.enforced_by:
        facts.append(f"checked by {rule.enforced_by}")
    body = inspect.cleandoc(rule.__doc__ or "")
    text = f"{head}\n{', '.join(facts)}\n\n{body}\n"
    fields = rule.Options.model_fields
    if fields:
        lines = [f"\nOptions ([tool.qbank.rules.{rule.code}])"]
        for name, spec in fields.items():
            key = spec.alias or name
            default = spec.get_default(call_default_factory=True)
            if isinstance(default, tuple):
                shown = (
                    "["
                    + ", ".join(repr(x) for x in default[:8])
                    + (", ..." if len(default) > 8 else "")
                    + "]"
                )
            else:
                shown = repr(default)
            lines.append(f"    {key} = {shown}")
        text += "\n".join(lines) + "\n"
    return text
