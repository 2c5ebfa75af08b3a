import pytest
from django.core.files.storage import default_storage
from django.test import Client

from tests.factories import make_member


def test_healthz_says_ok_without_touching_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_readyz_checks_database_and_storage(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["storage"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_storage_is_not_writable(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise OSError("read-only file system")

    monkeypatch.setattr(default_storage, "save", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"].startswith("error")


@pytest.mark.django_db
def test_the_login_page_is_in_chinese_by_default(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_page_shows_real_counts_within_the_users_scope(client: Client, world) -> None:
    make_member(world.branch, name="甲")
    make_member(world.branch, name="乙")
    make_member(world.other_branch, name="丙")
    client.force_login(world.officer)
    page = client.get("/home/").content.decode()
    assert 'data-figure="members">2<' in page
    client.force_login(world.coordinator)
    page = client.get("/home/").content.decode()
    assert 'data-figure="members">3<' in page


def test_a_user_without_roles_sees_zero_and_an_explanation(client: Client, world) -> None:
    make_member(world.branch)
    client.force_login(world.nobody)
    page = client.get("/home/").content.decode()
    assert 'data-figure="members">0<' in page
    assert "尚未被分配" in page


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client: Client) -> None:
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Log in" in page.content.decode()
