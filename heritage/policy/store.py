"""Policy versions in the database: the shipped default, a global replacement, and overrides per unit
or collection. The newest version per scope is in force; the effective policy of an item is the
default (or the global replacement) with its unit's override, then its collection's, on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage import catalogue, events
from heritage.db import insert_if_absent
from heritage.errors import BadRequest
from heritage.models import Item, PolicyVersion, utcnow
from heritage.policy.loader import (
    PolicyDocument,
    PolicyFileError,
    Problem,
    default_document,
    document_sha256,
    load_checked,
    merge,
)
from heritage.policy.model import Policy, compile_policy

DEFAULT_SCOPE = "default"
GLOBAL_SCOPE = "global"


def scope_name(unit: str | None = None, collection: str | None = None) -> str:
    if unit and collection:
        raise BadRequest("give --unit or --collection, not both")
    if unit:
        return f"unit:{unit}"
    if collection:
        return f"collection:{collection}"
    return GLOBAL_SCOPE


def _record(session: Session, scope: str, doc: dict[str, Any], source: str | None, agent: str) -> PolicyVersion:
    """The recorded version of this content for the scope, recorded (with its event) when it is new.

    Policy jobs on several workers reach a fresh database at once: one records the version, the others
    find it (never a failure on the unique scope and checksum).
    """
    sha = document_sha256(doc)
    by_content = select(PolicyVersion).where(PolicyVersion.scope == scope, PolicyVersion.sha256 == sha)
    existing = session.scalar(by_content)
    if existing is not None:
        return existing
    values = {
        "scope": scope,
        "policy_id": doc["policy"]["id"],
        "version": str(doc["policy"]["version"]),
        "sha256": sha,
        "document": doc,
        "source": source,
        "agent": agent,
        "created_at": utcnow(),
    }
    added = insert_if_absent(session, PolicyVersion, values, ["scope", "sha256"])
    row = session.scalars(by_content.execution_options(populate_existing=True)).one()
    if not added:
        return row  # another process recorded it a moment ago
    events.record(
        session,
        "policy assignment",
        agent=agent,
        detail=f"policy {row.policy_id} {row.version} in force for {scope}",
        scope=scope,
        sha256=sha,
        source=source,
    )
    return row


def ensure_default(session: Session) -> PolicyVersion:
    """Record the shipped default as a version (once per distinct content)."""
    doc = default_document()
    return _record(session, DEFAULT_SCOPE, doc.data, "heritage/policy/data/default.yaml", events.SOFTWARE_AGENT)


def current(session: Session, scope: str) -> PolicyVersion | None:
    return session.scalar(
        select(PolicyVersion).where(PolicyVersion.scope == scope).order_by(PolicyVersion.id.desc()).limit(1)
    )


def apply_file(
    session: Session, path: Path, *, unit: str | None = None, collection: str | None = None, agent: str
) -> tuple[PolicyVersion, bool]:
    """Check a policy file and put it in force for its scope; returns (version, newly recorded).

    Raises:
        PolicyFileError: the file has problems (nothing applied).
        NotFound: the unit or collection does not exist.
    """
    scope = scope_name(unit, collection)
    if collection:
        catalogue.get_collection(session, collection)
    if unit and catalogue.get_unit(session, unit) is None:
        raise BadRequest(f"unit {unit!r} does not exist")
    ensure_default(session)
    base = (current(session, GLOBAL_SCOPE) or ensure_default(session)).document
    doc: PolicyDocument = load_checked(path, base)
    data = merge(base, doc.data) if scope == GLOBAL_SCOPE and doc.is_override else doc.data
    if scope != GLOBAL_SCOPE and not doc.is_override:
        raise PolicyFileError(
            [
                Problem(
                    str(path),
                    doc.line(("schema",)),
                    "a unit or collection policy is an override: schema: heritage-policy-override/1",
                )
            ]
        )
    sha = document_sha256(data)
    version = str(data["policy"]["version"])
    clash = session.scalar(
        select(PolicyVersion).where(
            PolicyVersion.scope == scope, PolicyVersion.version == version, PolicyVersion.sha256 != sha
        )
    )
    if clash is not None:
        raise PolicyFileError(
            [
                Problem(
                    str(path),
                    doc.line(("policy", "version")),
                    f"policy.version {version} is already recorded for {scope} with other content: "
                    "a changed policy needs a new version",
                )
            ]
        )
    latest = current(session, scope)
    if latest is not None and latest.sha256 == sha:
        return latest, False
    before = session.scalar(select(PolicyVersion).where(PolicyVersion.scope == scope, PolicyVersion.sha256 == sha))
    if before is not None:  # re-applying an older version: record it again so that it is the newest
        session.delete(before)
        session.flush()
    return _record(session, scope, data, str(path), agent), True


@dataclass
class PolicyStore:
    """The policies in force, compiled once per scope chain for a run of evaluations."""

    base: dict[str, Any]
    base_label: str
    layers: dict[str, tuple[dict[str, Any], str]]  # scope -> (override document, label)
    _cache: dict[tuple[str | None, str | None], Policy] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> PolicyStore:
        ensure_default(session)
        glob = current(session, GLOBAL_SCOPE)
        base_row = glob or current(session, DEFAULT_SCOPE)
        assert base_row is not None
        layers: dict[str, tuple[dict[str, Any], str]] = {}
        scopes = session.scalars(select(PolicyVersion.scope).distinct()).all()
        for scope in scopes:
            if scope.startswith(("unit:", "collection:")):
                row = current(session, scope)
                if row is not None:
                    layers[scope] = (row.document, f"{scope}@{row.version}")
        return cls(base_row.document, f"{base_row.policy_id}@{base_row.version}", layers)

    def for_item(self, unit: str | None, collection: str | None) -> Policy:
        key = (unit, collection)
        policy = self._cache.get(key)
        if policy is None:
            document, labels = self.base, [self.base_label]
            for scope in (f"unit:{unit}", f"collection:{collection}"):
                if scope in self.layers:
                    layer, label = self.layers[scope]
                    document = merge(document, layer)
                    labels.append(label)
            policy = compile_policy(document, labels)
            self._cache[key] = policy
        return policy

    def for_catalogue_item(self, item: Item) -> Policy:
        """The policy in force for an item: its unit's and its collection's overrides on the base."""
        unit = item.unit or item.collection.unit
        return self.for_item(unit.slug if unit else None, item.collection.slug)

    @property
    def default(self) -> Policy:
        return self.for_item(None, None)
