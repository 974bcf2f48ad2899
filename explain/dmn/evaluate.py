"""Evaluating DMN decision tables for one case, with every hit policy of DMN 1.1–1.5.

``evaluate(model, case)`` returns, per decision, which rules matched, which the hit policy
used, and the result: a dict of outputs (single-hit policies), a list of such dicts (RULE ORDER,
OUTPUT ORDER, COLLECT) or one number (COLLECT with SUM, MIN, MAX or COUNT).  A table that breaks
its own hit policy for this case (UNIQUE with two matches, ANY with different outcomes) raises
``RuleConflict``: that is an error in the table, not a result.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ExplainError
from .feel import matches
from .model import Decision, DecisionModel, Rule, Table


class RuleConflict(ExplainError):
    """The table's hit policy does not hold for this case."""


@dataclass(frozen=True)
class DecisionResult:
    decision: Decision
    matched: tuple[Rule, ...]  # every rule whose conditions hold, in table order
    used: tuple[Rule, ...]  # the rules that make the result, in the order the policy gives
    result: Any

    @property
    def outputs(self) -> dict[str, Any]:
        """Output name → value (a list of values for multi-hit tables)."""
        table = self.decision.table
        if isinstance(self.result, dict):
            return dict(self.result)
        if isinstance(self.result, list):
            return {o.name: [r[o.name] for r in self.result] for o in table.outputs}
        return {table.outputs[0].name: self.result}


def lookup(case: dict[str, Any], expression: str) -> Any:
    """A case value by name, or ``decision.output`` from a required decision's outputs."""
    if expression in case:
        return case[expression]
    head, _, tail = expression.partition(".")
    value = case.get(head)
    return value.get(tail) if tail and isinstance(value, dict) else None


def rule_matches(table: Table, rule: Rule, case: dict[str, Any]) -> bool:
    return all(matches(entry, lookup(case, column.expression), case)
               for entry, column in zip(rule.entries, table.inputs))


def _priority(table: Table, rule: Rule) -> tuple:
    """Sort key: earlier in each output's allowed values is higher priority."""
    key = []
    for output, value in zip(table.outputs, rule.outputs):
        order = list(output.allowed)
        key.append(order.index(value) if value in order else len(order))
    return tuple(key)


def _row(table: Table, rule: Rule) -> dict[str, Any]:
    return {o.name: v for o, v in zip(table.outputs, rule.outputs)}


def decide(decision: Decision, case: dict[str, Any]) -> DecisionResult:
    """One table for a case whose values (and required decisions' results) are in ``case``."""
    table = decision.table
    matched = tuple(r for r in table.rules if rule_matches(table, r, case))
    policy = table.hit_policy
    if policy == "UNIQUE" and len(matched) > 1:
        numbers = ", ".join(str(r.number) for r in matched)
        raise RuleConflict("dmn_unique", f"Decision '{decision.name}': rules {numbers} all apply, "
                           "but the table says only one may (UNIQUE).",
                           f"Beslissing '{decision.name}': regels {numbers} zijn allemaal van "
                           "toepassing, maar de tabel zegt dat er maar één mag (UNIQUE).")
    if policy == "ANY" and len({r.outputs for r in matched}) > 1:
        raise RuleConflict("dmn_any", f"Decision '{decision.name}': the rules that apply give "
                           "different outcomes, which ANY does not allow.",
                           f"Beslissing '{decision.name}': de regels die van toepassing zijn "
                           "geven verschillende uitkomsten; dat mag niet bij ANY.")
    if policy in ("UNIQUE", "ANY", "FIRST", "PRIORITY"):
        ordered = sorted(matched, key=lambda r: _priority(table, r)) if policy == "PRIORITY" \
            else list(matched)
        used = tuple(ordered[:1])
        result = _row(table, used[0]) if used else {o.name: None for o in table.outputs}
        return DecisionResult(decision, matched, used, result)
    used = tuple(sorted(matched, key=lambda r: _priority(table, r))) \
        if policy == "OUTPUT ORDER" else matched
    rows = [_row(table, r) for r in used]
    if table.aggregation is None:
        return DecisionResult(decision, matched, used, rows)
    values = [next(iter(r.values())) for r in rows]
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    result = {"COUNT": len(values), "SUM": sum(numbers) if numbers else None,
              "MIN": min(numbers, default=None), "MAX": max(numbers, default=None)}[
        table.aggregation]
    return DecisionResult(decision, matched, used, result)


def evaluate(model: DecisionModel, case: dict[str, Any],
             decision: str | None = None) -> dict[str, DecisionResult]:
    """Every decision up to ``decision`` (default: the only top decision), in dependency order.

    Each decision's result is added to the case under the decision's name (its one output's
    value, or a dict of outputs), so later tables read it like any other input.
    """
    target = model.by_name(decision) if decision else _single_top(model)
    needed = _needed(model, target.id)
    values = dict(case)
    results: dict[str, DecisionResult] = {}
    for ident in model.order:
        if ident not in needed:
            continue
        outcome = decide(model.decisions[ident], values)
        results[ident] = outcome
        outputs = outcome.outputs
        values[outcome.decision.name] = next(iter(outputs.values())) if len(outputs) == 1 \
            else outputs
    return results


def _single_top(model: DecisionModel) -> Decision:
    top = model.top
    if len(top) != 1:
        names = ", ".join(d.name for d in top)
        raise RuleConflict("dmn_top", f"The file has several final decisions ({names}); name the "
                           "one to explain in the spec ('decision').",
                           f"Het bestand heeft meerdere eindbeslissingen ({names}); noem in de "
                           "specificatie welke wordt uitgelegd ('decision').")
    return top[0]


def _needed(model: DecisionModel, ident: str) -> set[str]:
    needed, stack = set(), [ident]
    while stack:
        current = stack.pop()
        if current not in needed:
            needed.add(current)
            stack.extend(model.decisions[current].requires)
    return needed
