"""Command groups of the rooms beyond the core (sensors, documents, explanations, …).

Each module here defines ``COMMANDS``, a list of click commands or groups; ``register.cli``
adds them all to the ``stadsregister`` command.
"""
import importlib
import pkgutil


def all_commands() -> list:
    found = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        found.extend(getattr(module, "COMMANDS", []))
    return found
