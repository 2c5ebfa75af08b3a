"""Every error is an RFC 9457 problem document; unexpected errors never leak a trace."""

from __future__ import annotations

from documents import views as document_pages


def test_an_unexpected_exception_becomes_a_bare_500_problem(world, client_for, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("secret internals 13800138000")

    monkeypatch.setattr("web.api.views.home.home_figures_for_user", boom)
    response = client_for(world.officer).get("/api/v1/home/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "server_error" and body["status"] == 500
    assert (
        "secret" not in response.content.decode() and "Traceback" not in response.content.decode()
    )


def test_bad_input_is_400_with_field_errors(world, client_for):
    response = client_for(world.officer).post(
        "/api/v1/meetings/",
        {"organisation": world.branch.pk, "kind": "nope", "attendance": [{"member": 0}]},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"kind", "held_on", "attendance.0.member", "attendance.0.status"} <= set(errors)


def test_an_unknown_api_url_is_a_404_problem(world, client_for):
    response = client_for(world.officer).get("/api/v1/cases/-1/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_wrong_method_is_405_problem(world, client_for):
    response = client_for(world.officer).delete("/api/v1/cases/")
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_an_oversized_upload_is_413(db, monkeypatch):
    from rest_framework.test import APIClient

    monkeypatch.setattr(document_pages, "MAX_UPLOAD", 10)
    response = APIClient().post(
        "/api/v1/verify/", {"file": _file(b"%PDF-" + b"x" * 100)}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("a.pdf", data, content_type="application/pdf")


def test_an_id_beyond_the_database_range_is_a_404_problem(world, client_for):
    client = client_for(world.officer)
    for url in ("/api/v1/tasks/297879467261674706173952/claim/", "/api/v1/cases/2147483648/"):
        response = client.post(url) if "claim" in url else client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"].startswith("application/problem+json")
