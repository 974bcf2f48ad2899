"""SQLModel tables and their API shapes.

The names below are imported from their modules on first use (PEP 562), so a process registers
the tables it uses: ``decisions batch`` needs neither the sensors' nor the participation tables,
and their classes are a tenth of a second of its start-up (issue 16).  ``load_all()`` registers
every table on ``SQLModel.metadata`` (the migrations' environment calls it).
"""
from importlib import import_module

MODULES = ("accounts", "algorithm", "document", "explanation", "footprint", "generation", "interchange",
           "participation", "sensor")
_HOME = {
    "Advice": "participation",
    "Algorithm": "algorithm",
    "AlgorithmCreate": "algorithm",
    "AlgorithmEntryBase": "algorithm",
    "AlgorithmEvent": "algorithm",
    "AlgorithmPublic": "algorithm",
    "AlgorithmTheme": "algorithm",
    "AlgorithmUpdate": "algorithm",
    "AlgorithmVersion": "algorithm",
    "ApiToken": "accounts",
    "ContentGeneration": "generation",
    "Contribution": "participation",
    "ContributionFlag": "participation",
    "CpuMeasurement": "footprint",
    "DecisionReceipt": "explanation",
    "Document": "document",
    "DocumentCreate": "document",
    "DocumentFile": "document",
    "LockinIndex": "footprint",
    "Membership": "accounts",
    "ModelVersion": "explanation",
    "NationalClaim": "interchange",
    "NationalSubmission": "interchange",
    "Organisation": "accounts",
    "OrganisationPublic": "accounts",
    "Sensor": "sensor",
    "SensorChange": "sensor",
    "SensorMessage": "sensor",
    "SensorReport": "sensor",
    "User": "accounts",
    "VersionDocument": "document",
}


def load_all() -> None:
    """Import every model module: every table on ``SQLModel.metadata``."""
    for module in MODULES:
        import_module(f"{__name__}.{module}")


def __getattr__(name: str):
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))


__all__ = [
    "Advice",
    "Algorithm",
    "AlgorithmCreate",
    "AlgorithmEntryBase",
    "AlgorithmEvent",
    "AlgorithmPublic",
    "AlgorithmTheme",
    "AlgorithmUpdate",
    "AlgorithmVersion",
    "ApiToken",
    "ContentGeneration",
    "Contribution",
    "ContributionFlag",
    "CpuMeasurement",
    "DecisionReceipt",
    "Document",
    "DocumentCreate",
    "DocumentFile",
    "LockinIndex",
    "Membership",
    "ModelVersion",
    "NationalClaim",
    "NationalSubmission",
    "Organisation",
    "OrganisationPublic",
    "Sensor",
    "SensorChange",
    "SensorMessage",
    "SensorReport",
    "User",
    "VersionDocument",
]
