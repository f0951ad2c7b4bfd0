"""Registry through which each app contributes to the user's data rights, so accounts
never imports the apps: export my data, delete my account, and stop keeping my pictures.

Apps register in their AppConfig.ready():

    data_rights.register("detection", export=..., delete_files=..., files=..., forget_images=...)

`export(user) -> JSON-able` returns every record the app holds about the user.
`delete_files(user)` removes files the database cascade cannot reach; rows go
with the user through on_delete=CASCADE.
`files(user) -> [(archive name, storage name)]` lists stored files that belong in
the export archive (kept face images).
`forget_images(user, cancel_pending)` deletes the face images kept for the user;
with cancel_pending (consent withdrawn) analyses not yet run are cancelled too.

The other side of data rights is the data the product ships that others made: each app records
its sources and their licences with `register_source(...)`, and the "Where our data comes from"
page (accounts.views.data_sources) lists them.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Contributor:
    name: str
    export: Callable
    delete_files: Callable | None = None
    files: Callable | None = None
    forget_images: Callable | None = None


_contributors: dict[str, Contributor] = {}


def register(
    name: str,
    export: Callable,
    delete_files: Callable | None = None,
    files: Callable | None = None,
    forget_images: Callable | None = None,
) -> None:
    _contributors[name] = Contributor(name, export, delete_files, files, forget_images)


def contributors() -> list[Contributor]:
    return sorted(_contributors.values(), key=lambda c: c.name)


def images_forget(user, *, cancel_pending: bool) -> None:
    for contributor in contributors():
        if contributor.forget_images is not None:
            contributor.forget_images(user, cancel_pending=cancel_pending)


@dataclass(frozen=True)
class DataSource:
    name: str
    source: str
    licence: str
    used_for: str


_sources: dict[str, DataSource] = {}


def register_source(name: str, *, source: str, licence: str, used_for: str) -> None:
    _sources[name] = DataSource(name, source, licence, used_for)


def sources() -> list[DataSource]:
    return sorted(_sources.values(), key=lambda s: s.name)
