"""Mood history writes: forgetting one check-in, a period, or the whole history.

The song lists made for a check-in go with it (detection deletes them with it); feedback events
and likes stay: they are the user's music taste, kept on "My likes". The work is detection's, and
live mode's for its sessions (their readings are check-ins)."""

from detection import services as detection_services
from live import services as live_services

from . import selectors


def check_in_forget(*, check_in) -> None:
    """Delete one check-in: the row, its stored images and its song lists."""
    detection_services.check_in_delete(check_in=check_in)


def history_delete(*, user, period: selectors.Period | None = None) -> int:
    """Delete the user's check-ins in the period: every one, unfinished ones too, and every live
    session, without bounds; else the period's finished check-ins, as the history page lists them
    (a session keeps its other readings). Returns how many check-ins went."""
    if period is None or period.is_whole:
        live_services.sessions_delete_all(user=user)
        return detection_services.check_ins_delete_all(user=user)
    in_period = selectors.check_ins(user=user, period=period).values("pk")
    return detection_services.check_ins_delete(user=user, check_in_ids=in_period)
