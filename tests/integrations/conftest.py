"""Fixtures for integrations: departments with channels, signed inquiries, real servers, PDFs."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pytest
from pypdf import PdfWriter

from casework.models import (
    Case,
    Department,
    DepartmentKind,
    Inquiry,
    InquiryStatus,
    Organisation,
    OutboxMessage,
    Role,
)
from casework.services.organisations import role_assign
from integrations import outbox
from integrations.letters import DocumentRef, LetterFile
from integrations.models import ChannelKind, DepartmentChannel
from tests.factories import ScopeWorld, make_member, make_user
from tests.integrations.servers import DepartmentEndpoint, SmtpServer

HMAC_KEY = "department-secret-key"


def pdf_bytes(text: str = "letter") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


class FixtureLetterBackend:
    """Stands in for documents: numbers letters and returns real PDF bytes."""

    issued: list[DocumentRef] = []

    def issue(
        self, *, kind: str, department: Department, inquiries: Sequence[Inquiry], actor: object
    ) -> DocumentRef:
        ref = DocumentRef(
            id=1000 + len(self.issued), number=f"测组函〔2026〕{len(self.issued) + 1}号"
        )
        self.issued.append(ref)
        return ref

    def load(self, *, document_id: int | None, number: str) -> LetterFile:
        return LetterFile(
            filename=f"letter-{document_id}.pdf",
            pdf=pdf_bytes(number),
            document_id=document_id,
            number=number,
        )


@pytest.fixture(autouse=True)
def _integration_settings(settings: object, tmp_path: object) -> None:
    settings.LIANLUO_LETTER_BACKEND = "tests.integrations.conftest.FixtureLetterBackend"  # type: ignore[attr-defined]
    settings.LIANLUO_DELIVERY_BACKOFF_SECONDS = 1  # type: ignore[attr-defined]
    settings.LIANLUO_MESSAGE_FILE_DIR = str(tmp_path)  # type: ignore[attr-defined]
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    FixtureLetterBackend.issued = []


@pytest.fixture
def smtp(settings: object) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]
    settings.EMAIL_PORT = server.port  # type: ignore[attr-defined]
    settings.EMAIL_TIMEOUT = 2  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.fixture
def endpoint() -> Iterator[DepartmentEndpoint]:
    server = DepartmentEndpoint(HMAC_KEY)
    server.start()
    yield server
    server.stop()


@dataclass
class InquiryWorld:
    world: ScopeWorld
    department: Department
    other_department: Department
    cases: list[Case]
    inquiries: list[Inquiry]

    @property
    def coordinator(self):
        return self.world.coordinator


def make_department(
    org: Organisation, kind: str = DepartmentKind.SOCIAL_INSURANCE, name: str = "测试人社局"
) -> Department:
    return Department.objects.create(organisation=org, kind=kind, name=name)


def make_inquiry(
    case: Case, department: Department, status: str = InquiryStatus.SIGNED, **kw: object
) -> Inquiry:
    return Inquiry.objects.create(case=case, department=department, status=status, **kw)


def make_case(org: Organisation, **member_kw: object) -> Case:
    member = make_member(org, **member_kw)
    return Case.objects.create(member=member, organisation=org, rule_set="2024")


@pytest.fixture
def iw(world: ScopeWorld) -> InquiryWorld:
    department = make_department(world.department)
    other = make_department(world.department, DepartmentKind.TAX, "测试税务局")
    cases = [make_case(world.branch, name="李四"), make_case(world.branch, name="王五")]
    inquiries = [make_inquiry(case, department) for case in cases]
    return InquiryWorld(world, department, other, cases, inquiries)


def set_channel(department: Department, kind: str, **kw: object) -> DepartmentChannel:
    channel, _ = DepartmentChannel.objects.update_or_create(
        department=department, defaults={"kind": kind, **kw}
    )
    return channel


def email_channel(department: Department) -> DepartmentChannel:
    return set_channel(department, ChannelKind.EMAIL, email="xiecha@rsj.example.gov.cn")


def http_channel(department: Department, url: str) -> DepartmentChannel:
    return set_channel(department, ChannelKind.HTTP, endpoint_url=url, hmac_key=HMAC_KEY)


def letter_message(letter: object) -> OutboxMessage:
    """The outbox message that delivers `letter`."""
    return OutboxMessage.objects.get(kind="letter.deliver", payload__letter_id=letter.pk)  # type: ignore[attr-defined]


def deliver_letter(letter: object) -> str:
    """Run the letter's outbox message as the worker would (in-process: retries at once)."""
    return outbox.deliver(letter_message(letter).pk, eager=True)


def make_liaison(username: str, department: Department):
    user = make_user(username)
    role_assign(
        user=user, role=Role.LIAISON, organisation=department.organisation, department=department
    )
    return user
