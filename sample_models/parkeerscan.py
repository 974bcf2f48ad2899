"""Parking scan car: the rules that lead from a scan to a parking fine, as a DMN decision table.

Two chained decisions, as a municipality's rule tooling would export them (DMN 1.3):

1. *Overtreding* (UNIQUE): was there a valid parking right at the scan, how many minutes after
   the paid time ended, and did the driver report an exception?
2. *Naheffingsaanslag* (UNIQUE): from that, and the zone's tariff, whether a fine is proposed
   and its amount.  A person (handhaver) always checks the photos before a fine is imposed.

The reference data are synthetic scans (seeded), used to show how often each rule fires.
Amounts follow the structure of Amsterdam's fine (a fixed cost plus one hour's tariff); they are
illustrative, not the city's current figures.
"""
from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

SEED = 20261201
NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"
GEMEENTEWET_234 = "https://wetten.overheid.nl/BWBR0005416/2024-01-01#Hoofdstuk15_Paragraaf4_Artikel234"
GEMEENTEWET_225 = "https://wetten.overheid.nl/BWBR0005416/2024-01-01#Hoofdstuk15_Paragraaf4_Artikel225"
ZONES = ["Centrum", "Zuid", "West", "Oost", "Noord", "Nieuw-West", "Zuidoost"]
HIGH_TARIFF = ["Centrum", "Zuid", "West", "Oost"]
EXCEPTIONS = {"geen": ("geen", "none"), "laden en lossen": ("laden en lossen", "loading and unloading"),
              "gehandicaptenparkeerkaart": ("gehandicaptenparkeerkaart", "disabled parking card"),
              "kapotte parkeerautomaat": ("kapotte parkeerautomaat", "broken parking meter")}

OVERTREDING = [  # (parkeerrecht, minuten na einde, uitzondering) -> overtreding, annotation
    (("true", "-", "-"), '"geen overtreding"', f"Er is betaald of er is een vergunning. {GEMEENTEWET_225}"),
    (("false", "<= 5", "-"), '"geen overtreding"', "Parkeerverordening: 5 minuten coulance na afloop."),
    (("false", "> 5", '"laden en lossen","gehandicaptenparkeerkaart","kapotte parkeerautomaat"'),
     '"uitzondering beoordelen"', "Een handhaver beoordeelt de gemelde uitzondering."),
    (("false", "> 5", '"geen"'), '"mogelijke overtreding"', f"Geen parkeerrecht. {GEMEENTEWET_225}"),
]
NAHEFFING = [  # (overtreding, zone) -> (uitkomst, bedrag), annotation
    (('"geen overtreding"', "-"), ('"geen naheffing"', "0"), ""),
    (('"uitzondering beoordelen"', "-"), ('"handhaver beoordeelt"', "0"), ""),
    (('"mogelijke overtreding"', ",".join(f'"{z}"' for z in HIGH_TARIFF)),
     ('"naheffingsaanslag voorgesteld"', "83.40"), f"Naheffingsaanslag. {GEMEENTEWET_234}"),
    (('"mogelijke overtreding"', "not(" + ",".join(f'"{z}"' for z in HIGH_TARIFF) + ")"),
     ('"naheffingsaanslag voorgesteld"', "80.20"), f"Naheffingsaanslag. {GEMEENTEWET_234}"),
]


def _rules(rows, prefix: str) -> str:
    out = []
    for n, (entries, outputs, note) in enumerate(rows, start=1):
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        out.append(f'<rule id="{prefix}{n}">' + "".join(f"<inputEntry><text>{escape(e)}</text></inputEntry>"
                                                 for e in entries)
                   + "".join(f"<outputEntry><text>{escape(o)}</text></outputEntry>" for o in outputs)
                   + f"<annotationEntry><text>{escape(note)}</text></annotationEntry></rule>")
    return "".join(out)


def dmn() -> str:
    zones = ",".join(f'"{z}"' for z in ZONES)
    exceptions = ",".join(f'"{e}"' for e in EXCEPTIONS)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{NS}" id="parkeerscan" name="Parkeercontrole met scanauto's" namespace="https://amsterdam.example/dmn/parkeren">
  <decision id="overtreding" name="Overtreding">
    <decisionTable hitPolicy="UNIQUE">
      <input id="in1" label="Geldig parkeerrecht bij de scan"><inputExpression typeRef="boolean"><text>parkeerrecht</text></inputExpression></input>
      <input id="in2" label="Minuten na einde parkeertijd"><inputExpression typeRef="number"><text>minuten_na_einde</text></inputExpression></input>
      <input id="in3" label="Gemelde uitzondering"><inputExpression typeRef="string"><text>uitzondering</text></inputExpression><inputValues><text>{escape(exceptions)}</text></inputValues></input>
      <output id="out1" name="overtreding" typeRef="string"/>
      <annotation name="Grondslag"/>
      {_rules(OVERTREDING, 'overtreding-')}
    </decisionTable>
  </decision>
  <decision id="naheffing" name="Naheffingsaanslag">
    <informationRequirement><requiredDecision href="#overtreding"/></informationRequirement>
    <decisionTable hitPolicy="UNIQUE">
      <input id="in4" label="Overtreding"><inputExpression typeRef="string"><text>Overtreding</text></inputExpression></input>
      <input id="in5" label="Parkeerzone"><inputExpression typeRef="string"><text>zone</text></inputExpression><inputValues><text>{escape(zones)}</text></inputValues></input>
      <output id="out2" name="uitkomst" typeRef="string"/>
      <output id="out3" name="bedrag" typeRef="number"/>
      <annotation name="Grondslag"/>
      {_rules(NAHEFFING, 'naheffing-')}
    </decisionTable>
  </decision>
</definitions>
"""


def spec() -> dict:
    label = lambda nl, en: {"nl": nl, "en": en}
    return {
        "kind": "rules",
        "decision": "Naheffingsaanslag",
        "inputs": {
            "parkeerrecht": {"label": label("geldig parkeerrecht bij de scan",
                                            "valid parking right at the scan"),
                             "changeable": True},
            "minuten_na_einde": {"label": label("minuten na einde parkeertijd",
                                                "minutes after the parking time ended"),
                                 "unit": label("minuten", "minutes"), "min": 0, "max": 1440,
                                 "integer": True, "changeable": True},
            "uitzondering": {"label": label("gemelde uitzondering", "reported exception"),
                             "values": {k: label(*v) for k, v in EXCEPTIONS.items()},
                             "changeable": True},
            "zone": {"label": label("parkeerzone", "parking zone"),
                     "values": {z: label(z, z) for z in ZONES}},
        },
        "outputs": {"uitkomst": {"label": label("uitkomst", "outcome"), "values": {
                        "geen naheffing": label("geen naheffing", "no fine"),
                        "handhaver beoordeelt": label("een handhaver beoordeelt de uitzondering",
                                                      "an enforcement officer assesses the exception"),
                        "naheffingsaanslag voorgesteld": label(
                            "naheffingsaanslag voorgesteld (een handhaver controleert eerst de foto's)",
                            "fine proposed (an enforcement officer first checks the photos)")}},
                    "bedrag": {"label": label("bedrag", "amount"), "unit": "€"},
                    "overtreding": {"label": label("de uitkomst van de controle",
                                                   "the outcome of the check"), "values": {
                        "geen overtreding": label("geen overtreding", "no violation"),
                        "uitzondering beoordelen": label("uitzondering beoordelen",
                                                         "exception to assess"),
                        "mogelijke overtreding": label("mogelijke overtreding",
                                                       "possible violation")}}},
        "rules": {
            "naheffing-3": {"text": label(
                "Er was bij de scan geen geldig parkeerrecht voor uw kenteken, ook niet 5 minuten "
                "na het einde van uw parkeertijd, en u meldde geen uitzondering. U stond in een zone "
                "met het hoge tarief (Centrum, Zuid, West of Oost). Daarom stellen we een "
                "naheffingsaanslag van € 83,40 voor. Een handhaver controleert eerst de foto's.",
                "At the scan there was no valid parking right for your number plate, not even 5 "
                "minutes after your parking time ended, and you reported no exception. You were in "
                "a zone with the high tariff (Centrum, Zuid, West or Oost). So we propose a fine "
                "of € 83.40. An enforcement officer first checks the photos.")},
            "naheffing-4": {"text": label(
                "Er was bij de scan geen geldig parkeerrecht voor uw kenteken, ook niet 5 minuten "
                "na het einde van uw parkeertijd, en u meldde geen uitzondering. U stond in een zone "
                "met het lagere tarief. Daarom stellen we een naheffingsaanslag van € 80,20 voor. "
                "Een handhaver controleert eerst de foto's.",
                "At the scan there was no valid parking right for your number plate, not even 5 "
                "minutes after your parking time ended, and you reported no exception. You were in "
                "a zone with the lower tariff. So we propose a fine of € 80.20. An enforcement "
                "officer first checks the photos.")},
        },
    }


def reference(n: int = 2000) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    paid = rng.random(n) < 0.82
    minutes = np.where(paid, 0, rng.integers(0, 240, n))
    exception = rng.choice(list(EXCEPTIONS), size=n, p=[0.9, 0.05, 0.03, 0.02])
    zone = rng.choice(ZONES, size=n, p=[0.3, 0.2, 0.15, 0.12, 0.09, 0.09, 0.05])
    return pd.DataFrame({"parkeerrecht": paid, "minuten_na_einde": minutes,
                         "uitzondering": np.where(paid, "geen", exception), "zone": zone})


def build(out: Path) -> dict[str, Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"rules": out / "rules.dmn", "spec": out / "spec.json", "reference": out / "reference.csv"}
    paths["rules"].write_text(dmn(), encoding="utf-8")
    paths["spec"].write_text(json.dumps(spec(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    reference().to_csv(paths["reference"], index=False)
    return paths


if __name__ == "__main__":
    build(Path(__file__).resolve().parent / "artefacts" / "parkeerscan")
