"""The sensor register, by job:

- ``records``   — a row as a ``geo`` record, its public view, the change diff, who may edit;
- ``register``  — create and update with per-field validation, the public change history;
- queries: ``filters`` (filters → SQL), ``mapindex`` (viewport clusters and the map's index),
  ``lists`` (the accessible list, the owner's list, open-data exports);
- ``upkeep``    — confirmation, expiry, reminders;
- ``residents`` — reports of missing sensors, messages relayed to owners; ``notify`` tells owners
  by e-mail; ``owners`` — organisations named in an import's "Uw gegevens" sheet.

Callers import this package (``from register.services import sensors as svc``); it re-exports
what they use.  Services take an explicit session and never touch the request.
"""
from register.models.accounts import utcnow

from .filters import (
    SORTS,
    Filters,
    bbox_condition,
    conditions,
    count,
    intersects_condition,
    is_postgres,
)
from .lists import export, iter_export, iter_records, owned_sensors, page
from .mapindex import area, facet_counts, map_counts, map_index, viewport, warm_map_index
from .owners import unverified_organisations, verify_organisation
from .records import (
    EDITABLE_FIELDS,
    LOCATION_KEYS,
    OWNER_KIND,
    PRIVATE_FIELDS,
    SensorInvalid,
    _apply,
    can_edit,
    column_values,
    diff,
    organisations_for,
    owner_kind,
    place_columns,
    public_record,
    record,
    require_edit,
    theme_bits,
)
from .register import (
    _placeholder,
    _record_change,
    by_reference,
    create_sensor,
    get_sensor,
    history,
    merged_input,
    update_sensor,
    validate,
)
from .residents import (
    MESSAGE_RETENTION_DAYS,
    create_report,
    handle_report,
    messages_for,
    purge_messages,
    relay_available,
    reports,
    send_message,
)
from .upkeep import REMINDER_DAYS, UNCONFIRMED_DAYS, confirm_sensor, mark_expired, reminders

__all__ = [
    "EDITABLE_FIELDS", "LOCATION_KEYS", "MESSAGE_RETENTION_DAYS", "OWNER_KIND", "PRIVATE_FIELDS", "REMINDER_DAYS",
    "SORTS", "UNCONFIRMED_DAYS", "Filters", "SensorInvalid", "_apply", "_placeholder", "_record_change",
    "area", "bbox_condition", "by_reference", "can_edit", "column_values", "conditions", "confirm_sensor", "count",
    "create_report", "create_sensor", "diff", "export", "facet_counts", "get_sensor", "handle_report", "history",
    "intersects_condition", "is_postgres", "iter_export", "iter_records", "map_counts", "map_index", "mark_expired",
    "merged_input", "messages_for", "organisations_for", "owned_sensors", "owner_kind", "page", "place_columns", "public_record",
    "purge_messages", "record", "relay_available", "reminders", "reports", "require_edit", "send_message",
    "theme_bits", "unverified_organisations", "update_sensor", "utcnow", "validate", "verify_organisation", "viewport", "warm_map_index",
]
