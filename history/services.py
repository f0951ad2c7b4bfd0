"""Mood history writes: forgetting one check-in, or the whole history.

The song lists made for a check-in go with it (Recommendation.check_in cascades); feedback events
and likes stay: they are the user's music taste, kept on "My likes". The work is detection's, and
live mode's for its sessions (their readings are check-ins)."""

from detection import services as detection_services
from live import services as live_services


def check_in_forget(*, check_in) -> None:
    """Delete one check-in: the row, its stored images and its song lists."""
    detection_services.check_in_delete(check_in=check_in)


def history_delete(*, user) -> int:
    """Delete every check-in and live session of the user; returns how many check-ins went."""
    live_services.sessions_delete_all(user=user)
    return detection_services.check_ins_delete_all(user=user)
