"""Extract messages and merge them into translations/nl/messages.po; list what still needs Dutch.

Usage: .venv/bin/python scripts/translations.py [extra_translations.py ...]  (files defining NL = {msgid: msgstr})
"""
import subprocess, sys, os

from babel.messages.pofile import read_po, write_po
from babel.messages.catalog import Catalog
os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2",
                "-k", "N_", "-k", "t", "-k", "_l", "--no-location", "--omit-header", "--sort-output",
                "-o", "/tmp/messages.pot", "."], check=True, capture_output=True)
import importlib.util
NL = {}
for f in sys.argv[1:]:
    spec = importlib.util.spec_from_file_location("m", f); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    NL.update(m.NL)
po_path = "register/translations/nl/LC_MESSAGES/messages.po"
existing = {}
if os.path.exists(po_path):
    for msg in read_po(open(po_path, "rb")):
        if msg.id and msg.string and (msg.string if isinstance(msg.string, str) else all(msg.string)):
            existing[msg.id] = msg.string
pot = read_po(open("/tmp/messages.pot", "rb"))
cat = Catalog(locale="nl", project="Stadsregister", version="1", charset="utf-8", fuzzy=False)
missing = []
for msg in pot:
    if not msg.id:
        continue
    string = NL.get(msg.id) or existing.get(msg.id)
    if not string:
        missing.append(msg.id)
        string = "" if isinstance(msg.id, str) else ("", "")
    cat.add(msg.id, string)
os.makedirs(os.path.dirname(po_path), exist_ok=True)
with open(po_path, "wb") as fh:
    write_po(fh, cat, omit_header=False, sort_output=True, width=100)
print("missing:", missing)
