"""Values the build derives from the authored facts: a policy's status on a day, the price in force on a day,
inverse relations, and which records cite each source."""

from __future__ import annotations

from typing import Any

from api.builder.load import Record
from api.tables import COLLECTIONS, Collection
from schema.fields import period_end, period_start
from schema.record import COLLECTED_FROM, INVERSE_OF

# Date fields that end a policy, with the authored statuses that name that end; checked in this order.
ENDING_STATUSES = {
    "revoked": ("revoked", "superseded", "withdrawn"),
    "vetoed": ("vetoed",),
    "expired": ("expired",),
}


def happened(value: str | None, day: str) -> bool:
    """Whether a precision date had begun by ``day``: "2025-05" has by 2025-05-10 (it may already have happened)."""
    return value is not None and period_start(value) <= day


def policy_status_on(policy: dict[str, Any], day: str) -> str | None:
    """The status a policy's dates give it on ``day``; None when none of its dates had come yet.

    The authored status keeps its nuance where the dates agree with it (superseded rather than
    revoked, partially in force, proposed rather than announced).
    """
    authored = policy.get("status")
    for field, statuses in ENDING_STATUSES.items():
        if happened(policy.get(field), day):
            return authored if authored in statuses else statuses[0]
    # A suspension's scheduled end (suspended_until) is not a transition: the status changes when a source
    # records what happened (a resumption, a revocation, an extension), not by assuming the schedule held.
    if happened(policy.get("suspended"), day):
        return "suspended"
    if happened(policy.get("effective"), day):
        return authored if authored == "partially-in-force" else "in-force"
    if happened(policy.get("signed"), day) or happened(policy.get("published"), day):
        return "adopted"
    if happened(policy.get("announced"), day):
        return authored if authored == "proposed" else "announced"
    return None


def model_availability(model: dict[str, Any], day: str) -> str | None:
    """Announced, available, deprecated or retired on ``day``, by the model's dates; None when none is known."""
    if happened(model.get("retired"), day):
        return "retired"
    if happened(model.get("deprecated"), day):
        return "deprecated"
    if model.get("release_date"):
        return "available" if happened(model["release_date"], day) else "announced"
    return None


def _start(point: dict[str, Any]) -> str:
    known = point.get("effective_from") or point.get("observed")
    return period_start(known) if known else ""


def price_on(prices: list[dict[str, Any]], day: str) -> dict[str, Any] | None:
    """The price point in force on ``day``: of the unconditional ones begun by then and not ended, the one begun last.

    A point of unknown start counts as begun (unknown, not later); one whose last day is known only
    to the month stays in force through that month unless a later point has begun.
    """
    in_force = [
        p for p in prices if not p.get("condition") and _start(p) <= day and not (p.get("effective_until") and period_end(p["effective_until"]) < day)
    ]
    return max(in_force, key=_start, default=None)


def collected_relations(collection: Collection, data: dict[str, Any]) -> dict[str, list[str]]:
    """Derived relations that gather the ids named inside a record's list items (`roles.organization` → `organizations`)."""
    out: dict[str, list[str]] = {}
    for name, f in collection.schema.fields.items():
        path = f.metadata.get(COLLECTED_FROM)
        if path:
            items, key = path.split(".")
            out[name] = list(dict.fromkeys(item[key] for item in data.get(items, []) if item.get(key)))
    return out


def inverse_relations(records: list[Record]) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(collection, id) → {derived field: ids of the records whose ``inverse_of`` field names it}, every derived field present."""
    derived: dict[tuple[str, str], dict[str, list[str]]] = {}
    by_collection: dict[str, list[Record]] = {}
    for record in records:
        by_collection.setdefault(record.collection, []).append(record)
    for name, collection in COLLECTIONS.items():
        for field_name, f in collection.schema.fields.items():
            inverse = f.metadata.get(INVERSE_OF)
            if inverse is None:
                continue
            for record in by_collection.get(name, []):
                derived.setdefault((name, record.id), {})[field_name] = []
            for source in by_collection.get(f.metadata["x-references"], []):
                for target_id in source.data.get(inverse, []):
                    derived.setdefault((name, target_id), {}).setdefault(field_name, []).append(source.id)
    return derived
