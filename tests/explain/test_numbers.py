"""Numbers as residents type them: Dutch pages read '0,125' and '9.504' the Dutch way, English
pages the English way, and a text whose two readings both fit the field is refused (issue 10)."""

from __future__ import annotations

import pytest

from explain import parse_number
from explain.inputs import parse_value, plausible
from explain.numbers import readings
from explain.spec import Feature

LABEL = {"nl": "Veld", "en": "Field"}

# text, page language, value — the value the page's language gives (None: not a number).
NUMBER_TABLE = [
    ("0,125", "nl", 0.125),
    ("0,125", "en", 0.125),  # not an English number ('0,125' groups nothing): only the Dutch reading
    ("9.504", "nl", 9504.0),
    ("9.504", "en", 9.504),
    ("9,504", "nl", 9.504),
    ("9,504", "en", 9504.0),
    ("1.250", "nl", 1250.0),
    ("1.250", "en", 1.25),
    ("1.250,75", "nl", 1250.75),
    ("1.250,75", "en", 1250.75),  # only Dutch can read it
    ("1,250.75", "nl", 1250.75),  # only English can read it
    ("1,250.75", "en", 1250.75),
    ("120,5", "nl", 120.5),
    ("120,5", "en", 120.5),
    ("120.5", "nl", 120.5),  # '.5' is no thousands group, so only the English reading remains
    ("12.50", "nl", 12.5),
    ("0.5", "nl", 0.5),
    ("120", "nl", 120.0),
    ("120", "en", 120.0),
    ("€ 41.000", "nl", 41000.0),
    ("€41,000", "en", 41000.0),
    ("120 m²", "nl", 120.0),
    ("12 jaar", "nl", 12.0),
    ("1 250", "nl", 1250.0),
    ("  7 ", "en", 7.0),
    ("-3,5", "nl", -3.5),
    ("\u22123.5", "en", -3.5),
    ("1.2.3", "nl", None),
    ("1,2,3", "en", None),
    ("abc", "nl", None),
    ("", "en", None),
    ("nan", "en", None),
]


@pytest.mark.parametrize("text,lang,value", NUMBER_TABLE)
def test_the_page_language_reads_the_number(text, lang, value):
    assert parse_number(text, lang) == value


@pytest.mark.parametrize(
    "text,lang,expected",
    [
        ("9.504", "nl", [9504, 9.504]),
        ("9.504", "en", [9.504, 9504]),
        ("0,125", "nl", [0.125]),
        ("0,125", "en", [0.125]),
        ("1,250.75", "nl", [1250.75]),
        ("120", "nl", [120]),
    ],
)
def test_every_reading_is_listed_page_language_first(text, lang, expected):
    assert [float(v) for v in readings(text, lang)] == expected


def number(**rules) -> Feature:
    return Feature(name="veld", label=LABEL, kind="number", **rules)


DECIMAL_0_10000 = number(min=0, max=10000)
WHOLE_0_10000 = number(min=0, max=10000, integer=True)
DECIMAL_0_100 = number(min=0, max=100)
FRACTION = number(min=0, max=1, step=0.005)
SQUARE_METRES = number(min=0, max=2500, step=1)
HALVES = number(min=0, max=5000, step=0.5)

# field, text, page language, clean value (or None) and words the message must contain.
FIELD_TABLE = [
    (FRACTION, "0,125", "nl", 0.125, ()),
    (FRACTION, "0,125", "en", 0.125, ()),
    (FRACTION, "0.125", "en", 0.125, ()),
    (FRACTION, "0.125", "nl", 0.125, ()),  # 125 is no fraction: only one reading fits
    (WHOLE_0_10000, "9.504", "nl", 9504.0, ()),
    (WHOLE_0_10000, "9.504", "en", 9504.0, ()),  # 9.504 is no whole number
    (DECIMAL_0_100, "9.504", "nl", 9.504, ()),  # 9504 is out of range
    (DECIMAL_0_100, "9,504", "en", 9.504, ()),
    (SQUARE_METRES, "1.250", "en", 1250.0, ()),  # 1.25 is off the 1 m² step
    (HALVES, "1.250", "nl", 1250.0, ()),
    (DECIMAL_0_10000, "9.504", "nl", None, ("9504", "9,504")),
    (DECIMAL_0_10000, "9.504", "en", None, ("9.504", "9504")),
    (DECIMAL_0_10000, "9,504", "nl", None, ("9,504", "9504")),
    (DECIMAL_0_10000, "1.250", "nl", None, ("1250", "1,25", "duizendtallen")),
    (DECIMAL_0_10000, "1,250", "en", None, ("1250", "1.25", "thousands separator")),
    (DECIMAL_0_10000, "1.250,5", "nl", 1250.5, ()),
    (DECIMAL_0_10000, 9504, "en", 9504.0, ()),  # a JSON number is a number in every language
    (DECIMAL_0_10000, 0.125, "nl", 0.125, ()),
    (DECIMAL_0_10000, "12.345,6", "nl", None, ("10.000",)),  # range message, Dutch notation
    (WHOLE_0_10000, "12,5", "nl", None, ("heel getal",)),
]


@pytest.mark.parametrize("feat,raw,lang,value,words", FIELD_TABLE)
def test_a_field_accepts_the_only_plausible_reading_and_refuses_a_guess(feat, raw, lang, value, words):
    clean, error = parse_value(feat, raw, lang)
    assert clean == value
    if value is None:
        assert error and all(w in error for w in words), error
    else:
        assert error is None


def test_an_ambiguous_number_is_never_multiplied_by_a_thousand_in_silence():
    """Across every field rule: when both readings keep the field's rules the text is refused;
    otherwise the value is the one reading that does (or the page's reading, with an error)."""
    for feat in (DECIMAL_0_10000, WHOLE_0_10000, DECIMAL_0_100, FRACTION, SQUARE_METRES, HALVES):
        for text in ("0,125", "9.504", "1.250", "1,250", "41.000", "2,5", "12.5"):
            for lang in ("nl", "en"):
                clean, error = parse_value(feat, text, lang)
                fitting = [float(v) for v in readings(text, lang) if plausible(feat, float(v))]
                if len(fitting) == 2:
                    assert clean is None and error, (feat, text, lang)
                elif len(fitting) == 1:
                    assert clean == fitting[0] and error is None, (feat, text, lang)
                else:  # range and whole-number rules refuse it; the step alone only disambiguates
                    assert clean in (None, float(readings(text, lang)[0])), (feat, text, lang)


def test_each_language_reads_exactly_what_babels_strict_parser_reads():
    """The reader agrees with ``babel.numbers.parse_decimal(strict=True)`` on thousands of typed
    strings, except that it also takes a plus sign before a grouped number ('+1.250')."""
    import random

    from babel.numbers import parse_decimal

    from explain.fmt import BABEL_LOCALES
    from explain.numbers import _read

    rng = random.Random(10)
    texts = {"".join(rng.choice("0123456789.,-+") for _ in range(rng.randint(1, 9))) for _ in range(4000)}
    for lang in ("nl", "en"):
        for text in sorted(texts):
            try:
                expected = parse_decimal(text, locale=BABEL_LOCALES[lang], strict=True)
            except Exception:  # noqa: BLE001 — babel raises several kinds for a non-number
                expected = None
            got = _read(text, lang)
            if expected is None and text.startswith("+") and got is not None:
                assert _read(text[1:], lang) == got
                continue
            assert got == expected, (lang, text, got, expected)


def test_the_written_down_signs_are_babels_cldr_signs_for_every_page_language():
    """The group and decimal signs the reader uses without loading Babel's locale data are the ones
    Babel's CLDR data gives for each page language."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    from explain.fmt import BABEL_LOCALES
    from explain.numbers import CLDR_SYMBOLS

    assert set(CLDR_SYMBOLS) == set(BABEL_LOCALES)
    for lang, babel_locale in BABEL_LOCALES.items():
        assert CLDR_SYMBOLS[lang] == (get_group_symbol(babel_locale), get_decimal_symbol(babel_locale)), lang


def test_numbers_are_written_exactly_as_babel_writes_them_in_every_page_language():
    """The quick writer gives Babel's own text (CLDR pattern, half-to-even rounding of the shortest
    form) for halves, tiny and huge values, negatives and minus zero; beyond 15 digits Babel writes."""
    import random

    from babel.numbers import parse_pattern

    from explain import fmt

    rng = random.Random(10)
    values = [0.0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.005, 0.015, 2.675, 999999.995, -1234567.891, 0.0049,
              1e-7, 123456789012.345, 28985144979019.95, 1e15, 1e17, float("nan"), float("inf"), -float("inf")]
    values += [rng.choice([-1, 1]) * 10 ** rng.uniform(-8, 16) for _ in range(3000)]
    values += [round(v, rng.randint(0, 4)) + rng.choice([0.5, 0.05, 0.005, 0.125]) for v in values[-1000:]]
    for value in values:
        for lang, babel_locale in fmt.BABEL_LOCALES.items():
            for decimals in (None, 0, 1, 2, 3, 7):
                for grouping in (True, False):
                    places = decimals
                    if places is None:
                        places = 0 if float(value).is_integer() else (1 if abs(value) >= 10 else 2)
                    pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
                    rounded = round(value, places) if abs(value) < float("inf") else value
                    babel = parse_pattern(pattern).apply(rounded, babel_locale)
                    assert fmt.number(value, lang, decimals=decimals, grouping=grouping) == babel, \
                        (value, lang, decimals, grouping)
