"""Every message people can see has Dutch text."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "t": None, "_l": None}


def test_every_message_has_a_dutch_translation():
    with open(ROOT / "register/translations/nl/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    method_map = [("register/**.py", "python"), ("templates/**.html", "jinja2")]
    missing = []
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, keywords=KEYWORDS):
        key = message if isinstance(message, str) else message[0]
        entry = catalogue.get(key)
        if not key:
            continue
        if entry is None or not (entry.string if isinstance(entry.string, str) else all(entry.string)):
            missing.append(key)
    assert missing == [], "run scripts/translations.py and add Dutch for: " + "; ".join(sorted(set(missing)))
