"""Reading single values as people type them: yes/no, dates, periods, links, e-mail."""

from __future__ import annotations

import datetime as dt
import math
import re
from urllib.parse import urlsplit

_YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
_NO = {"nee", "n", "no", "false", "onwaar", "0"}


class ValueProblem(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def text(value: object) -> str | None:
    """Stripped text with runs of whitespace collapsed; None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a reference typed as 12 comes back from Excel as 12.0
    if "\x00" in str(value):  # no database text may hold one (PostgreSQL refuses it: issue 12)
        raise ValueProblem("nul_character")
    return re.sub(r"[ \t\u00a0]+", " ", str(value)).strip() or None


def yes_no(value: object) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = str(value).strip().casefold()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ValueProblem("yes_no")


_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%y", "%Y/%m/%d")


def date(value: object) -> dt.date | None:
    """A date from a date/datetime, 'dd-mm-jjjj' (Amsterdam's form), ISO, or similar."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    raw = re.sub(r"[T ]00:00(:00)?(\.0+)?$", "", raw)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueProblem("bad_date")


_UNITS = {
    "d": 1, "dag": 1, "dagen": 1, "day": 1, "days": 1,
    "w": 7, "week": 7, "weken": 7, "weeks": 7,
    "m": 30, "maand": 30, "maanden": 30, "month": 30, "months": 30,
    "j": 365, "jaar": 365, "jaren": 365, "y": 365, "year": 365, "years": 365,
    "u": 1 / 24, "uur": 1 / 24, "uren": 1 / 24, "h": 1 / 24, "hour": 1 / 24, "hours": 1 / 24,
}


def retention_days(value: object) -> int | None:
    """Days from 28, '28 dagen', '4 weken', '1 jaar', '48 uur' (rounded up to whole days)."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise ValueProblem("bad_retention")
        return math.ceil(value)
    m = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*([a-z]*)\.?\s*", str(value).casefold())
    if not m or (m.group(2) and m.group(2) not in _UNITS):
        raise ValueProblem("bad_retention")
    number = float(m.group(1).replace(",", "."))
    return math.ceil(number * _UNITS.get(m.group(2) or "d", 1))


def url(value: object) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    if re.match(r"^www\.", raw, re.IGNORECASE):
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or "." not in parts.netloc or " " in raw:
        raise ValueProblem("bad_url")
    return raw


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)

#: Mailbox providers whose addresses belong to a person, not an organisation.
PERSONAL_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.nl", "outlook.com", "outlook.nl",
    "live.com", "live.nl", "msn.com", "yahoo.com", "yahoo.nl", "icloud.com", "me.com",
    "ziggo.nl", "kpnmail.nl", "kpnplanet.nl", "planet.nl", "home.nl", "xs4all.nl", "zeelandnet.nl",
    "casema.nl", "upcmail.nl", "chello.nl", "hetnet.nl", "proton.me", "protonmail.com",
    "gmx.com", "gmx.net", "aol.com",
})


def email(value: object) -> str | None:
    raw = text(value)
    if raw is None:
        return None
    raw = raw.replace(" ", "").removeprefix("mailto:")
    if len(raw) > 254 or not _EMAIL.match(raw):  # RFC 5321: an address has at most 254 characters
        raise ValueProblem("bad_email")
    return raw.lower()


def is_personal_mailbox(address: str) -> bool:
    return address.rsplit("@", 1)[-1].lower() in PERSONAL_MAIL_DOMAINS
