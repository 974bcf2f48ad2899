"""One case decided by DMN rules, explained: outcome, the rules that fired (with their legal
source), which inputs decided it, and the nearest different outcome.

- An input *decided* the outcome when changing that input alone, to some value the table
  distinguishes, changes the outcome.  Candidate values come from the table itself (every
  endpoint of every condition on that input, and the values just beside it), its allowed
  values, and the spec's categories and range.
- The *nearest different outcome* is the smallest change to inputs the spec marks as
  changeable by the resident (one input before two; then the closest value) after which the
  tables give another outcome.  Every change is checked by evaluating the tables again.
"""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from .evaluate import evaluate
from .feel import Name, OtherValue, Test
from .model import DecisionModel, Input
from .words import condition_sentence, rule_sentence

MAX_CANDIDATES = 12


@dataclass
class FiredRule:
    decision: str
    number: int
    id: str
    outputs: dict[str, Any]
    conditions: list[dict[str, Any]]
    sentence: dict[str, str]
    legal_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "rule": self.number, "id": self.id,
                "outputs": self.outputs, "conditions": self.conditions,
                "sentence": self.sentence, "legal_source": self.legal_source}


@dataclass
class RuleExplanation:
    decision: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    fired: list[FiredRule]
    deciding: dict[str, dict[str, Any]]  # input → an example change and the outcome then
    not_deciding: list[str]
    nearest: dict[str, Any] | None
    method: str = "rules"
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "decision": self.decision, "inputs": _plain(self.inputs),
                "outputs": _plain(self.outputs), "fired_rules": [f.to_dict() for f in self.fired],
                "deciding_inputs": _plain(self.deciding), "other_inputs": self.not_deciding,
                "nearest_different_outcome": _plain(self.nearest), "accuracy": "exact"}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def _spec_input(spec: dict, name: str) -> dict[str, Any]:
    return (spec.get("inputs") or {}).get(name) or {}


def _step(column: Input, spec: dict, values: list[Any]) -> float:
    own = _spec_input(spec, column.expression)
    if own.get("step"):
        return float(own["step"])
    if own.get("integer") or all(isinstance(v, int) for v in values):
        return 1
    return 0.01


def _endpoints(test: Test) -> list[Any]:
    points = [test.value] + ([test.high] if test.op == "range" else [])
    return [p for p in points if not isinstance(p, Name)]


def candidates(model: DecisionModel, column: Input, spec: dict, current: Any) -> list[Any]:
    """Values worth trying for one input, nearest to ``current`` first."""
    points: list[Any] = list(column.allowed)
    own = _spec_input(spec, column.expression)
    points += list((own.get("values") or {}).keys()) if isinstance(own.get("values"), dict) \
        else list(own.get("values") or [])
    for decision in model.decisions.values():
        table = decision.table
        for position, inp in enumerate(table.inputs):
            if inp.expression != column.expression:
                continue
            for rule in table.rules:
                for test in rule.entries[position].tests:
                    points += _endpoints(test)
    numeric = [p for p in points if isinstance(p, (int, float)) and not isinstance(p, bool)]
    if numeric or (isinstance(current, (int, float)) and not isinstance(current, bool)):
        step = _step(column, spec, numeric)
        points += [p + d for p in numeric for d in (-step, step)]
        low, high = own.get("min"), own.get("max")
        points = [p for p in points if not isinstance(p, (int, float)) or isinstance(p, bool) or
                  ((low is None or p >= low) and (high is None or p <= high))]
    if isinstance(current, bool) or column.type == "boolean":
        points += [True, False]
    strings = [p for p in points if isinstance(p, str)]
    if (strings or isinstance(current, str)) and not own.get("values"):
        points.append(OtherValue())
    if isinstance(current, dt.date):
        points += [p + dt.timedelta(days=d) for p in points if isinstance(p, dt.date)
                   for d in (-1, 1)]
    unique: list[Any] = []
    for p in points:
        if p is not None and p != current and not any(_same(p, u) for u in unique) \
                and type(p) in _kinds(current, column):
            unique.append(p)
    unique.sort(key=lambda p: _distance(current, p))
    return unique[:MAX_CANDIDATES]


def _kinds(current: Any, column: Input) -> set[type]:
    if isinstance(current, bool):
        return {bool}
    if isinstance(current, (int, float)):
        return {int, float}
    if isinstance(current, str):
        return {str, OtherValue}
    if current is not None:
        return {type(current)}
    return {int, float, str, OtherValue, bool, dt.date} if column.type is None else \
        {"number": {int, float}, "boolean": {bool}, "string": {str, OtherValue},
         "date": {dt.date}}.get(column.type, {int, float, str, OtherValue, bool, dt.date})


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (
        isinstance(a, (int, float)) and isinstance(b, (int, float)) and
        not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def _distance(current: Any, value: Any) -> float:
    if isinstance(current, (int, float)) and isinstance(value, (int, float)) and \
            not isinstance(current, bool) and not isinstance(value, bool):
        return abs(value - current) / (abs(current) + 1)
    if isinstance(current, dt.date) and isinstance(value, dt.date):
        return abs((value - current).days) / 365
    return 1.0


def _outcome(model: DecisionModel, case: dict[str, Any], decision: str) -> dict[str, Any]:
    return evaluate(model, case, decision)[model.by_name(decision).id].outputs


def explain_case(model: DecisionModel, case: dict[str, Any], spec: dict | None = None,
                 decision: str | None = None) -> RuleExplanation:
    """Everything a resident is told about one case decided by ``model``."""
    spec = spec or {}
    name = decision or spec.get("decision")
    results = evaluate(model, case, name)
    target = model.by_name(name) if name else model.decisions[list(results)[-1]]
    outputs = results[target.id].outputs
    fired = [_fired((result, rule), case, results, spec)
             for result in results.values() for rule in result.used]
    deciding, others = {}, []
    for column in model.case_inputs():
        current = case.get(column.expression)
        found = None
        for value in candidates(model, column, spec, current):
            then = _outcome(model, {**case, column.expression: value}, target.name)
            if then != outputs:
                found = {"value": value, "outputs": then}
                break
        if found:
            deciding[column.expression] = found
        else:
            others.append(column.expression)
    nearest = _nearest(model, case, spec, target.name, outputs)
    return RuleExplanation(target.name, dict(case), outputs, fired, deciding, others, nearest)


def _fired(pair, case, results, spec) -> FiredRule:
    result, rule = pair
    table = result.decision.table
    values = dict(case)
    for other in results.values():
        outs = other.outputs
        values[other.decision.name] = next(iter(outs.values())) if len(outs) == 1 else outs
    conditions = []
    for entry, column in zip(rule.entries, table.inputs):
        if entry.any:
            continue
        value = values.get(column.expression)
        conditions.append({"input": column.expression, "test": entry.text, "value": _plain(value),
                           "words": condition_sentence(column, entry, spec)})
    rule_spec = (spec.get("rules") or {}).get(rule.id) or {}
    outputs = {o.name: v for o, v in zip(table.outputs, rule.outputs)}
    return FiredRule(result.decision.name, rule.number, rule.id, _plain(outputs), conditions,
                     rule_sentence(table, rule, spec), rule_spec.get("legal_source") or
                     rule.legal_source)


def _changeable(model: DecisionModel, spec: dict) -> list[Input]:
    declared = spec.get("inputs") or {}
    columns = model.case_inputs()
    if not declared:
        return columns
    return [c for c in columns if (declared.get(c.expression) or {}).get("changeable")]


def _nearest(model, case, spec, decision, outputs) -> dict[str, Any] | None:
    columns = _changeable(model, spec)
    options = {c.expression: candidates(model, c, spec, case.get(c.expression)) for c in columns}
    best = None
    for size in (1, 2):
        for names in itertools.combinations(options, size):
            for values in itertools.product(*(options[n][:6] for n in names)):
                changed = {**case, **dict(zip(names, values))}
                then = _outcome(model, changed, decision)
                if then == outputs:
                    continue
                cost = sum(_distance(case.get(n), v) for n, v in zip(names, values))
                if best is None or cost < best[0]:
                    best = (cost, dict(zip(names, values)), then)
        if best:
            return {"changes": best[1], "outputs": best[2]}
    return None
