"""Identity analysis of a workspace: blast radius, risk tier, hygiene findings and drift.

Each function reads the inventory with a few bulk SELECTs (see
:func:`~app.services.inventory_queries.load_inventory`), builds the identity graph once and
hands plain values to the pure functions of ``app.domain``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from app import __version__
from app.domain.blast_radius import (
    FORMULA,
    BlastRadius,
    BlastScorer,
    describe,
    identity_blast_radius,
    system_blast_radius,
)
from app.domain.drift import DriftReport, SnapshotError, compare_inventories, facts_from_snapshot
from app.domain.enums import FindingSource, FindingStatus, RiskTier, Severity
from app.domain.hygiene import RULES, HygieneFinding, HygieneSettings, evaluate_hygiene
from app.domain.identity_graph import IdentityGraph
from app.domain.inventory_facts import IdentityFacts, InventoryFacts, SystemFacts
from app.domain.risk import RiskAssessment, kind_risk, system_risk
from app.services import pending
from app.services.errors import UserError
from app.services.inventory_queries import LoadedInventory, load_graph_inputs, load_inventory
from app.services.progress import Progress, check_cancelled
from app.services.settings import all_workspace_settings
from app.services.unit import reads, writes
from app.storage.repositories.identity_findings import (
    RefreshInputsRepository,
    RuleFindingsRepository,
)
from app.storage.repositories.import_runs import ImportRunRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.frozen import quick_init
from app.support.gc_pause import paused_gc
from app.support.release import release_in_steps

logger = logging.getLogger(__name__)

_PROGRESS_EVERY = 500


@dataclass(frozen=True)
class SystemAnalysis:
    """Identity posture of one AI system.

    Attributes:
        system: The system's facts.
        blast_radius: Its blast radius with the paths behind it.
        risk: Its risk tier, the factor that set it and the default target maturity.
        findings: Hygiene findings about the system and the identities it can act as.
        formula: How the blast radius score is computed, for the report.
    """

    system: SystemFacts
    blast_radius: BlastRadius
    risk: RiskAssessment
    findings: tuple[HygieneFinding, ...]
    formula: str = FORMULA


@dataclass(frozen=True)
class IdentityAnalysis:
    """Blast radius and hygiene findings of one identity.

    Attributes:
        identity: The identity's facts.
        systems: The AI systems that use it directly.
        blast_radius: What its credential alone reaches, with paths.
        findings: Hygiene findings about it.
        formula: How the blast radius score is computed.
    """

    identity: IdentityFacts
    systems: tuple[str, ...]
    blast_radius: BlastRadius
    findings: tuple[HygieneFinding, ...]
    formula: str = FORMULA


@quick_init  # one per system of a portfolio
@dataclass(frozen=True, slots=True)
class SystemSummary:
    """One line of the portfolio: a system's blast radius and risk tier.

    ``score`` and ``tier`` are None when the system's access is not recorded; ``unknown`` then
    says why. ``risk_missing`` names the risk-tier inputs that were not recorded.
    """

    ext_id: str
    name: str
    score: int | None
    tier: RiskTier | None
    raw: int
    resources: int
    identities: int
    chain_depth: int
    chain_exact: bool
    risk_tier: RiskTier
    risk_factor: str
    target_level: int
    unknown: str | None = None
    risk_missing: tuple[str, ...] = ()

    @property
    def blast_text(self) -> str:
        """Return ``55/100 (high)``, or ``unknown`` when the access is not recorded."""
        return describe(self.score, self.tier)


@dataclass(frozen=True)
class PortfolioAnalysis:
    """Blast radius and risk tier of every AI system, by inventory id."""

    systems: tuple[SystemSummary, ...]
    formula: str = FORMULA

    @cached_property
    def _by_id(self) -> dict[str, SystemSummary]:
        return {line.ext_id: line for line in self.systems}

    def get(self, ext_id: str) -> SystemSummary | None:
        """Return one system's line, or None."""
        return self._by_id.get(ext_id)


@reads
def hygiene_settings(uow: UnitOfWork) -> HygieneSettings:
    """Return the hygiene thresholds stored in the workspace (defaults where unset)."""
    return HygieneSettings.from_settings(all_workspace_settings(uow))


@reads
def load_graph(uow: UnitOfWork) -> tuple[LoadedInventory, IdentityGraph]:
    """Read the inventory and build its identity graph."""
    loaded = load_inventory(uow)
    return loaded, IdentityGraph.from_facts(loaded.facts)


@reads
def analyse_system(uow: UnitOfWork, ext_id: str, *, today: dt.date | None = None) -> SystemAnalysis:
    """Return the identity posture of one AI system.

    Raises:
        UserError: No system has this inventory id.
    """
    loaded, graph = load_graph(uow)
    system = loaded.facts.systems.get(ext_id)
    if system is None:
        raise UserError(f"no AI system with id {ext_id!r} in this workspace")
    blast = system_blast_radius(graph, ext_id)
    findings = _findings_about(
        uow, loaded.facts, today, system=ext_id, identities=set(blast.identities)
    )
    risk = system_risk(system, blast.tier, blast.score)
    return SystemAnalysis(system, blast, risk, findings)


@reads
def analyse_identity(
    uow: UnitOfWork, ext_id: str, *, today: dt.date | None = None
) -> IdentityAnalysis:
    """Return the blast radius and hygiene findings of one identity.

    Raises:
        UserError: No identity has this inventory id.
    """
    loaded, graph = load_graph(uow)
    identity = loaded.facts.identities.get(ext_id)
    if identity is None:
        raise UserError(f"no identity with id {ext_id!r} in this workspace")
    blast = identity_blast_radius(graph, ext_id)
    findings = _findings_about(uow, loaded.facts, today, system=None, identities={ext_id})
    systems = tuple(loaded.facts.systems_by_identity().get(ext_id, ()))
    return IdentityAnalysis(identity, systems, blast, findings)


@reads
def identity_blasts(uow: UnitOfWork) -> dict[str, BlastRadius]:
    """Return every identity's blast radius (without paths), by inventory id."""
    loaded, graph = load_graph(uow)
    identities = loaded.facts.identities
    return {ext: identity_blast_radius(graph, ext, explain=False) for ext in identities}


def _findings_about(
    uow: UnitOfWork,
    facts: InventoryFacts,
    today: dt.date | None,
    *,
    system: str | None,
    identities: set[str],
) -> tuple[HygieneFinding, ...]:
    """Run the hygiene rules on the subject's part of the inventory and keep its findings."""
    part = facts.neighbourhood(identities, [system] if system else [])
    every = evaluate_hygiene(part, today=today or dt.date.today(), settings=hygiene_settings(uow))
    return tuple(
        f
        for f in every
        if (system is not None and f.system == system)
        or (f.system is None and f.identity in identities)
    )


@reads
def analyse_all(uow: UnitOfWork, progress: Progress | None = None) -> PortfolioAnalysis:
    """Return the blast radius and risk tier of every AI system (without paths).

    Raises:
        Cancelled: The caller cancelled through ``progress``.
    """
    with paused_gc():  # millions of small acyclic objects: full collections only cost time
        return _analyse_all(uow, progress)


def _analyse_all(uow: UnitOfWork, progress: Progress | None) -> PortfolioAnalysis:
    inputs = load_graph_inputs(uow)
    scorer = BlastScorer(inputs.graph)
    systems = sorted(inputs.systems.items(), key=lambda item: item[1][0])
    lines: list[SystemSummary] = []
    for number, (row_id, (ext_id, name, autonomy, data, exposure, mark)) in enumerate(systems):
        if number % _PROGRESS_EVERY == 0:
            check_cancelled(progress)
            if progress is not None:
                progress.report(number / len(systems), "Computing blast radius")
        blast = scorer.system(row_id)
        risk = kind_risk(autonomy, data, exposure, mark, blast.tier, blast.score)
        lines.append(
            SystemSummary(
                ext_id, name, blast.score, blast.tier, blast.raw, blast.resources,
                blast.identities, blast.chain_depth, blast.chain_exact, risk.tier, risk.factor,
                risk.target_level, blast.unknown, risk.missing,
            )
        )  # fmt: skip
    if progress is not None:
        progress.report(1.0, "Blast radius computed")
    # The graph of a large inventory goes in pieces: in one go it would hold every other
    # thread (the window's too) for the whole of its freeing.
    release_in_steps(systems, scorer, inputs.graph, inputs.systems)
    return PortfolioAnalysis(tuple(lines))


# -- drift --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InventoryDrift:
    """Drift between two points in the inventory's history.

    Attributes:
        old: What the older side is, e.g. ``import 3 (acme.xlsx, 2026-01-10)``.
        new: What the newer side is (an import, or ``current inventory``).
        report: The changes.
    """

    old: str
    new: str
    report: DriftReport


@reads
def inventory_drift(
    uow: UnitOfWork, *, old_run: int | None = None, new_run: int | None = None
) -> InventoryDrift:
    """Compare two applied imports, or an import with the current inventory.

    Without arguments the two latest imports are compared; with only ``old_run`` that import is
    compared with the inventory as it stands now.

    Raises:
        UserError: An import does not exist, there are fewer than two imports, or a stored
            snapshot cannot be read.
    """
    runs = uow.repository(ImportRunRepository)
    if old_run is None and new_run is None:
        ids = runs.latest_ids(2)
        if len(ids) < 2:
            raise UserError("drift needs two applied imports; this workspace has fewer")
        new_run, old_run = ids
    if old_run is None:
        raise UserError("name the older import to compare with")
    old_label, old_facts = _run_facts(runs, old_run)
    if new_run is None:
        new_label, new_facts = "current inventory", load_inventory(uow).facts
    else:
        new_label, new_facts = _run_facts(runs, new_run)
    return InventoryDrift(old_label, new_label, compare_inventories(old_facts, new_facts))


def _run_facts(runs: ImportRunRepository, run_id: int) -> tuple[str, InventoryFacts]:
    run = runs.find(run_id)
    if run is None:
        raise UserError(f"no applied import number {run_id} in this workspace")
    label = f"import {run.id} ({run.file_name}, {run.applied_at:%Y-%m-%d})"
    try:
        return label, facts_from_snapshot(run.snapshot or {})
    except SnapshotError as exc:
        raise UserError(f"the snapshot of {label} cannot be read: {exc}") from exc


# -- findings -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FindingRefresh:
    """What :func:`refresh_identity_findings` changed.

    Attributes:
        created: Findings new this time.
        updated: Findings still true whose wording, severity or subject changed.
        reopened: Resolved findings that became true again.
        resolved: Findings no longer true, now marked resolved.
        unchanged: Findings still true and unchanged.
    """

    created: int = 0
    updated: int = 0
    reopened: int = 0
    resolved: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Return True when the refresh wrote anything."""
        return bool(self.created or self.updated or self.reopened or self.resolved)


_SOURCE = FindingSource.IDENTITY_RULE.value
_RESOLVED = FindingStatus.RESOLVED.value
_RULE_IDS = [rule.rule_id for rule in RULES]
_COMPARED = ("severity", "title", "detail", "recommendation", "references", "system_id",
             "identity_id", "rule_id")  # fmt: skip


@writes
def refresh_identity_findings(
    uow: UnitOfWork, *, today: dt.date | None = None, progress: Progress | None = None
) -> FindingRefresh:
    """Bring the identity-rule findings of the workspace up to date, in one transaction.

    Each finding has a stable key per rule and subject, so running this twice changes nothing.
    A finding that no longer holds is marked resolved (never deleted); one that holds again is
    reopened; triage (owner, due date, accepted or in-progress status) is kept. One journal
    entry summarises a refresh that changed anything.

    Raises:
        Cancelled: The caller cancelled through ``progress``.
    """
    with paused_gc():  # millions of small acyclic objects: full collections only cost time
        return _refresh(uow, today or uow.now().date(), progress)


def _refresh(uow: UnitOfWork, today: dt.date, progress: Progress | None) -> FindingRefresh:
    settings = hygiene_settings(uow)
    inputs = uow.repository(RefreshInputsRepository)
    findings = uow.repository(RuleFindingsRepository)
    state = _inputs(inputs.state(), today, settings)
    if state is not None and state == inputs.last():
        pending.clear(uow, pending.IDENTITY_REFRESH)
        logger.info("identity findings refresh skipped: nothing it reads has changed")
        if progress is not None:
            progress.report(1.0, "Identity findings already up to date")
        return FindingRefresh(unchanged=findings.count_unresolved(_SOURCE, _RESOLVED))
    wanted = _wanted(uow, today, settings, progress)
    if progress is not None:
        progress.report(0.6, "Recording identity findings")
    now = uow.now()
    inserts, updates, counts = _plan_changes(wanted, findings.stored(_SOURCE, _COMPARED), now)
    del wanted  # what is left to write holds what it needs
    findings.insert(("key", *_COMPARED), inserts, _new_constants(now))
    findings.update(updates)
    result = FindingRefresh(**counts)
    pending.clear(uow, pending.IDENTITY_REFRESH)
    if result.changed:
        uow.record(
            "findings.identity-refresh",
            "finding",
            _SOURCE,
            before=None,
            after={**counts, "today": today.isoformat()},
        )
    state = _inputs(inputs.state(), today, settings)
    if state is not None:
        inputs.remember(state)
    if progress is not None:
        progress.report(1.0, "Identity findings recorded")
    logger.info("identity findings refreshed: %s", counts)
    return result


def _wanted(
    uow: UnitOfWork, today: dt.date, settings: HygieneSettings, progress: Progress | None
) -> dict[str, tuple[object, ...]]:
    """Run the rules over the inventory; return each finding's stored values by its key.

    The inventory and its graph are let go on return, before the findings are written.
    """
    loaded, graph = load_graph(uow)
    check_cancelled(progress)
    found = evaluate_hygiene(loaded.facts, today=today, settings=settings, graph=graph)
    check_cancelled(progress)
    return _finding_values(found, loaded)


def _new_constants(now: dt.datetime) -> dict[str, object]:
    """Return the columns every new finding shares (the rest: ``key`` and ``_COMPARED``)."""
    return {"source": _SOURCE, "status": FindingStatus.OPEN.value, "created_at": now,
            "updated_at": now}  # fmt: skip


def _inputs(state: list[Any] | None, today: dt.date, settings: HygieneSettings) -> str | None:
    """Return what a refresh's outcome depends on, as text to compare with the last one's.

    The outcome depends on the inventory and the findings (their state), the day, the
    thresholds and the rules of this version of Assay. None when the state is unknown.
    """
    if state is None:
        return None
    return json.dumps(
        [state, today.isoformat(), dataclasses.astuple(settings), __version__, _RULE_IDS],
        default=str,
    )


def _finding_values(
    found: list[HygieneFinding], loaded: LoadedInventory
) -> dict[str, tuple[object, ...]]:
    """Return each finding's stored values in the order of ``_COMPARED``, by its key."""
    systems, identities = loaded.system_ids, loaded.identity_ids
    severity = {level: level.value for level in Severity}  # an enum's .value is a slow lookup
    return {
        f.key: (
            severity[f.severity],
            f.title,
            f.detail,
            f.recommendation,
            _references_json(f.references),
            systems.get(f.system) if f.system else None,
            identities.get(f.identity) if f.identity else None,
            f.rule_id,
        )
        for f in found
    }


@lru_cache(maxsize=256)
def _references_json(references: tuple[str, ...]) -> str:
    return json.dumps(list(references))


@lru_cache(maxsize=256)
def _references_list(text: str) -> list[str]:
    """Return the references of their JSON text (a handful of texts recur in every refresh)."""
    return list(json.loads(text))


def _as_columns(values: tuple[object, ...], only: set[int]) -> dict[str, object]:
    """Return the columns at the positions ``only`` of a finding's values (``_COMPARED`` order)."""
    out = {}
    for position in only:
        name, value = _COMPARED[position], values[position]
        out[name] = _references_list(str(value)) if name == "references" else value
    return out


def _differences(stored: tuple[object, ...], wanted: tuple[object, ...]) -> set[int]:
    differ = {n for n, (old, new) in enumerate(zip(stored, wanted, strict=True)) if old != new}
    position = _COMPARED.index("references")
    if position in differ and json.loads(str(stored[position])) == json.loads(
        str(wanted[position])
    ):
        differ.discard(position)
    return differ


def _plan_changes(
    wanted: dict[str, tuple[object, ...]], existing: dict[str, tuple[Any, ...]], now: dt.datetime
) -> tuple[list[tuple[object, ...]], list[dict[str, object]], dict[str, int]]:
    """Return the new findings (key, then values), the updates by row id, and the counts."""
    counts = dict.fromkeys(("created", "updated", "reopened", "resolved", "unchanged"), 0)
    inserts: list[tuple[object, ...]] = []
    updates: list[dict[str, object]] = []
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            inserts.append((key, *values))
            continue
        stored = tuple(row[3:])
        differ = _differences(stored, values) if stored != values else set()
        changes = _as_columns(values, differ) if differ else {}
        if row[2] == _RESOLVED:
            changes["status"] = FindingStatus.OPEN.value
            counts["reopened"] += 1
        elif changes:
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
            continue
        updates.append({"id": row[0], **changes, "updated_at": now})
    for key, row in existing.items():
        if key not in wanted and row[2] != _RESOLVED:
            updates.append({"id": row[0], "status": _RESOLVED, "updated_at": now})
            counts["resolved"] += 1
    counts["created"] = len(inserts)
    return inserts, updates, counts
