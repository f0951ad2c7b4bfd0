"""Registry through which each app contributes to "export my data" and "delete my account".

Apps register in their AppConfig.ready(), so accounts never imports them:

    data_rights.register("detection", export=user_data_export, delete_files=user_files_delete)

`export(user) -> JSON-able` returns every record the app holds about the user.
`delete_files(user)` removes files the database cascade cannot reach; rows go
with the user through on_delete=CASCADE.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Contributor:
    name: str
    export: Callable
    delete_files: Callable | None = None


_contributors: dict[str, Contributor] = {}


def register(name: str, export: Callable, delete_files: Callable | None = None) -> None:
    _contributors[name] = Contributor(name, export, delete_files)


def contributors() -> list[Contributor]:
    return sorted(_contributors.values(), key=lambda c: c.name)
