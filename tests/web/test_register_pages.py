import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from casework.models import AuditEvent, ImportJob, KeyGroup, Member, MemberChange
from casework.services.members import relative_add
from tests.factories import make_member, valid_id_number


def test_the_member_list_shows_the_subtree_masked_with_constant_queries(
    world, client, django_assert_max_num_queries
) -> None:
    for i in range(3):
        make_member(world.branch, name=f"本支部{i}", phone="13800138000")
    make_member(world.other_branch, name="别的党委的人")
    client.force_login(world.approver)
    with django_assert_max_num_queries(10):
        response = client.get("/register/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "本支部0" in body and "别的党委的人" not in body
    assert "138****8000" in body and "13800138000" not in body
    for i in range(30):
        make_member(world.sibling_branch, name=f"多{i}")
    with django_assert_max_num_queries(10):
        assert client.get("/register/").status_code == 200


def test_the_member_list_filters_by_key_group_status_type_and_organisation(world, client) -> None:
    make_member(world.branch, name="外出者", key_groups=KeyGroup.MIGRANT | KeyGroup.GRADUATE)
    make_member(world.branch, name="预备者", membership_type="probationary")
    make_member(world.sibling_branch, name="兄弟支部")
    client.force_login(world.approver)
    body = client.get("/register/", {"key_group": KeyGroup.GRADUATE}).content.decode()
    assert "外出者" in body and "预备者" not in body
    body = client.get("/register/", {"membership_type": "probationary"}).content.decode()
    assert "预备者" in body and "外出者" not in body
    body = client.get("/register/", {"organisation": world.sibling_branch.pk}).content.decode()
    assert "兄弟支部" in body and "外出者" not in body
    body = client.get("/register/", {"status": "suspended"}).content.decode()
    assert "外出者" not in body


def test_the_member_page_is_masked_and_reveal_shows_plaintext_once_with_audit(
    world, client
) -> None:
    member = make_member(world.branch, phone="13912345678")
    relative_add(
        member=member,
        actor=world.secretary,
        data={"name": "李四", "relation": "配偶", "phone": "13612345678", "address": "福州市"},
    )
    client.force_login(world.secretary)
    page = client.get(f"/register/members/{member.pk}/").content.decode()
    assert member.id_number not in page and "13912345678" not in page
    assert "139****5678" in page and "136****5678" in page
    assert 'id="reveal"' in page
    revealed = client.post(f"/register/members/{member.pk}/reveal/")
    body = revealed.content.decode()
    assert revealed.status_code == 200 and revealed["Cache-Control"] == "no-store"
    assert member.id_number in body and "13912345678" in body and "13612345678" in body
    event = AuditEvent.objects.get(action="member.reveal")
    assert event.actor == world.secretary and "13912345678" not in str(event.after)
    again = client.get(f"/register/members/{member.pk}/").content.decode()
    assert "13912345678" not in again


def test_an_inspector_sees_the_page_but_no_reveal_button_and_is_refused(world, client) -> None:
    member = make_member(world.branch)
    client.force_login(world.inspector)
    page = client.get(f"/register/members/{member.pk}/").content.decode()
    assert 'id="reveal"' not in page
    assert client.post(f"/register/members/{member.pk}/reveal/").status_code == 403
    assert not AuditEvent.objects.filter(action="member.reveal").exists()


def test_the_edit_form_saves_changes_and_shows_history(world, client) -> None:
    member = make_member(world.branch)
    client.force_login(world.officer)
    form = client.get(f"/register/members/{member.pk}/edit/")
    assert form.status_code == 200 and member.id_number not in form.content.decode()
    response = client.post(
        f"/register/members/{member.pk}/edit/",
        {
            "name": "张三丰",
            "gender": "M",
            "membership_type": "full",
            "phone": "13700000001",
            "key_groups": [KeyGroup.MIGRANT, KeyGroup.ELSEWHERE],
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.name, member.phone, member.key_groups) == ("张三丰", "13700000001", 3)
    assert member.id_number  # a blank personal field keeps the value
    page = client.get(f"/register/members/{member.pk}/").content.decode()
    assert "137****0001" in page and "张三丰" in page
    assert MemberChange.objects.filter(member=member).count() == 1


def test_the_edit_form_shows_chinese_errors_and_changes_nothing(world, client) -> None:
    member = make_member(world.branch)
    client.force_login(world.officer)
    response = client.post(
        f"/register/members/{member.pk}/edit/",
        {"name": "张三", "gender": "M", "membership_type": "full", "phone": "123"},
    )
    assert response.status_code == 200
    assert "电话号码格式不正确" in response.content.decode()
    assert not MemberChange.objects.exists()


def _upload(rows: int, bad: bool = False) -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "性别", "公民身份号码", "联系电话"])
    for i in range(rows):
        sheet.append([f"导入{i}", "男", valid_id_number(dt.date(1990, 1, 1 + i)), "13800000000"])
    if bad:
        sheet.append(["坏行", "男", "123", "13800000000"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("members.xlsx", buffer.getvalue())


def test_an_upload_runs_as_a_task_and_the_job_page_shows_the_row_report(
    world, client, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.secretary)
    assert client.get("/register/import/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/register/import/",
            {"organisation": world.branch.pk, "file": _upload(3, bad=True)},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.rejected) == ("done", 3, 1)
    page = client.get(response["Location"]).content.decode()
    assert "公民身份号码应为18位" in page
    assert Member.objects.filter(organisation=world.branch).count() == 3
    assert AuditEvent.objects.filter(action="member.import").count() == 1


def test_an_import_job_of_another_subtree_is_not_found(world, client) -> None:
    from casework.services.imports import import_job_start

    job = import_job_start(
        organisation=world.branch, actor=world.secretary, upload=_upload(1), original_name="a.xlsx"
    )
    client.force_login(world.outsider)
    assert client.get(f"/register/import/{job.pk}/").status_code == 404


@pytest.mark.parametrize(("who", "masked"), [("secretary", False), ("inspector", True)])
def test_the_roster_export_is_masked_unless_the_user_may_reveal(world, client, who, masked) -> None:
    member = make_member(world.branch, phone="13912345678")
    make_member(world.other_branch, name="外人")
    client.force_login(getattr(world, who))
    response = client.get("/register/export/", {"org": world.branch.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [str(c) for row in sheet.iter_rows(values_only=True) for c in row]
    assert ("13912345678" in values) is not masked
    assert (member.id_number in values) is not masked
    assert "外人" not in values
    assert AuditEvent.objects.filter(action="roster.export", actor=getattr(world, who)).exists()


def test_log_ins_and_failed_log_ins_are_audited_without_passwords(world, client) -> None:
    client.post("/accounts/login/", {"username": "officer", "password": "wrong-secret"})
    client.post("/accounts/login/", {"username": "officer", "password": "pw"})
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.after == {"username": "officer"}
    assert "wrong-secret" not in str(failed.after)
    assert AuditEvent.objects.filter(action="auth.login", actor=world.officer).exists()
