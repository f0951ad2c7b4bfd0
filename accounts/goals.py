"""What a listener's songs should do with their mood: the one list of goals, with their names.
Plain Python, so the recommender (no Django) reads the same list as the User model's choices."""

GOAL_LABELS: dict[str, str] = {
    "match": "Match my mood",
    "lift": "Lift my mood",
    "calm": "Calm me down",
    "match_then_lift": "Match, then lift",
}
GOALS: tuple[str, ...] = tuple(GOAL_LABELS)
# The goals whose songs try to move the mood rather than match it ("what lifted me" looks at these).
MOVING_GOALS: tuple[str, ...] = tuple(goal for goal in GOALS if goal != "match")
