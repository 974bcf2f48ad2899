"""An algorithm entry: its identity, its versions (drafts and immutable published versions).

The entry fields are those of the national publication standard v1.0.0 (same names, limits,
enums and date pattern; ``language`` and ``schema`` are constants added on export) followed by
Stadsregister's own extensions. ``tests/register/test_standard.py`` checks them against the
schema so the two cannot drift apart.
"""
from __future__ import annotations

from datetime import datetime

from pydantic import create_model
from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from register.models.accounts import utcnow

STATUSES = ("In ontwikkeling", "In gebruik", "Buiten gebruik")
PUBLICATION_CATEGORIES = (
    "Hoog-risico AI-systeem (Categorie A)",
    "Impactvolle algoritmes (Categorie B)",
    "Overige algoritmes (Categorie C)",
)
AI_ACT_RISK_CLASSES = ("none", "minimal", "limited", "high", "prohibited")
# Vendor lock-in and costs extension values (issue 15); their definitions are published on /lock-in-index/method.
HOSTING_KINDS = ("own", "nl_eu_cloud", "other")
REPLACEABILITY = ("easy", "effort", "hard", "locked")
FIGURE_SOURCES = ("declared", "invoiced", "measured")
# Lifecycle of the public entry and of a working copy (a version that is not yet published).
PUBLIC_STATES = ("unpublished", "published", "retracted", "archived")
DRAFT_STATES = ("draft", "submitted", "returned")


class AlgorithmEntryBase(SQLModel):
    # --- publication standard v1.0.0: Algemene informatie
    # name, organization and legal_basis_title: 100, what the national register accepts (issue #17)
    name: str = Field(max_length=100)
    description_short: str = Field(max_length=399)
    organization: str = Field(max_length=100)
    theme: list[str] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(max_length=20)
    start_date: str = Field(max_length=7)
    end_date: str | None = Field(default=None, max_length=7)
    contact: str = Field(sa_type=Text)
    link: str | None = Field(default=None, sa_type=Text)
    publication_category: str = Field(max_length=40)
    source_link: str | None = Field(default=None, sa_type=Text)
    # --- Verantwoord gebruik
    purpose_and_impact: str = Field(max_length=2499)
    considerations: str = Field(max_length=2499)
    human_intervention: str = Field(max_length=2499)
    risk_management: str = Field(max_length=2499)
    legal_basis: str | None = Field(default=None, max_length=2499)
    legal_basis_link: str | None = Field(default=None, sa_type=Text)
    legal_basis_title: str | None = Field(default=None, max_length=100)
    processing_register_link: str | None = Field(default=None, sa_type=Text)
    impact_assessments: str = Field(sa_type=Text)
    impact_assessment_link: str | None = Field(default=None, sa_type=Text)
    impact_assessment_explanation: str | None = Field(default=None, max_length=2499)
    # --- Werking
    data: str = Field(max_length=2499)
    data_source_link: str | None = Field(default=None, sa_type=Text)
    data_source_title: str | None = Field(default=None, max_length=499)
    technical_operation: str = Field(max_length=4999)
    supplier: str = Field(max_length=199)
    source_code_link: str | None = Field(default=None, sa_type=Text)
    # --- Metadata (hidden on the public page)
    source_id: str | None = Field(default=None, max_length=200)
    search_terms: str | None = Field(default=None, sa_type=Text)
    # --- Stadsregister extensions: "Your decision"
    decision_kinds: list[str] = Field(default_factory=list, sa_type=JSON)
    human_contact: str | None = Field(default=None, max_length=999)
    objection_route: str | None = Field(default=None, max_length=999)
    objection_link: str | None = Field(default=None, sa_type=Text)
    # --- Stadsregister extensions: EU AI Act and supplier
    ai_act_risk_class: str | None = Field(default=None, max_length=20)
    eu_database_ref: str | None = Field(default=None, max_length=99)
    source_open: bool | None = None
    exit_strategy: str | None = Field(default=None, max_length=2499)
    open_standards: str | None = Field(default=None, max_length=999)
    # --- Stadsregister extensions: how long a resident's decision receipt is kept (months)
    receipt_months: int | None = None
    # --- Stadsregister extensions: AI Act Annex VIII C.3, the provider's entry in the EU database
    eu_provider_entry_url: str | None = Field(default=None, sa_type=Text)
    # --- Stadsregister extensions: vendor lock-in (issue 15; see services/lockin.py)
    publiccode_url: str | None = Field(default=None, sa_type=Text)
    hosting: str | None = Field(default=None, max_length=20)
    data_portable: bool | None = None
    exit_in_contract: bool | None = None
    contract_end_date: str | None = Field(default=None, max_length=7)
    replaceability: str | None = Field(default=None, max_length=20)
    # --- Stadsregister extensions: yearly costs and energy, each with source and year (services/costs.py)
    cost_licence_eur: int | None = None
    cost_licence_source: str | None = Field(default=None, max_length=20)
    cost_licence_year: int | None = None
    cost_hosting_eur: int | None = None
    cost_hosting_source: str | None = Field(default=None, max_length=20)
    cost_hosting_year: int | None = None
    cost_staff_eur: int | None = None
    cost_staff_source: str | None = Field(default=None, max_length=20)
    cost_staff_year: int | None = None
    energy_training_kwh: float | None = None
    energy_training_source: str | None = Field(default=None, max_length=20)
    energy_training_year: int | None = None
    energy_running_kwh: float | None = None
    energy_running_source: str | None = Field(default=None, max_length=20)
    energy_running_year: int | None = None


class Algorithm(SQLModel, table=True):
    """The identity of an entry: its public code, owner and what the public sees.

    The listing columns mirror the published version so lists and filters need no join.
    """

    __table_args__ = (UniqueConstraint("organisation_id", "source_id", name="uq_algorithm_source"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True, index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    source_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    public_state: str = Field(default="unpublished", max_length=20, index=True)
    public_state_reason: str | None = Field(default=None, max_length=999)
    published_version_id: int | None = None
    draft_version_id: int | None = None
    # listing columns (of the published version)
    name: str | None = Field(default=None, max_length=100)
    description_short: str | None = Field(default=None, max_length=399)
    organisation_name: str | None = Field(default=None, max_length=100, index=True)
    status: str | None = Field(default=None, max_length=20, index=True)
    publication_category: str | None = Field(default=None, max_length=40, index=True)
    has_impact_assessment: bool = Field(default=False, index=True)
    published_at: datetime | None = Field(default=None, index=True)


class AlgorithmVersion(AlgorithmEntryBase, table=True):
    """A working copy (draft, submitted, returned) or an immutable published version."""

    __tablename__ = "algorithm_version"
    __table_args__ = (UniqueConstraint("algorithm_id", "number", name="uq_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    algorithm_id: int = Field(foreign_key="algorithm.id", index=True)
    number: int | None = None  # given at publication: 1, 2, …
    state: str = Field(default="draft", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    last_editor_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    return_reason: str | None = Field(default=None, max_length=999)
    published_at: datetime | None = None
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    change_note: str | None = Field(default=None, max_length=999)
    model_version_id: int | None = None  # the registered model this version explains decisions with


class AlgorithmTheme(SQLModel, table=True):
    """The themes of an entry's published version, one row each, for filters and counts."""

    __tablename__ = "algorithm_theme"
    algorithm_id: int = Field(foreign_key="algorithm.id", primary_key=True)
    theme: str = Field(max_length=99, primary_key=True, index=True)


class AlgorithmEvent(SQLModel, table=True):
    """Audit trail: who did what to an entry, when, and why."""

    __tablename__ = "algorithm_event"
    id: int | None = Field(default=None, primary_key=True)
    algorithm_id: int = Field(foreign_key="algorithm.id", index=True)
    version_id: int | None = Field(default=None, foreign_key="algorithm_version.id")
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    at: datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=20)
    reason: str | None = Field(default=None, max_length=999)


class AlgorithmCreate(AlgorithmEntryBase):
    """What a registrant sends to create an entry."""


# A partial update: every entry field optional; only the fields that are sent change.
AlgorithmUpdate = create_model(
    "AlgorithmUpdate",
    __base__=SQLModel,
    **{name: (field.annotation | None, None) for name, field in AlgorithmEntryBase.model_fields.items()},
)


class AlgorithmPublic(AlgorithmEntryBase):
    """The published shape: entry fields plus code, version and dates."""

    code: str
    version: int
    published_at: datetime
    public_state: str


class ListingGeneration(SQLModel, table=True):
    """One row counting changes to what the public list shows; caches of the list key on it."""

    __tablename__ = "listing_generation"
    id: int = Field(default=1, primary_key=True)
    value: int = 0
