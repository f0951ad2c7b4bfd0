"""`Prefer: wait=S` (RFC 7240), read by symphony.api.preferred_wait: a preference that cannot be
read is ignored, never an error; the wait is capped."""

import pytest
from rest_framework.test import APIRequestFactory

from symphony.api import preferred_wait


def asked(header: str | None) -> float:
    request = APIRequestFactory().post("/", HTTP_PREFER=header) if header is not None else APIRequestFactory().post("/")
    return preferred_wait(request, 20.0)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 0.0),
        ("", 0.0),
        ("wait=10", 10.0),
        ("WAIT = 2.5", 2.5),
        ('wait="3"', 3.0),
        ("respond-async, wait=7", 7.0),
        ("handling=lenient; wait=4", 4.0),
        ("wait=999", 20.0),  # capped
        ("wait=", 0.0),
        ("wait=-1", 0.0),
        ("wait=ten", 0.0),
        ("await=5", 0.0),
        ("wait=5x", 0.0),
        ("wait=" + "9" * 5000, 0.0),
        ("respond-async", 0.0),
        ("wait=\u0661", 0.0),  # an Arabic-Indic digit is not a number here
    ],
)
def test_the_wait_asked_for(header, seconds):
    assert asked(header) == seconds
