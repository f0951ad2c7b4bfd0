"""Wake-ups for long polls: a worker announces "check-in N finished" on Redis, a waiting request hears it.

Only a hint. The database row stays the truth: a waiter re-reads it after every wake-up and at
least every RECHECK_S, so a lost announcement costs it time, never a wrong answer. Without Redis
(the embedded defaults: tasks run in the web process) or while Redis is down, waiters poll the row.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

from django.conf import settings

logger = logging.getLogger(__name__)

# How often a waiter polls the row when it cannot listen, and re-reads it when it can.
POLL_S = 0.05
RECHECK_S = 1.0


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


@contextmanager
def listening(check_in_id: int) -> Iterator[Callable[[float], None]]:
    """Yield `pause(seconds)`: returns after `seconds`, or as soon as the check-in is announced.

    Subscribes on entry, so an announcement made after entering is never missed; read the
    row after entering, then pause between reads. Falls back to short sleeps without Redis.
    """
    subscription = None
    if settings.REDIS_URL:
        try:
            subscription = _client(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
            subscription.subscribe(_channel(check_in_id))
        except Exception:
            logger.warning("Long poll of check-in %s falls back to polling", check_in_id, exc_info=True)
            subscription = None

    def pause(seconds: float) -> None:
        nonlocal subscription
        if subscription is None:
            time.sleep(min(seconds, POLL_S))
            return
        end = time.monotonic() + min(seconds, RECHECK_S)
        try:
            # get_message also returns (None) for the subscription's own confirmation.
            while (left := end - time.monotonic()) > 0:
                if subscription.get_message(timeout=left) is not None:
                    return
        except Exception:
            logger.warning("Long poll of check-in %s falls back to polling", check_in_id, exc_info=True)
            _close(subscription)
            subscription = None

    try:
        yield pause
    finally:
        if subscription is not None:
            _close(subscription)


def _close(subscription) -> None:
    try:
        subscription.close()  # gives its connection back to the pool
    except Exception:
        logger.warning("Could not close a Redis subscription", exc_info=True)
