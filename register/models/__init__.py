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
from register.models.document import Document, DocumentCreate, DocumentFile, VersionDocument
from register.models.explanation import DecisionReceipt, ModelVersion
from register.models.footprint import CpuMeasurement, LockinIndex
from register.models.generation import ContentGeneration
from register.models.interchange import NationalClaim, NationalSubmission
from register.models.participation import Advice, Contribution, ContributionFlag
from register.models.sensor import Sensor, SensorChange, SensorMessage, SensorReport

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
