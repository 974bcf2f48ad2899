"""DMN XML (1.1 to 1.5) read safely into decision tables.

The XML is parsed with defusedxml: no DTDs, no entity expansion, no external references.  Only
what the evaluator supports is accepted: decisions whose logic is a decision table with the
standard hit policies, S-FEEL input entries and literal outputs, chained through
``requiredDecision``.  Anything else raises ``IntakeError`` with a message that names it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import IntakeError
from .feel import FeelError, UnaryTests, parse_literal, parse_literal_list, parse_unary_tests

NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
HIT_POLICIES = {"UNIQUE", "ANY", "PRIORITY", "FIRST", "RULE ORDER", "OUTPUT ORDER", "COLLECT"}
AGGREGATIONS = {None, "SUM", "MIN", "MAX", "COUNT"}
MAX_BYTES = 5 * 2**20
_EXPRESSION = re.compile(r"^[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*(\.[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff]*)?$")
_LEGAL = re.compile(r"https?://(?:www\.)?wetten\.overheid\.nl/\S+|https?://\S+")


@dataclass(frozen=True)
class Input:
    id: str
    label: str
    expression: str  # the case's variable (or ``decision.output`` of a required decision)
    type: str | None
    allowed: tuple = ()


@dataclass(frozen=True)
class Output:
    id: str
    name: str
    label: str
    type: str | None
    allowed: tuple = ()  # order gives priority for PRIORITY and OUTPUT ORDER


@dataclass(frozen=True)
class Rule:
    id: str
    number: int  # 1-based, as a table shows it
    entries: tuple[UnaryTests, ...]
    outputs: tuple
    annotation: str = ""

    @property
    def legal_source(self) -> str | None:
        found = _LEGAL.search(self.annotation)
        return found.group(0).rstrip(".,;)") if found else None


@dataclass(frozen=True)
class Table:
    hit_policy: str
    aggregation: str | None
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Decision:
    id: str
    name: str
    table: Table
    requires: tuple[str, ...] = ()  # ids of required decisions


@dataclass
class DecisionModel:
    """All decisions of one ``.dmn`` file, in an order where requirements come first."""

    namespace: str
    version: str
    decisions: dict[str, Decision] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    @property
    def top(self) -> list[Decision]:
        required = {r for d in self.decisions.values() for r in d.requires}
        return [self.decisions[i] for i in self.order if i not in required]

    def by_name(self, name_or_id: str) -> Decision:
        for decision in self.decisions.values():
            if name_or_id in (decision.id, decision.name):
                return decision
        raise KeyError(name_or_id)

    def case_inputs(self) -> list[Input]:
        """Inputs the case must supply: those not produced by a required decision."""
        produced = {d.name for d in self.decisions.values()}
        seen: dict[str, Input] = {}
        for decision_id in self.order:
            for column in self.decisions[decision_id].table.inputs:
                root = column.expression.split(".")[0]
                if root not in produced and column.expression not in seen:
                    seen[column.expression] = column
        return list(seen.values())


def _refuse(code: str, en: str, nl: str) -> IntakeError:
    return IntakeError(code, en, nl)


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _children(node, name: str) -> list:
    return [c for c in node if _local(c.tag)[1] == name]


def _child(node, name: str):
    found = _children(node, name)
    return found[0] if found else None


def _text(node, name: str = "text") -> str:
    child = _child(node, name) if node is not None else None
    return (child.text or "").strip() if child is not None else ""


def _feel(where: tuple[str, str], parse, text: str):
    """``where`` is (English, Dutch): 'Decision X, rule 3'."""
    try:
        return parse(text)
    except FeelError as exc:
        raise _refuse("dmn_feel", f"{where[0]}: '{exc.text}' is not supported ({exc.reason}). "
                      "Use S-FEEL: comparisons, ranges, lists, not(…), text, numbers, "
                      "true/false, dates.",
                      f"{where[1]}: '{exc.text}' wordt niet ondersteund. Gebruik S-FEEL: "
                      "vergelijkingen, bereiken, lijsten, not(…), tekst, getallen, true/false, "
                      "datums.") from None


def load_dmn(data: bytes) -> DecisionModel:
    """Parse a ``.dmn`` file's bytes; raises ``IntakeError`` naming what is refused."""
    if len(data) > MAX_BYTES:
        raise _refuse("dmn_too_large", "The DMN file is larger than 5 MB.",
                      "Het DMN-bestand is groter dan 5 MB.")
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise _refuse("dmn_unsafe", "The DMN file contains a DTD or entities; these are not read, "
                      "for safety. Export it again from your DMN tool.",
                      "Het DMN-bestand bevat een DTD of entiteiten; die lezen we om "
                      "veiligheidsredenen niet. Exporteer het opnieuw uit uw DMN-tool.") from None
    except Exception:  # noqa: BLE001 - ParseError and friends
        raise _refuse("dmn_not_xml", "This is not a DMN file: it is not well-formed XML.",
                      "Dit is geen DMN-bestand: het is geen geldige XML.") from None
    namespace, tag = _local(root.tag)
    if tag != "definitions" or namespace not in NAMESPACES:
        raise _refuse("dmn_namespace", "This is not a DMN 1.1–1.5 file (no DMN <definitions>).",
                      "Dit is geen DMN-bestand van versie 1.1 tot 1.5 (geen DMN <definitions>).")
    model = DecisionModel(namespace, NAMESPACES[namespace])
    for node in _children(root, "decision"):
        decision = _decision(node)
        if decision.id in model.decisions:
            raise _refuse("dmn_duplicate", f"Two decisions have the id '{decision.id}'.",
                          f"Twee beslissingen hebben de id '{decision.id}'.")
        model.decisions[decision.id] = decision
    if not model.decisions:
        raise _refuse("dmn_empty", "The DMN file holds no decision.",
                      "Het DMN-bestand bevat geen beslissing.")
    model.order = _order(model.decisions)
    return model


def _decision(node) -> Decision:
    ident = node.get("id") or ""
    name = node.get("name") or ident
    table_node = _child(node, "decisionTable")
    if table_node is None:
        kinds = ", ".join(sorted({_local(c.tag)[1] for c in node} - {
            "informationRequirement", "authorityRequirement", "knowledgeRequirement",
            "description", "question", "allowedAnswers", "variable", "extensionElements"})) or "-"
        raise _refuse("dmn_not_table", f"Decision '{name}' is not a decision table ({kinds}); "
                      "only decision tables are supported.",
                      f"Beslissing '{name}' is geen beslistabel ({kinds}); alleen beslistabellen "
                      "worden ondersteund.")
    requires = tuple((r.get("href") or "").lstrip("#")
                     for req in _children(node, "informationRequirement")
                     for r in _children(req, "requiredDecision"))
    return Decision(ident, name, _table(name, table_node), requires)


def _table(name: str, node) -> Table:
    policy = (node.get("hitPolicy") or "UNIQUE").upper().replace("_", " ")
    aggregation = node.get("aggregation")
    if policy not in HIT_POLICIES or aggregation not in AGGREGATIONS or \
            (aggregation and policy != "COLLECT"):
        raise _refuse("dmn_hit_policy", f"Decision '{name}': hit policy {policy} {aggregation or ''}"
                      " is not supported.", f"Beslissing '{name}': hitpolicy {policy} "
                      f"{aggregation or ''} wordt niet ondersteund.")
    inputs = tuple(_input(name, i) for i in _children(node, "input"))
    outputs = tuple(_output(name, o, position) for position, o in
                    enumerate(_children(node, "output")))
    if not outputs:
        raise _refuse("dmn_no_output", f"Decision '{name}' has no output column.",
                      f"Beslissing '{name}' heeft geen uitkomstkolom.")
    if aggregation and len(outputs) != 1:
        raise _refuse("dmn_aggregation", f"Decision '{name}': {aggregation} needs one output.",
                      f"Beslissing '{name}': {aggregation} kan alleen met één uitkomst.")
    annotations = len(_children(node, "annotation"))
    rules = tuple(_rule(name, r, n, len(inputs), len(outputs), annotations)
                  for n, r in enumerate(_children(node, "rule"), start=1))
    return Table(policy, aggregation, inputs, outputs, rules)


def _input(decision: str, node) -> Input:
    expression_node = _child(node, "inputExpression")
    expression = _text(expression_node)
    if not _EXPRESSION.match(expression):
        raise _refuse("dmn_input_expression", f"Decision '{decision}': the input expression "
                      f"'{expression}' is not a plain name.", f"Beslissing '{decision}': de "
                      f"invoerexpressie '{expression}' is geen gewone naam.")
    allowed = _feel((f"Decision '{decision}'", f"Beslissing '{decision}'"), parse_literal_list, _text(_child(node, "inputValues")))
    return Input(node.get("id") or expression, node.get("label") or expression, expression,
                 expression_node.get("typeRef") if expression_node is not None else None,
                 tuple(allowed))


def _output(decision: str, node, position: int) -> Output:
    name = node.get("name") or node.get("label") or f"output{position + 1}"
    allowed = _feel((f"Decision '{decision}'", f"Beslissing '{decision}'"), parse_literal_list, _text(_child(node, "outputValues")))
    return Output(node.get("id") or name, name, node.get("label") or name, node.get("typeRef"),
                  tuple(allowed))


def _rule(decision: str, node, number: int, n_inputs: int, n_outputs: int, annotations: int) -> Rule:
    where = (f"Decision '{decision}', rule {number}", f"Beslissing '{decision}', regel {number}")
    entries = [_text(e) for e in _children(node, "inputEntry")]
    outputs = [_text(e) for e in _children(node, "outputEntry")]
    if len(entries) != n_inputs or len(outputs) != n_outputs:
        raise _refuse("dmn_rule_shape", f"{where} has {len(entries)} conditions and {len(outputs)} "
                      f"outcomes; the table has {n_inputs} and {n_outputs}.",
                      f"Beslissing '{decision}', regel {number} heeft {len(entries)} voorwaarden "
                      f"en {len(outputs)} uitkomsten; de tabel heeft er {n_inputs} en {n_outputs}.")
    notes = [_text(e) for e in _children(node, "annotationEntry")][:max(annotations, 1)]
    annotation = " ".join(filter(None, notes + [_text(node, "description")]))
    return Rule(node.get("id") or f"rule-{number}", number,
                tuple(_feel(where, parse_unary_tests, e) for e in entries),
                tuple(_feel(where, parse_literal, o) for o in outputs), annotation)


def _order(decisions: dict[str, Decision]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(ident: str, path: tuple[str, ...]) -> None:
        if state.get(ident) == 2:
            return
        if ident not in decisions:
            raise _refuse("dmn_requirement", f"Decision '{path[-1]}' requires '{ident}', which is "
                          "not in the file.", f"Beslissing '{path[-1]}' heeft '{ident}' nodig, "
                          "maar die staat niet in het bestand.")
        if state.get(ident) == 1:
            raise _refuse("dmn_cycle", "Decisions require each other in a circle: "
                          + " → ".join(path + (ident,)), "Beslissingen hebben elkaar in een "
                          "kring nodig: " + " → ".join(path + (ident,)))
        state[ident] = 1
        for required in decisions[ident].requires:
            visit(required, path + (ident,))
        state[ident] = 2
        order.append(ident)

    for ident in decisions:
        visit(ident, ())
    return order


def describe(model: DecisionModel) -> dict[str, Any]:
    """A short summary for logs and the registration page."""
    return {"dmn_version": model.version, "decisions": [
        {"id": d.id, "name": d.name, "hit_policy": d.table.hit_policy,
         "aggregation": d.table.aggregation, "rules": len(d.table.rules),
         "inputs": [i.expression for i in d.table.inputs],
         "outputs": [o.name for o in d.table.outputs]} for d in model.decisions.values()]}
