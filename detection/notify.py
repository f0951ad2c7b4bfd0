"""Wake-ups for long polls: a worker announces "check-in N finished" on Redis, a waiting request hears it.

Only a hint. The database row stays the truth: a waiter re-reads it after every wake-up and at
least every RECHECK_S, so a lost announcement costs it time, never a wrong answer. Without Redis
(the embedded defaults: tasks run in the web process) or while Redis is down, waiters poll the row.

Cheap per waiting client: each web process keeps one Redis subscription (a pattern, for every
check-in) on one background thread, and a waiting request is a threading.Event in a dict; no
connection, SUBSCRIBE or UNSUBSCRIBE per request.
"""

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings

logger = logging.getLogger(__name__)

# How often a waiter polls the row when it cannot listen, and re-reads it when it can.
POLL_S = 0.05
RECHECK_S = 1.0
_PATTERN = "symphony:check-in:*:finished"


def _channel(check_in_id: int) -> str:
    return f"symphony:check-in:{check_in_id}:finished"


@cache
def _client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def finished_announce(check_in_id: int) -> None:
    """Tell waiters the check-in is done or failed; call after the commit that says so."""
    if not settings.REDIS_URL:
        return
    try:
        _client(settings.REDIS_URL).publish(_channel(check_in_id), b"1")
    except Exception:
        # The result is committed; waiters will find it when they re-read the row.
        logger.warning("Could not announce check-in %s as finished", check_in_id, exc_info=True)


class _Listener:
    """This process's one subscription to every announcement, handing each to its waiters."""

    def __init__(self, url: str):
        self.url = url
        self.subscribed = threading.Event()
        self._waiters: dict[int, set[threading.Event]] = {}
        self._lock = threading.Lock()
        self._said = False
        threading.Thread(target=self._run, daemon=True, name="check-in-announcements").start()

    def add(self, check_in_id: int) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._waiters.setdefault(check_in_id, set()).add(event)
        return event

    def remove(self, check_in_id: int, event: threading.Event) -> None:
        with self._lock:
            waiting = self._waiters.get(check_in_id, set())
            waiting.discard(event)
            if not waiting:
                self._waiters.pop(check_in_id, None)

    def _wake(self, check_in_id: int | None) -> None:
        with self._lock:
            events = [e for key, group in self._waiters.items() if check_in_id in (None, key) for e in group]
        for event in events:
            event.set()

    def _run(self) -> None:
        import redis

        while True:
            try:
                # No read timeout: it sits idle between announcements; health checks find a dead link.
                client = redis.Redis.from_url(self.url, socket_connect_timeout=2, health_check_interval=30)
                subscription = client.pubsub(ignore_subscribe_messages=True)
                subscription.psubscribe(_PATTERN)
                self.subscribed.set()
                while True:
                    message = subscription.get_message(timeout=30)
                    if message and message["type"] == "pmessage":
                        self._wake(int(message["channel"].split(b":")[2]))
            except Exception:
                # Said once per outage, not once a second while it lasts.
                log = logger.warning if self.subscribed.is_set() or not self._said else logger.debug
                log("Long polls fall back to polling until Redis is back", exc_info=True)
                self._said = True
                self.subscribed.clear()
                self._wake(None)  # waiters re-read now, then poll
                time.sleep(1)


_listeners: dict[tuple[str, int], _Listener] = {}
_listeners_lock = threading.Lock()


def _listener(url: str) -> _Listener:
    # Per process id: a forked gunicorn worker starts its own thread (threads do not survive a fork).
    key = (url, os.getpid())
    with _listeners_lock:
        if key not in _listeners:
            _listeners[key] = _Listener(url)
        return _listeners[key]


@contextmanager
def listening(check_in_id: int) -> Iterator[Callable[[float], None]]:
    """Yield `pause(seconds)`: returns after `seconds` (False), or as soon as the check-in is announced (True).

    Registers on entry, so an announcement made after entering is never missed while the
    subscription is up; read the row after entering, then pause between reads. Falls back to
    short sleeps without Redis or while it is down.
    """
    listener = _listener(settings.REDIS_URL) if settings.REDIS_URL else None
    event = listener.add(check_in_id) if listener else None

    def pause(seconds: float) -> bool:
        # A process's first waiter may come before its subscription is up: give it a moment.
        if listener is None or not listener.subscribed.wait(timeout=0.2):
            time.sleep(min(seconds, POLL_S))
            return False
        announced = event.wait(min(seconds, RECHECK_S))
        event.clear()
        return announced

    try:
        yield pause
    finally:
        if listener is not None:
            listener.remove(check_in_id, event)
