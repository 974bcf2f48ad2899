"""A first spec for a ``.dmn`` file, to complete by hand (``stadsregister models spec-init``).

Labels come from the table's own labels (the same text in both languages until someone writes the
English), input kinds and allowed values from the columns, and each rule's legal source from its
annotation where one names a link. The notes say what to check.
"""
from __future__ import annotations

from typing import Any

from .model import DecisionModel


def draft_rules_spec(model: DecisionModel) -> tuple[dict[str, Any], list[str]]:
    """(spec, notes) for ``model``: the top decision, every case input and output, legal sources."""
    decision = model.top[-1]
    produced = {d.name for d in model.decisions.values()}
    inputs: dict[str, Any] = {}
    for column in model.case_inputs():
        part: dict[str, Any] = {"label": {"nl": column.label, "en": column.label}, "changeable": False}
        values = [v for v in column.allowed if isinstance(v, str)]
        if values:
            part["values"] = {v: {"nl": v, "en": v} for v in values}
        inputs[column.expression] = part
    outputs: dict[str, Any] = {}
    for d in model.decisions.values():
        for output in d.table.outputs:
            part = {"label": {"nl": output.label, "en": output.label}}
            values = [v for v in output.allowed if isinstance(v, str)]
            if values:
                part["values"] = {v: {"nl": v, "en": v} for v in values}
            outputs.setdefault(output.name, part)
    rules = {rule.id: {"legal_source": rule.legal_source}
             for d in model.decisions.values() for rule in d.table.rules if rule.legal_source}
    without = [f"{d.name} {rule.number}" for d in model.decisions.values() for rule in d.table.rules
               if not rule.legal_source]
    notes = [f"The outcome shown to residents is decision '{decision.name}'; change 'decision' if another is.",
             "Write the English labels ('en'): they are copies of the table's labels now.",
             ("Mark with changeable: true the inputs a resident can change (they are used for the nearest "
              "different outcome)."),
             "Give numbers their unit, min and max, and 'integer': true where they are whole numbers."]
    if without:
        notes.append("These rules have no legal source in their annotation; add rules.<id>.legal_source: "
                     + ", ".join(without))
    if produced & set(inputs):
        notes.append("Some inputs have the name of a decision; check the table's requirements.")
    return {"kind": "rules", "decision": decision.name, "inputs": inputs, "outputs": outputs,
            "rules": rules}, notes
