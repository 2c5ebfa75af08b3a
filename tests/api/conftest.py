"""API fixtures: clients authenticated by a per-user token, and a seeded scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from casework.models import Case, Department, Inquiry, Member
from casework.services import inquiries as inq
from casework.services.cases import case_open
from tests.casework.case_helpers import make_department, make_liaison
from tests.factories import ScopeWorld, make_member
from web.api.tokens import api_token_create


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


ClientFor = Callable[[Any], APIClient]


@pytest.fixture
def client_for(db: None) -> ClientFor:
    """An APIClient that sends `Authorization: Bearer <a new token of user>`."""

    def make(user: Any) -> APIClient:
        _, plaintext = api_token_create(user=user, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
        return client

    return make


@dataclass
class Seeded:
    world: ScopeWorld
    member: Member
    other_member: Member
    case: Case
    other_case: Case
    department: Department
    liaison: Any
    inquiry: Inquiry


def seed(world: ScopeWorld) -> Seeded:
    member = make_member(world.branch, name="李四", contact_officer=world.officer)
    other_member = make_member(world.other_branch, name="王五")
    case = case_open(member=member, actor=world.officer)
    other_case = case_open(member=other_member, actor=world.outsider)
    department = make_department(world.department)
    liaison = make_liaison("liaison", department)
    case = inq_case(world, case)
    (inquiry,) = inq.inquiry_request(case=case, departments=[department], actor=world.coordinator)
    inquiry = inq.inquiry_sign(inquiry=inquiry, actor=world.coordinator)
    inquiry = inq.inquiry_mark_sent(inquiry=inquiry, actor=world.coordinator)
    return Seeded(world, member, other_member, case, other_case, department, liaison, inquiry)


def inq_case(world: ScopeWorld, case: Case) -> Case:
    case.refresh_from_db()
    return case


@pytest.fixture
def seeded(world: ScopeWorld) -> Seeded:
    return seed(world)
