"""Mood history writes: forgetting one check-in, or the whole history.

The song lists made for a check-in go with it (Recommendation.check_in cascades); feedback events
and likes stay: they are the user's music taste, kept on "My likes". The work is detection's."""

from detection import services as detection_services


def check_in_forget(*, check_in) -> None:
    """Delete one check-in: the row, its stored images and its song lists."""
    detection_services.check_in_delete(check_in=check_in)


def history_delete(*, user) -> int:
    """Delete every check-in of the user; returns how many went."""
    return detection_services.check_ins_delete_all(user=user)
