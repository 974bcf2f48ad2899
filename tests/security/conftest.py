"""The register's fixtures (two organisations with their people, a published entry) for the
security corpus: the same world the permission tests use."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "register_test_fixtures", Path(__file__).parent.parent / "register" / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _fixtures  # dataclasses look their module up
_spec.loader.exec_module(_fixtures)

PASSWORD = _fixtures.PASSWORD
valid_entry = _fixtures.valid_entry
world = _fixtures.world
published = _fixtures.published
make_entry = _fixtures.make_entry
