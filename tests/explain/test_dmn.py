"""DMN decision tables (issue 11): S-FEEL as the standard defines it, every hit policy, chained
decisions, hostile files refused, and one case explained in words with its legal source."""
from __future__ import annotations

import datetime as dt
import pickle
from xml.sax.saxutils import escape

import pytest

from explain.dmn import RuleConflict, evaluate, explain_case, load_dmn, parse_unary_tests
from explain.dmn.feel import FeelError, matches
from explain.dmn.model import NAMESPACES
from explain.errors import IntakeError

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def table_xml(inputs, outputs, rules, *, policy="UNIQUE", aggregation=None, name="Boete",
              ident="boete", requires=(), annotations=False, output_values=None):
    """One decision table as DMN XML; ``rules`` are (entries, outputs[, annotation])."""
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    cols = "".join(f'<input id="i{n}" label="{label}"><inputExpression typeRef="{typ}">'
                   f"<text>{expr}</text></inputExpression></input>"
                   for n, (expr, label, typ) in enumerate(inputs))
    outs = "".join(f'<output id="o{n}" name="{o}" typeRef="string">'
                   + (f"<outputValues><text>{escape(output_values)}</text></outputValues>"
                      if output_values and n == 0 else "") + "</output>"
                   for n, o in enumerate(outputs))
    body = ""
    for n, rule in enumerate(rules):
        entries, results = rule[0], rule[1]
        note = f"<annotationEntry><text>{rule[2]}</text></annotationEntry>" if len(rule) > 2 else ""
        body += (f'<rule id="r{n + 1}">' + "".join(f"<inputEntry><text>{escape(e)}</text></inputEntry>"
                                                   for e in entries)
                 + "".join(f"<outputEntry><text>{escape(r)}</text></outputEntry>" for r in results)
                 + note + "</rule>")
    reqs = "".join(f'<informationRequirement><requiredDecision href="#{r}"/>'
                   f"</informationRequirement>" for r in requires)
    ann = '<annotation name="Wetsartikel"/>' if annotations else ""
    return (f'<decision id="{ident}" name="{name}">{reqs}<decisionTable hitPolicy="{policy}"{agg}>'
            f"{cols}{outs}{ann}{body}</decisionTable></decision>")


def dmn(*decisions, namespace=DMN13) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="{namespace}" id="d" '
            f'name="d" namespace="https://gemeente.example/dmn">{"".join(decisions)}'
            f"</definitions>").encode()


PARKING = dmn(table_xml(
    [("geldig_parkeerrecht", "geldig parkeerrecht", "boolean"), ("zone", "zone", "string"),
     ("minuten_te_laat", "minuten te laat", "number")],
    ["boete"],
    [(["true", "-", "-"], ['"geen"']),
     (["false", '"Centrum","West"', "< 15"], ['"naheffing laag"'],
      "Art. 234 Gemeentewet https://wetten.overheid.nl/BWBR0005416/2024-01-01#Hoofdstuk15"),
     (["false", '"Centrum","West"', ">= 15"], ['"naheffing hoog"']),
     (["false", 'not("Centrum","West")', "-"], ['"naheffing laag"'])],
    annotations=True))

SPEC = {"inputs": {
    "geldig_parkeerrecht": {"label": {"nl": "geldig parkeerrecht", "en": "valid parking right"},
                            "changeable": True},
    "zone": {"label": {"nl": "zone", "en": "zone"}},
    "minuten_te_laat": {"label": {"nl": "minuten te laat", "en": "minutes late"},
                        "unit": {"nl": "minuten", "en": "minutes"}, "changeable": True,
                        "min": 0, "max": 600}},
    "outputs": {"boete": {"label": {"nl": "uitkomst", "en": "outcome"}}}}


@pytest.mark.parametrize("text, value, expected", [
    ("-", 12, True), ("", None, True),
    ("< 15", 14, True), ("< 15", 15, False), ("<= 15", 15, True), ("> 2.5", 2.5, False),
    (">= -3", -3, True), ("[10..20]", 20, True), ("[10..20[", 20, False), ("]10..20]", 10, False),
    ("(10..20)", 15, True), ("(10..20)", 10, False), ('"Centrum","West"', "West", True),
    ('"Centrum","West"', "Noord", False), ('not("Centrum","West")', "Noord", True),
    ('not("Centrum")', "Centrum", False), ("true", True, True), ("false", True, False),
    ("1, 2, 3", 2, True), ('date("2026-12-01")', dt.date(2026, 12, 1), True),
    ('>= date("2026-01-01")', dt.date(2025, 12, 31), False), ("null", None, True),
    ("< 15", None, False), ("< 15", "14", False), ("!= 3", 4, True), ('"a\\"b"', 'a"b', True),
    ("< limiet", 5, True),
])
def test_unary_tests_as_s_feel_defines_them(text, value, expected):
    assert matches(parse_unary_tests(text), value, {"limiet": 10}) is expected


@pytest.mark.parametrize("text", ["x + 1", 'matches(x, "a")', 'date and time("2026-01-01T10:00")',
                                  "[1, 2, 3]", "? > 3", "5 in [1..10]", "< 3 and > 1",
                                  'duration("P1D")', "[1..]"])
def test_feel_outside_the_subset_is_refused_by_name(text):
    with pytest.raises(FeelError):
        parse_unary_tests(text)


def test_a_table_with_unsupported_feel_is_refused_naming_rule_and_text():
    data = dmn(table_xml([("a", "a", "number")], ["o"], [(["a * 2 > 3"], ['"x"'])]))
    with pytest.raises(IntakeError) as refused:
        load_dmn(data)
    assert "rule 1" in refused.value.message("en") and "a * 2 > 3" in refused.value.message("en")
    assert "regel 1" in refused.value.message("nl")


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_dmn_version_from_1_1_to_1_5_is_read(namespace):
    model = load_dmn(dmn(table_xml([("a", "a", "number")], ["o"], [(["< 3"], ['"klein"']),
                                                                    ([">= 3"], ['"groot"'])]),
                         namespace=namespace))
    assert model.version == NAMESPACES[namespace]
    assert evaluate(model, {"a": 5})["boete"].outputs == {"o": "groot"}


RULES = [([">= 0"], ['"laag"']), ([">= 10"], ['"hoog"']), ([">= 5"], ['"midden"'])]


@pytest.mark.parametrize("policy, aggregation, value, expected", [
    ("FIRST", None, 12, {"o": "laag"}),
    ("PRIORITY", None, 12, {"o": "hoog"}),
    ("PRIORITY", None, 7, {"o": "midden"}),
    ("RULE ORDER", None, 12, {"o": ["laag", "hoog", "midden"]}),
    ("OUTPUT ORDER", None, 12, {"o": ["hoog", "midden", "laag"]}),
    ("COLLECT", None, 7, {"o": ["laag", "midden"]}),
    ("COLLECT", "COUNT", 12, {"o": 3}),
])
def test_hit_policies(policy, aggregation, value, expected):
    model = load_dmn(dmn(table_xml([("a", "a", "number")], ["o"], RULES, policy=policy,
                                   aggregation=aggregation,
                                   output_values='"hoog","midden","laag"')))
    assert evaluate(model, {"a": value})["boete"].outputs == expected


def test_collect_sum_min_max_over_numbers():
    rules = [([">= 0"], ["10"]), ([">= 10"], ["25.5"]), ([">= 5"], ["-2"])]
    for aggregation, expected in [("SUM", 33.5), ("MIN", -2), ("MAX", 25.5)]:
        model = load_dmn(dmn(table_xml([("a", "a", "number")], ["o"], rules, policy="COLLECT",
                                       aggregation=aggregation)))
        assert evaluate(model, {"a": 12})["boete"].result == expected


def test_unique_and_any_refuse_a_case_that_breaks_the_table():
    model = load_dmn(dmn(table_xml([("a", "a", "number")], ["o"], RULES)))
    assert evaluate(model, {"a": 3})["boete"].outputs == {"o": "laag"}
    with pytest.raises(RuleConflict) as conflict:
        evaluate(model, {"a": 12})
    assert "1, 2, 3" in conflict.value.message("en")
    same = [([">= 0"], ['"x"']), ([">= 10"], ['"x"']), (["[5..9]"], ['"y"'])]
    model = load_dmn(dmn(table_xml([("a", "a", "number")], ["o"], same, policy="ANY")))
    assert evaluate(model, {"a": 11}) and evaluate(model, {"a": 3})["boete"].outputs == {"o": "x"}
    with pytest.raises(RuleConflict):
        evaluate(model, {"a": 6})


def test_no_rule_applies_gives_empty_outputs():
    model = load_dmn(dmn(table_xml([("a", "a", "number")], ["o", "p"], [(["< 0"], ['"x"', "1"])])))
    assert evaluate(model, {"a": 3})["boete"].outputs == {"o": None, "p": None}


def test_chained_decisions_feed_each_other_in_order():
    first = table_xml([("inkomen", "inkomen", "number")], ["categorie"],
                      [(["< 20000"], ['"laag"']), ([">= 20000"], ['"normaal"'])],
                      name="Inkomenscategorie", ident="cat")
    second = table_xml([("Inkomenscategorie", "inkomenscategorie", "string"),
                        ("kinderen", "kinderen", "number")], ["korting"],
                       [(['"laag"', "> 0"], ["50"]), (['"laag"', "0"], ["25"]),
                        (['"normaal"', "-"], ["0"])],
                       name="Korting", ident="korting", requires=("cat",))
    model = load_dmn(dmn(second, first))  # order in the file does not matter
    assert model.order == ["cat", "korting"]
    assert [c.expression for c in model.case_inputs()] == ["inkomen", "kinderen"]
    results = evaluate(model, {"inkomen": 15000, "kinderen": 2})
    assert results["korting"].outputs == {"korting": 50}
    why = explain_case(model, {"inkomen": 15000, "kinderen": 2})
    assert [(f.decision, f.number) for f in why.fired] == [("Inkomenscategorie", 1), ("Korting", 1)]
    assert set(why.deciding) == {"inkomen", "kinderen"}


def test_cycles_missing_requirements_and_literal_expressions_are_refused():
    a = table_xml([("x", "x", "number")], ["o"], [(["-"], ["1"])], ident="a", name="A",
                  requires=("b",))
    b = table_xml([("x", "x", "number")], ["o"], [(["-"], ["1"])], ident="b", name="B",
                  requires=("a",))
    with pytest.raises(IntakeError) as refused:
        load_dmn(dmn(a, b))
    assert refused.value.code == "dmn_cycle"
    with pytest.raises(IntakeError) as refused:
        load_dmn(dmn(a))
    assert refused.value.code == "dmn_requirement"
    literal = ('<decision id="l" name="Bedrag"><literalExpression><text>a * 2</text>'
               "</literalExpression></decision>")
    with pytest.raises(IntakeError) as refused:
        load_dmn(dmn(literal))
    assert "literalExpression" in refused.value.message("en")


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                     .encode() for i in range(1, 10))
          + f']><definitions xmlns="{DMN13}">&lol9;</definitions>'.encode())


@pytest.mark.parametrize("what, data, code", [
    ("billion laughs", LAUGHS, "dmn_unsafe"),
    ("external entity", f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     f'<definitions xmlns="{DMN13}">&x;</definitions>'.encode(), "dmn_unsafe"),
    ("pickle renamed .dmn", pickle.dumps({"a": 1}), "dmn_not_xml"),
    ("truncated", PARKING[:200], "dmn_not_xml"),
    ("other XML", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "dmn_namespace"),
    ("no decisions", dmn(), "dmn_empty"),
])
def test_hostile_and_malformed_files_are_refused_with_a_reason(what, data, code):
    with pytest.raises(IntakeError) as refused:
        load_dmn(data)
    assert refused.value.code == code, what
    assert refused.value.message("nl") != refused.value.message("en")


def test_a_parking_case_explained_in_plain_words_with_its_legal_source():
    model = load_dmn(PARKING)
    case = {"geldig_parkeerrecht": False, "zone": "Centrum", "minuten_te_laat": 20}
    why = explain_case(model, case, SPEC)
    assert why.outputs == {"boete": "naheffing hoog"}
    assert [f.number for f in why.fired] == [3]
    assert why.fired[0].sentence["nl"] == (
        "Omdat geldig parkeerrecht is nee, zone is Centrum of West en minuten te laat is "
        "15 minuten of hoger, geldt: uitkomst: naheffing hoog.")
    assert "minutes late is 15 minutes or higher" in why.fired[0].sentence["en"]
    # each of the three inputs alone can change this outcome
    assert set(why.deciding) == {"geldig_parkeerrecht", "zone", "minuten_te_laat"}
    assert why.deciding["zone"]["outputs"] == {"boete": "naheffing laag"}  # any other zone
    assert why.deciding["minuten_te_laat"]["value"] == 14
    # nearest different outcome: only changeable inputs, and it really gives another outcome
    change = why.nearest["changes"]
    assert set(change) <= {"geldig_parkeerrecht", "minuten_te_laat"}
    assert change == {"minuten_te_laat": 14}
    assert evaluate(model, {**case, **change})["boete"].outputs == why.nearest["outputs"]
    low = explain_case(model, {**case, "minuten_te_laat": 5}, SPEC)
    assert low.fired[0].legal_source.startswith("https://wetten.overheid.nl/BWBR0005416")
    assert low.to_dict()["fired_rules"][0]["legal_source"] == low.fired[0].legal_source


def test_an_input_that_does_not_matter_for_this_case_is_named_as_such():
    model = load_dmn(PARKING)
    why = explain_case(model, {"geldig_parkeerrecht": True, "zone": "Noord",
                               "minuten_te_laat": 0}, SPEC)
    assert why.outputs == {"boete": "geen"}
    assert set(why.deciding) == {"geldig_parkeerrecht"}
    assert set(why.not_deciding) == {"zone", "minuten_te_laat"}
    assert why.fired[0].sentence["en"] == (
        "Because valid parking right is yes: outcome: geen.")


def test_the_parking_sample_rules_decide_every_reference_scan_and_explain_a_fine(tmp_path):
    import json as jsonlib

    import pandas as pd

    from sample_models import parkeerscan

    paths = parkeerscan.build(tmp_path)
    model = load_dmn(paths["rules"].read_bytes())
    spec = jsonlib.loads(paths["spec"].read_text())
    frame = pd.read_csv(paths["reference"])
    fired = {}
    for row in frame.to_dict("records"):  # no scan breaks the UNIQUE hit policy
        result = evaluate(model, row, "Naheffingsaanslag")["naheffing"]
        fired[result.used[0].number] = fired.get(result.used[0].number, 0) + 1
    assert set(fired) == {1, 2, 3, 4} and sum(fired.values()) == len(frame)
    case = {"parkeerrecht": False, "minuten_na_einde": 40, "uitzondering": "geen", "zone": "Centrum"}
    why = explain_case(model, case, spec)
    assert why.outputs == {"uitkomst": "naheffingsaanslag voorgesteld", "bedrag": 83.40}
    assert [(f.decision, f.number) for f in why.fired] == [("Overtreding", 4), ("Naheffingsaanslag", 3)]
    assert all(f.legal_source.startswith("https://wetten.overheid.nl/") for f in why.fired)
    assert why.fired[0].sentence["nl"] == (
        "Omdat geldig parkeerrecht bij de scan is nee, minuten na einde parkeertijd is hoger dan "
        "5 minuten en gemelde uitzondering is geen, geldt: de uitkomst van de controle: "
        "mogelijke overtreding.")
    assert why.fired[1].sentence["nl"].startswith("Er was bij de scan geen geldig parkeerrecht")
    assert "€ 83.40" in why.fired[1].sentence["en"]  # the spec's own words for this rule
    assert why.nearest["changes"] == {"minuten_na_einde": 5}
    assert why.nearest["outputs"]["uitkomst"] == "geen naheffing"
    assert "zone" in why.deciding  # a zone with the lower tariff gives another amount
