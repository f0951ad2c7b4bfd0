"""Reading the API's one error shape in tests (symphony.api): `{"type", "errors": [{"code", "detail", "attr"}]}`."""


def errors(response) -> dict:
    """The messages of an error answer by field (`attr`; None for the request as a whole)."""
    found: dict = {}
    for error in response.json()["errors"]:
        found.setdefault(error["attr"], []).append(error["detail"])
    return found


def message(response) -> str:
    """Every message of an error answer, as one text."""
    return " ".join(error["detail"] for error in response.json()["errors"])


def codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]
