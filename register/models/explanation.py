"""Registered model versions of an algorithm and residents' decision receipts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from register.models.accounts import utcnow


class ModelVersion(SQLModel, table=True):
    """One uploaded model with its feature spec and reference data, and the figures computed at
    registration (global explanation, performance, fairness). Never changed after registration."""

    __tablename__ = "model_version"
    __table_args__ = (UniqueConstraint("algorithm_id", "number", name="uq_model_version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    algorithm_id: int = Field(foreign_key="algorithm.id", index=True)
    number: int
    sha256: str = Field(max_length=64, index=True)
    reference_sha256: str = Field(max_length=64)
    # sklearn | dmn | xgboost | lightgbm | text | onnx (issue 11); told from the file's content
    kind: str = Field(default="sklearn", max_length=20, sa_column_kwargs={"server_default": "sklearn"})
    extra_sha256: str | None = Field(default=None, max_length=64)  # a booster's .skops preprocessing
    spec: dict = Field(sa_type=JSON)
    method: str = Field(max_length=20)
    settings: dict = Field(default_factory=dict, sa_type=JSON)
    versions: dict = Field(default_factory=dict, sa_type=JSON)
    global_explanation: dict = Field(default_factory=dict, sa_type=JSON)
    fairness: dict = Field(default_factory=dict, sa_type=JSON)
    reference_rows: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    note: str | None = Field(default=None, max_length=999)


class DecisionReceipt(SQLModel, table=True):
    """One resident's explanation, stored as it was made, until it expires.

    Only a hash of the URL token is stored; a case reference only as a keyed hash.
    """

    __tablename__ = "decision_receipt"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    short_code: str = Field(max_length=20, unique=True, index=True)
    algorithm_id: int = Field(foreign_key="algorithm.id", index=True)
    algorithm_version_id: int = Field(foreign_key="algorithm_version.id")
    model_version_id: int = Field(foreign_key="model_version.id")
    explanation: dict = Field(sa_type=JSON)
    case_ref_hash: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class ModelGeneration(SQLModel, table=True):
    """One row that changes with every model registration (issue 10).

    Each process keeps parsed specs and explainer keys of model versions for one generation;
    ``token`` is new at every change, so a copy is never mistaken for current, even after the
    counter starts again in a fresh database.
    """

    __tablename__ = "model_generation"

    id: int = Field(default=1, primary_key=True)
    value: int = 0
    token: str = Field(default="", max_length=32)
