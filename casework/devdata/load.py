"""Realistic load data at scale (`manage.py generate_load`): one small function per table.

Ids are allocated up front (max id + 1) so that the organisation tree's materialised paths,
the members' branches and the cases' members are known before a row is written. Rows are
written through casework.bulk_copy (COPY on PostgreSQL). Members and cases are generated in
chunks, each from its own seeded random stream, so the data is the same for a seed whatever
the number of worker processes; workers encrypt personal data with casework.crypto (the
dominant cost) and, on PostgreSQL, encode the COPY text too.

Generated data is bulk data: it bypasses services, so it writes no audit events.

The parts: load_plan (shapes, chunks, ids), load_register (tree, users, members),
load_cases (cases and their rows), load_columns (COPY columns); this module runs them.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections.abc import Callable, Iterable, Iterator

from django.contrib.auth import get_user_model
from django.db import models, transaction

from casework import crypto
from casework.bulk_copy import Batch, is_postgres, reset_sequences, write_rows
from casework.devdata.load_cases import (
    CASE_TABLES,
    case_assignments,
    case_chunk,
    case_plans,
)
from casework.devdata.load_columns import (
    CASE_COLUMNS,
    CASE_TABLE_MODELS,
    DEPARTMENT_COLUMNS,
    MEMBER_COLUMNS,
    ORGANISATION_COLUMNS,
    ROLE_COLUMNS,
    USER_COLUMNS,
)
from casework.devdata.load_plan import (
    CASE_CHUNK,
    MEMBER_CHUNK,
    MEMBERS_PER_BRANCH,
    CaseChunk,
    LoadRefused,
    LoadReport,
    MemberChunk,
    _next_id,
    _pool_map,
    id_number_and_birth,
    id_number_for,
)
from casework.devdata.load_register import (
    department_rows,
    member_chunk,
    organisation_tree,
    people,
)
from casework.models import (
    Case,
    ContactAttempt,
    Department,
    Inquiry,
    Member,
    Organisation,
    Proposal,
    RoleAssignment,
    TimelineEntry,
)

# --- the whole run -------------------------------------------------------------------------


def generate_load(
    *,
    members: int,
    cases: int,
    seed: int = 1,
    branches: int | None = None,
    today: dt.date | None = None,
    append: bool = False,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Write the tree, users, members, contact attempts, and cases with their steps' rows."""
    if members < 1:
        raise ValueError("members must be at least 1")
    if not append and Member.objects.exists():
        raise LoadRefused("The database already holds members; pass --append to add more.")
    today = today or dt.date.today()
    branches = branches or max(1, round(members / MEMBERS_PER_BRANCH))
    branches = min(branches, members)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    postgres = is_postgres()
    rng = random.Random(f"{seed}:plan")
    report = LoadReport()
    began = time.perf_counter()
    crypto.encrypt("warm-up")  # build the Fernet keys once, before worker processes fork

    def step(
        name: str, model: type[models.Model], columns: list[str], batches: Iterable[Batch]
    ) -> None:
        start = time.perf_counter()
        report.rows[name] = write_rows(model, columns, batches)
        report.seconds[name] = round(time.perf_counter() - start, 3)
        if progress:
            progress(f"{name}: {report.rows[name]} rows in {report.seconds[name]:.1f}s")

    with transaction.atomic():
        tree = organisation_tree(rng=rng, branches=branches, seed=seed)
        step("organisations", Organisation, ORGANISATION_COLUMNS, [tree.organisation_rows])
        staff = people(tree=tree, today=today, seed=seed)
        step("users", get_user_model(), USER_COLUMNS, [staff.user_rows])
        step("role_assignments", RoleAssignment, ROLE_COLUMNS, [staff.role_rows])
        departments = department_rows(tree=tree)
        step("departments", Department, DEPARTMENT_COLUMNS, [departments])

        weights = [rng.uniform(0.3, 1.7) for _ in tree.branch_ids]
        total, running, bounds = sum(weights), 0.0, []
        for weight in weights:
            running += weight
            bounds.append(round(members * running / total))
        first_id = _next_id(Member)
        member_specs = [
            MemberChunk(
                seed=seed,
                number=n,
                start=start,
                count=min(MEMBER_CHUNK, members - start),
                first_id=first_id,
                today=today,
                bounds=bounds,
                branch_ids=tree.branch_ids,
                officer_ids=staff.officer_ids,
                postgres=postgres,
            )
            for n, start in enumerate(range(0, members, MEMBER_CHUNK))
        ]
        attempt_batches: list[Batch] = []
        lost: list[int] = []
        at_risk: list[int] = []

        def member_batches() -> Iterator[Batch]:
            for result in _pool_map(member_chunk, member_specs, workers):
                attempt_batches.append(result.attempts)
                lost.extend(result.lost)
                at_risk.extend(result.at_risk)
                yield result.members

        step("members", Member, MEMBER_COLUMNS, member_batches())

        plans = case_plans(
            rng=rng,
            cases=cases,
            members=members,
            first_member_id=first_id,
            bounds=bounds,
            lost=lost,
            at_risk=at_risk,
            tree=tree,
            staff=staff,
        )
        first_case, first_proposal = _next_id(Case), _next_id(Proposal)
        case_specs = [
            CaseChunk(
                seed=seed,
                number=n,
                today=today,
                cases=plans[start : start + CASE_CHUNK],
                first_case_id=first_case,
                first_proposal_id=first_proposal,
                department_ids=[int(str(row[0])) for row in departments],
                coordinator_id=staff.coordinator_id,
                postgres=postgres,
            )
            for n, start in enumerate(range(0, len(plans), CASE_CHUNK))
        ]
        later: dict[str, list[Batch]] = {name: [] for name in CASE_TABLES}
        later["attempts"] = attempt_batches

        def case_batches() -> Iterator[Batch]:
            for result in _pool_map(case_chunk, case_specs, workers):
                for name, batch in result.tables.items():
                    if name != "cases":
                        later[name].append(batch)
                yield result.tables["cases"]

        step("cases", Case, CASE_COLUMNS, case_batches())
        for name, (model, columns) in CASE_TABLE_MODELS.items():
            step(name, model, columns, later[name])
        reset_sequences(Organisation, get_user_model(), Department, Member, Case, Proposal)
    if postgres:
        start = time.perf_counter()
        _analyze(Organisation, Member, Case, ContactAttempt, Inquiry, TimelineEntry)
        report.seconds["analyze"] = round(time.perf_counter() - start, 3)
    report.total_seconds = round(time.perf_counter() - began, 3)
    return report


def _analyze(*models_: type[models.Model]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


__all__ = [
    "LoadRefused",
    "LoadReport",
    "MemberChunk",
    "case_assignments",
    "generate_load",
    "id_number_and_birth",
    "id_number_for",
    "member_chunk",
]
