"""SQLModel tables and their API shapes. Importing this package registers every table."""
from register.models.accounts import ApiToken, Membership, Organisation, OrganisationPublic, User
from register.models.algorithm import (
    Algorithm,
    AlgorithmCreate,
    AlgorithmEntryBase,
    AlgorithmEvent,
    AlgorithmPublic,
    AlgorithmTheme,
    AlgorithmUpdate,
    AlgorithmVersion,
)
from register.models.explanation import DecisionReceipt, ModelVersion
from register.models.document import Document, DocumentCreate, DocumentFile, VersionDocument
from register.models.interchange import NationalSubmission
from register.models.sensor import Sensor, SensorChange, SensorMessage, SensorReport

__all__ = [
    "DecisionReceipt", "ModelVersion",
    "Algorithm", "AlgorithmCreate", "AlgorithmEntryBase", "AlgorithmEvent", "AlgorithmPublic",
    "AlgorithmTheme", "AlgorithmUpdate", "AlgorithmVersion", "ApiToken", "Membership",
    "Organisation", "OrganisationPublic", "User",
    "Sensor", "SensorChange", "SensorMessage", "SensorReport",
    "Document", "DocumentCreate", "DocumentFile", "VersionDocument",
    "NationalSubmission",
]
