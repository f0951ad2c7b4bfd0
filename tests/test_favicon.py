"""Every page names an icon, and /favicon.ico answers (browsers ask for it even so)."""

import pytest


@pytest.mark.django_db
def test_the_favicon_is_served_and_every_page_names_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    assert "max-age=86400" in response["Cache-Control"]
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert client.post("/favicon.ico").status_code == 405
