"""Images on their way from the web process to a worker: a store both reach over the network, that
forgets them by itself (docs/scaling.md, "The image store").

    keys = images_put([jpeg, ...])      # the web process, before the check-in row is written
    images = images_get(keys)           # the worker; None once any of them is gone or expired
    images_delete(keys)                 # after the analysis, a failure or a withdrawal of consent

No shared disk: the worker never needs a path the web process wrote. Every key carries its expiry
time, so an abandoned check-in's images are refused after IMAGE_STORE_TTL_S by every backend, and
then removed by the backend's own expiry (Redis TTL, an S3 lifecycle rule) or the periodic purge
(database rows, memory). Backends, by settings.IMAGE_STORE:
  redis     raw bytes with a TTL (the default on the full stack; IMAGE_STORE_URL)
  database  a short-lived PendingImage row in PostgreSQL
  s3        an S3-compatible bucket through django-storages (STORAGES["images"]), for large installs
  memory    this process's memory: the embedded mode, where tasks run in the web process
"""

import threading
import time
import uuid
from collections.abc import Sequence
from functools import cache

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

PREFIX = "symphony:image:"


def _key(expires_at: int, token: str, index: int) -> str:
    return f"{expires_at}-{token}-{index}"


def _expired(key: str, now: float) -> bool:
    return int(key.split("-", 1)[0]) <= now


class RedisStore:
    @staticmethod
    @cache
    def _client(url: str):
        import redis

        return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)

    def _redis(self):
        return self._client(settings.IMAGE_STORE_URL)

    def put(self, items: dict[str, bytes], ttl: int) -> None:
        pipe = self._redis().pipeline(transaction=False)  # one round trip for a whole burst
        for key, data in items.items():
            pipe.set(PREFIX + key, data, ex=ttl)
        pipe.execute()

    def get(self, keys: Sequence[str]) -> list[bytes | None]:
        return self._redis().mget([PREFIX + key for key in keys])

    def delete(self, keys: Sequence[str]) -> None:
        self._redis().delete(*(PREFIX + key for key in keys))

    def purge(self, now: float) -> int:
        return 0  # Redis expires the keys itself


class DatabaseStore:
    def put(self, items: dict[str, bytes], ttl: int) -> None:
        from .models import PendingImage

        expires = timezone.now() + timezone.timedelta(seconds=ttl)
        PendingImage.objects.bulk_create(PendingImage(key=k, data=d, expires_at=expires) for k, d in items.items())

    def get(self, keys: Sequence[str]) -> list[bytes | None]:
        from .models import PendingImage

        found = dict(PendingImage.objects.filter(key__in=keys).values_list("key", "data"))
        return [bytes(found[key]) if key in found else None for key in keys]

    def delete(self, keys: Sequence[str]) -> None:
        from .models import PendingImage

        PendingImage.objects.filter(key__in=keys).delete()

    def purge(self, now: float) -> int:
        from .models import PendingImage

        return PendingImage.objects.filter(expires_at__lte=timezone.now()).delete()[0]


class StorageStore:
    """Any Django storage named STORAGES["images"]: an S3 bucket (django-storages) in practice, whose
    lifecycle rule removes what the periodic purge would otherwise have to list."""

    def _storage(self):
        return storages["images"]

    def put(self, items: dict[str, bytes], ttl: int) -> None:
        for key, data in items.items():
            self._storage().save(key, ContentFile(data))

    def get(self, keys: Sequence[str]) -> list[bytes | None]:
        found: list[bytes | None] = []
        for key in keys:
            try:
                with self._storage().open(key, "rb") as handle:
                    found.append(handle.read())
            except (FileNotFoundError, OSError):
                found.append(None)
        return found

    def delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._storage().delete(key)

    def purge(self, now: float) -> int:
        return 0  # the bucket's lifecycle rule expires objects (docs/scaling.md)


class MemoryStore:
    def __init__(self):
        self._items: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, items: dict[str, bytes], ttl: int) -> None:
        with self._lock:
            self._items.update(items)

    def get(self, keys: Sequence[str]) -> list[bytes | None]:
        with self._lock:
            return [self._items.get(key) for key in keys]

    def delete(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self._items.pop(key, None)

    def purge(self, now: float) -> int:
        with self._lock:
            expired = [key for key in self._items if _expired(key, now)]
            for key in expired:
                del self._items[key]
        return len(expired)


BACKENDS = {"redis": RedisStore(), "database": DatabaseStore(), "s3": StorageStore(), "memory": MemoryStore()}


def _backend():
    return BACKENDS[settings.IMAGE_STORE]


def images_put(images: Sequence[bytes]) -> list[str]:
    """Store the images for IMAGE_STORE_TTL_S; returns their keys (random: a guessed key finds nothing)."""
    ttl = settings.IMAGE_STORE_TTL_S
    token = uuid.uuid4().hex
    keys = [_key(int(time.time()) + ttl, token, index) for index in range(len(images))]
    _backend().put(dict(zip(keys, images, strict=True)), ttl)
    return keys


def images_get(keys: Sequence[str]) -> list[bytes] | None:
    """The images, in order; None when any is gone or past its expiry (treated alike: too late)."""
    now = time.time()
    if not keys or any(_expired(key, now) for key in keys):
        return None
    found = _backend().get(keys)
    return None if any(data is None for data in found) else found


def images_delete(keys: Sequence[str]) -> None:
    if keys:
        _backend().delete(keys)


def images_purge_expired() -> int:
    """Remove expired images the backend does not expire itself; returns how many went."""
    return _backend().purge(time.time())
