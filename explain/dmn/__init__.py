"""Decision rules as DMN decision tables: safe intake, evaluation with every hit policy, and a
plain explanation of one case (issue 11).  A plain library: no Flask, no ``register``.

    model = load_dmn(path.read_bytes())          # IntakeError naming what is refused
    results = evaluate(model, {"zone": "Centrum", "minutes_over": 20})
    why = explain_case(model, case, spec)         # fired rules, deciding inputs, nearest change
"""
from .evaluate import DecisionResult, RuleConflict, evaluate
from .explain import RuleExplanation, explain_case
from .feel import FeelError, parse_unary_tests
from .model import DecisionModel, describe, load_dmn

__all__ = ["DecisionModel", "DecisionResult", "FeelError", "RuleConflict", "RuleExplanation",
           "describe", "evaluate", "explain_case", "load_dmn", "parse_unary_tests"]
