import datetime as dt
import pytest
from django.test import Client
from casework.services.handover import ledger_keeper_assign
from tests.factories import make_member


def test_smoke(world, client: Client) -> None:
    m = make_member(
        world.branch,
        name="林少华",
        key_groups=1,
        last_contact_date=dt.date(2025, 1, 1),
        contact_officer=world.officer,
    )
    ledger_keeper_assign(
        organisation=world.branch,
        keeper=world.officer,
        since=dt.date(2025, 1, 1),
        actor=world.secretary,
    )
    client.force_login(world.secretary)
    b = world.branch.pk
    for url in [
        "/prevention/",
        "/prevention/duty/",
        f"/prevention/duty/?officer={world.officer.pk}",
        "/prevention/quality/",
        "/prevention/organisations/",
        f"/prevention/organisations/{b}/",
        f"/prevention/organisations/{b}/keeper/",
        f"/prevention/organisations/{b}/handovers/new/",
        "/prevention/abroad/",
        f"/prevention/organisations/{b}/abroad/new/",
        "/prevention/mobile/",
        f"/prevention/organisations/{b}/mobile/new/",
        "/prevention/roll-calls/",
        f"/prevention/organisations/{b}/roll-calls/new/",
        "/prevention/org-life/",
        "/prevention/training/",
        f"/prevention/organisations/{b}/training/new/",
        f"/prevention/organisations/{b}/card/",
        "/prevention/notices/",
        f"/prevention/organisations/{b}/notices/new/",
        "/register/search/?q=lsh",
        "/register/search/?q=林",
        "/prevention/meetings/",
        "/prevention/transfers/",
        f"/register/members/{m.pk}/",
        "/dashboard/",
    ]:
        r = client.get(url)
        print(url, r.status_code)
        assert r.status_code in (200, 400), (url, r.status_code, r.content[:3000])
    assert "林少华" in client.get("/register/search/?q=lsh").content.decode()
