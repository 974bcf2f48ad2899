"""The S-FEEL subset of DMN decision tables: unary tests in input entries, literals in outputs.

Supported, as DMN 1.1–1.5 define S-FEEL:

- ``-`` (any value);
- a comma-separated list of tests, one of which must hold;
- ``not(test, …)`` — none of the tests holds;
- comparisons ``< <= > >= = !=`` against an endpoint;
- ranges ``[a..b]`` with open ends written ``(a..b)``, ``]a..b[`` and their mixes;
- endpoints: numbers, "strings", ``true``/``false``, ``null``, ``date("2026-12-01")``, and the
  name of another input (compared with that input's value in the same case).

Anything else (arithmetic, function calls other than ``date``, ``in``, lists, ``?``) raises
``FeelError`` naming the text, so a table is refused at intake rather than misread.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Self

Value = Any  # float | int | str | bool | dt.date | None


class FeelError(ValueError):
    """``text`` is outside the supported S-FEEL subset; ``reason`` says which part."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{reason}: {text!r}")
        self.text = text
        self.reason = reason


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>\d+(?:\.\d+)?|\.\d+)
    | (?P<range>\.\.)
    | (?P<op><=|>=|!=|<|>|=)
    | (?P<punct>[\[\]\(\),-])
    | (?P<name>[A-Za-z_\u00c0-\uffff][\w\u00c0-\uffff.]*)
    | (?P<other>\S)
    )""", re.VERBOSE)


class OtherValue(str):
    """'Any value not named in the table': equal to no text, so it fails every list of values
    and passes every not(…) of them.  Used to show that another zone, say, would decide
    differently, without inventing a zone."""

    def __new__(cls) -> Self:
        return super().__new__(cls, "(another value)")


@dataclass(frozen=True)
class Name:
    """Another input of the same case, used as an endpoint."""

    name: str


@dataclass(frozen=True)
class Test:
    """One positive test: ``op`` is '=', '!=', '<', '<=', '>', '>=' or 'range'."""

    op: str
    value: Any = None
    high: Any = None
    low_closed: bool = True
    high_closed: bool = True


@dataclass(frozen=True)
class UnaryTests:
    """What an input entry says: any value, one of ``tests``, or (``negated``) none of them."""

    text: str
    tests: tuple[Test, ...] = ()
    negated: bool = False

    @property
    def any(self) -> bool:
        return not self.tests and not self.negated


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "other":
            raise FeelError(text, f"the sign {value!r} is not part of the supported S-FEEL")
        out.append((kind, value.strip()))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            want = f"{value!r}" if value else "more"
            raise FeelError(self.text, f"expected {want} here")
        self.i += 1
        return token

    def done(self) -> None:
        if self.peek() is not None:
            raise FeelError(self.text, f"unexpected {self.peek()[1]!r}")

    def endpoint(self) -> Any:
        kind, value = self.take()
        if kind == "punct" and value == "-":
            kind2, number = self.take()
            if kind2 != "number":
                raise FeelError(self.text, "a minus sign must be followed by a number")
            return -_number(number)
        if kind == "number":
            return _number(value)
        if kind == "string":
            return _string(value)
        if kind == "name":
            if value in ("true", "false"):
                return value == "true"
            if value == "null":
                return None
            if value == "date":
                self.take("(")
                kind2, literal = self.take()
                self.take(")")
                if kind2 != "string":
                    raise FeelError(self.text, "date() takes a text such as \"2026-12-01\"")
                try:
                    return dt.date.fromisoformat(_string(literal))
                except ValueError:
                    raise FeelError(self.text, "not a date in the form YYYY-MM-DD") from None
            if self.peek() and self.peek()[1] == "(":
                raise FeelError(self.text, f"the function {value}() is not supported")
            if value in ("and", "or", "in", "between", "instance", "some", "every", "if", "for"):
                raise FeelError(self.text, f"the FEEL keyword '{value}' is not supported")
            return Name(value)
        raise FeelError(self.text, f"{value!r} cannot start a value")

    def positive(self) -> Test:
        kind, value = self.peek() or ("", "")
        if kind == "op":
            self.take()
            return Test(value, self.endpoint())
        if kind == "punct" and value in ("[", "(", "]"):
            self.take()
            low = self.endpoint()
            self.take("..")
            high = self.endpoint()
            close = self.take()[1]
            if close not in ("]", ")", "["):
                raise FeelError(self.text, "a range ends with ']', ')' or '['")
            return Test("range", low, high, low_closed=value == "[", high_closed=close == "]")
        return Test("=", self.endpoint())

    def positives(self) -> tuple[Test, ...]:
        tests = [self.positive()]
        while self.peek() and self.peek()[1] == ",":
            self.take(",")
            tests.append(self.positive())
        return tuple(tests)


def _number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"\d+", text) else float(text)


def _string(token: str) -> str:
    return re.sub(r'\\(.)', r"\1", token[1:-1])


def parse_unary_tests(text: str | None) -> UnaryTests:
    """An input entry's text as ``UnaryTests``; empty text and ``-`` match any value."""
    source = (text or "").strip()
    if source in ("", "-"):
        return UnaryTests(source)
    parser = _Parser(source)
    first = parser.peek()
    if first == ("name", "not") and len(parser.tokens) > 1 and parser.tokens[1][1] == "(":
        parser.take()
        parser.take("(")
        tests = parser.positives()
        parser.take(")")
        parser.done()
        return UnaryTests(source, tests, negated=True)
    tests = parser.positives()
    parser.done()
    return UnaryTests(source, tests)


def parse_literal(text: str | None) -> Value:
    """An output entry or allowed value: one literal (empty text is null)."""
    source = (text or "").strip()
    if not source:
        return None
    parser = _Parser(source)
    value = parser.endpoint()
    parser.done()
    if isinstance(value, Name):
        raise FeelError(source, "an output must be a value, not the name of an input")
    return value


def parse_literal_list(text: str | None) -> list[Value]:
    """Allowed values such as ``"A","B","C"`` (input/output values of a table)."""
    source = (text or "").strip()
    if not source:
        return []
    parser = _Parser(source)
    values = [parser.endpoint()]
    while parser.peek() and parser.peek()[1] == ",":
        parser.take(",")
        values.append(parser.endpoint())
    parser.done()
    return values


def _comparable(a: Value, b: Value) -> bool:
    if a is None or b is None:
        return False
    numeric = (int, float)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, numeric) and isinstance(b, numeric):
        return True
    return type(a) is type(b)


def _resolve(value: Any, context: dict[str, Value]) -> Value:
    return context.get(value.name) if isinstance(value, Name) else value


def test_holds(test: Test, value: Value, context: dict[str, Value]) -> bool:
    """Whether one positive test holds for ``value`` (null and mixed types never match)."""
    a = _resolve(test.value, context)
    if test.op == "range":
        b = _resolve(test.high, context)
        if not (_comparable(value, a) and _comparable(value, b)):
            return False
        above = value >= a if test.low_closed else value > a
        below = value <= b if test.high_closed else value < b
        return above and below
    if test.op in ("=", "!="):
        same = value is None and a is None or (_comparable(value, a) and value == a)
        return same if test.op == "=" else (not same and value is not None)
    if not _comparable(value, a):
        return False
    return {"<": value < a, "<=": value <= a, ">": value > a, ">=": value >= a}[test.op]


def matches(entry: UnaryTests, value: Value, context: dict[str, Value]) -> bool:
    """Whether an input entry holds for ``value``."""
    if entry.any:
        return True
    hit = any(test_holds(t, value, context) for t in entry.tests)
    return not hit if entry.negated else hit
