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

__all__ = [
    "Algorithm", "AlgorithmCreate", "AlgorithmEntryBase", "AlgorithmEvent", "AlgorithmPublic",
    "AlgorithmTheme", "AlgorithmUpdate", "AlgorithmVersion", "ApiToken", "Membership",
    "Organisation", "OrganisationPublic", "User",
]
