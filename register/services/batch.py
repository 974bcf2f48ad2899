"""Decision receipts for a whole file of cases: in chunks, across processes and machines (#16).

- ``read_cases`` reads the CSV and keeps each case's line number; ``shard=(i, n)`` keeps every
  n-th case starting at the i-th, so n machines can share one file and their outputs, sorted
  by line, are the output of one run.
- ``run`` explains and stores the cases chunk by chunk and yields each chunk's lines in input
  order.  With ``workers > 1`` the chunks are spread over that many processes, forked after the
  parent has built the model's explainer, so each worker starts with it warm and has its own
  database connection.
- Re-running is safe: a case with the same reference and inputs gets the same receipt.  Two
  workers that store the same case at once meet at the unique token: the loser retries its
  chunk and finds the receipt the other stored.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from register.models import Algorithm


@dataclass(frozen=True)
class Case:
    line: int  # the CSV line a person sees (header = 1)
    case_ref: str | None
    inputs: dict


@dataclass(frozen=True)
class Line:
    line: int
    case_ref: str
    url: str
    reference: str
    error: str


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' → (2, 4); raises ValueError with a message a person can act on."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard takes i/N, e.g. 1/4, not {text!r}") from None
    if not 1 <= index <= count:
        raise ValueError(f"--shard {text}: i must be between 1 and N")
    return index, count


def read_cases(path: Path, shard: tuple[int, int] = (1, 1)) -> list[Case]:
    index, count = shard
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    return [Case(number + 2, (row.get("case_ref") or "").strip() or None,
                 {k: v for k, v in row.items() if k != "case_ref"})
            for number, row in enumerate(rows) if number % count == index - 1]


def explain_chunk(session: Session, algorithm: Algorithm, cases: list[Case], secret: str,
                  data_dir: str, base_url: str, locale: str = "en") -> list[Line]:
    from register.services.decisions import create_receipts

    pairs = [(case.inputs, case.case_ref) for case in cases]
    for attempt in range(3):
        try:
            results = create_receipts(session=session, algorithm=algorithm, cases=pairs,
                                      secret=secret, data_dir=data_dir, locale=locale)
            break
        except IntegrityError:  # another worker stored the same case first: find it this time
            session.rollback()
            if attempt == 2:
                raise
    lines = []
    for case, (token, receipt, errors) in zip(cases, results):
        if errors:
            problem = "; ".join(f"{field}: {message}" for field, message in errors.items())
            lines.append(Line(case.line, case.case_ref or "", "", "", problem))
        else:
            lines.append(Line(case.line, case.case_ref or "", f"{base_url}/d/{token}",
                              receipt.short_code, ""))
    return lines


_worker: dict = {}


def _start_worker(config: dict, code: str, locale: str) -> None:
    """In each forked worker: its own engine and connections (no Flask app: none is needed)."""
    from register import open_register
    from register.services import algorithms

    opened = open_register(config)
    session = Session(opened.engine, expire_on_commit=False)
    _worker.update(config=opened.config, session=session, algorithm=algorithms.get_by_code(session, code),
                   locale=locale)


def _work(cases: list[Case]) -> list[Line]:
    config = _worker["config"]
    return explain_chunk(_worker["session"], _worker["algorithm"], cases, config["SECRET_KEY"],
                         config["DATA_DIR"], config["BASE_URL"].rstrip("/"), _worker["locale"])


def run(*, session: Session, algorithm: Algorithm, cases: list[Case], config: dict,
        workers: int = 1, chunk: int = 1000, locale: str = "en",
        warm: Callable[[], None] | None = None) -> Iterator[list[Line]]:
    """Each chunk's lines, in input order.  ``config`` is the app's configuration (for workers);
    ``warm`` builds what every worker should inherit (the explainer) before they fork."""
    chunks = [cases[start:start + chunk] for start in range(0, len(cases), chunk)]
    base = config["BASE_URL"].rstrip("/")
    if workers <= 1 or len(chunks) <= 1:
        for part in chunks:
            yield explain_chunk(session, algorithm, part, config["SECRET_KEY"],
                                config["DATA_DIR"], base, locale)
        return
    if warm:
        warm()
    session.close()  # no connection of the parent's crosses the fork
    session.get_bind().dispose()
    keys = ("ENV", "SECRET_KEY", "DATABASE_URL", "DATA_DIR", "BASE_URL")
    settings = {k: config[k] for k in keys if k in config}
    import multiprocessing

    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_start_worker,
                      initargs=(settings, algorithm.code, locale)) as pool:
        yield from pool.imap(_work, chunks)
