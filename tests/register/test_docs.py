"""Documentation is tested: every command, setting and public URL is in the README."""
from pathlib import Path

from register.config import DEFAULTS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented(app):
    for name, command in app.cli.commands.items():
        if name in ("routes", "shell", "run"):
            continue
        subcommands = getattr(command, "commands", None)
        for sub in subcommands or [None]:
            text = f"stadsregister {name}" + (f" {sub}" if sub else "")
            assert text in README, text


def test_every_setting_is_documented():
    for name in DEFAULTS:
        assert f"STADSREGISTER_{name}" in README, name


def test_every_public_url_is_documented(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("public.") and not rule.endpoint.endswith("_json"):
            assert f"`{rule.rule.replace('<code>', '<code>')}" in README, rule.rule
