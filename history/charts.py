"""Server-side SVG charts for the mood history page.

No chart library: the page works offline and without JavaScript. Every chart scales with
its viewBox (readable on a phone), and carries a <title> and <desc> as its text alternative;
the page adds data tables beside them. Marks are coloured by class (`mood-fill-<emotion>`): the
colours themselves are CSS custom properties in static/css/app.css, their one definition.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ml.labels import EMOTIONS

WIDTH = 800


def _fill(emotion: str) -> str:
    return f"mood-fill-{emotion}"


def _svg(chart_id: str, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text piece is escaped below
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", cls: str = "axis") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{cls}">{escape(text)}</text>'


def _mix_text(shares: dict[str, float]) -> str:
    parts = [f"{name} {shares[name]:.0%}" for name in EMOTIONS if shares.get(name)]
    return ", ".join(parts) or "no check-ins"


def distribution_chart(summary: dict) -> SafeString:
    """Horizontal bars: the share of check-ins per mood in the period."""
    shares, counts = summary["distribution"], summary["counts"]
    row, left, right = 34, 150, 90
    height = row * len(EMOTIONS) + 10
    span = WIDTH - left - right
    body = []
    for i, name in enumerate(EMOTIONS):
        y = 5 + i * row
        width = span * shares[name]
        tip = f"{name}: {shares[name]:.0%} ({counts[name]} check-ins)"
        body.append(_text(left - 10, y + 24, name, "end", "label"))
        body.append(f'<rect x="{left}" y="{y + 6}" width="{span}" height="24" class="track"/>')
        body.append(
            f'<rect x="{left}" y="{y + 6}" width="{width:.1f}" height="24" class="{_fill(name)}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        body.append(_text(left + span + 8, y + 24, f"{shares[name]:.0%}", "start", "value"))
    desc = f"{summary['total']} check-ins: " + _mix_text(shares)
    return _svg("chart-distribution", height, "How often you felt each mood", desc, body)


def bucket_for_span(span_days: int) -> str:
    """Days, weeks or months per bar, so a long period still gives a readable chart."""
    return "day" if span_days <= 92 else "week" if span_days <= 731 else "month"


def _label(day: date, size: str) -> str:
    if size == "month":
        return day.strftime("%b %Y")
    if size == "week":
        return "week of " + day.strftime("%-d %b %Y")
    if size == "short":
        return day.strftime("%-d %b %Y")
    return day.strftime("%a %-d %b %Y")


def mix_chart(size: str, buckets: list[dict]) -> SafeString:
    """100% stacked bars: the mix of moods per day (or week, or month)."""
    top, bottom, left = 10, 30, 54
    height = 220
    plot_h = height - top - bottom
    plot_w = WIDTH - left - 10
    n = max(1, len(buckets))
    step = plot_w / n
    bar = max(1.0, step * 0.8)
    body = [
        _text(left - 6, top + 8, "100%", "end"),
        _text(left - 6, top + plot_h, "0%", "end"),
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 10}" y2="{top + plot_h}" class="axisline"/>',
    ]
    for i, bucket in enumerate(buckets):
        x = left + i * step + (step - bar) / 2
        y = top + plot_h
        tip = escape(f"{_label(bucket['date'], size)}: {bucket['count']} check-ins — {_mix_text(bucket['emotions'])}")
        parts = [f"<g><title>{tip}</title>"]
        for name in EMOTIONS:
            h = plot_h * bucket["emotions"][name]
            if h <= 0:
                continue
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" class="{_fill(name)}"/>')
        parts.append("</g>")
        body.append("".join(parts))
    for i in sorted({0, len(buckets) // 2, len(buckets) - 1}) if buckets else []:
        anchor = "start" if i == 0 else "end" if i == len(buckets) - 1 else "middle"
        x = left + i * step + (step / 2 if anchor == "middle" else 0 if anchor == "start" else step)
        body.append(_text(x, height - 8, _label(buckets[i]["date"], "month" if size == "month" else "short"), anchor))
    per = {"day": "day", "week": "week", "month": "month"}[size]
    title = f"Mix of moods per {per}"
    if buckets:
        best = max(buckets, key=lambda b: b["count"])
        desc = (
            f"{len(buckets)} {per}s with check-ins, from {_label(buckets[0]['date'], size)} to "
            f"{_label(buckets[-1]['date'], size)}. Busiest {per}: {_label(best['date'], size)} with "
            f"{best['count']} check-ins ({_mix_text(best['emotions'])})."
        )
    else:
        desc = "No check-ins in this period."
    return _svg("chart-mix", height, title, desc, body)


def timeline_chart(points: list[dict], total: int) -> SafeString:
    """One dot per check-in: when (x), how confident the reading was (y), and the mood (colour)."""
    top, bottom, left = 10, 30, 54
    height = 220
    plot_h = height - top - bottom
    plot_w = WIDTH - left - 20
    body = [
        _text(left - 6, top + 8, "100%", "end"),
        _text(left - 6, top + plot_h / 2 + 4, "50%", "end"),
        _text(left - 6, top + plot_h, "0%", "end"),
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 10}" y2="{top + plot_h}" class="axisline"/>',
        f'<line x1="{left}" y1="{top + plot_h / 2}" x2="{WIDTH - 10}" y2="{top + plot_h / 2}" class="gridline"/>',
    ]
    if points:
        start, end = points[0]["created_at"], points[-1]["created_at"]
        seconds = max((end - start).total_seconds(), 1.0)
        radius = 5 if len(points) <= 60 else 3.5 if len(points) <= 200 else 2.5
        tz = timezone.get_current_timezone()
        for point in points:
            local = point["created_at"].astimezone(tz)
            x = left + plot_w * (point["created_at"] - start).total_seconds() / seconds if len(points) > 1 else left
            confidence = point["confidence"]
            # A mood picked by hand has no confidence figure: drawn on the top line, as sure as it gets.
            y = top + plot_h * (1 - (1.0 if confidence is None else confidence))
            emotion = point["effective"]
            corrected = " (your correction)" if emotion != point["top_emotion"] else ""
            sure = "picked by hand" if confidence is None else f"{confidence:.0%} confident"
            tip = escape(f"{local:%a %-d %b %Y %H:%M}: {emotion}{corrected}, {sure}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" class="{_fill(emotion)}"><title>{tip}</title></circle>'
            )
        body.append(_text(left, height - 8, f"{timezone.localtime(start):%-d %b %Y}", "start"))
        body.append(_text(WIDTH - 10, height - 8, f"{timezone.localtime(end):%-d %b %Y}", "end"))
        shown = f"the latest {len(points)} of {total}" if total > len(points) else f"{len(points)}"
        counts = {name: sum(1 for p in points if p["effective"] == name) for name in EMOTIONS}
        mix = ", ".join(f"{name} {counts[name]}" for name in EMOTIONS if counts[name])
        read = [p["confidence"] for p in points if p["confidence"] is not None]
        average = f" Average confidence {sum(read) / len(read):.0%} of {len(read)} read from a photo." if read else ""
        picked = len(points) - len(read)
        desc = (
            f"{shown} check-ins from {timezone.localtime(start):%-d %b %Y} to {timezone.localtime(end):%-d %b %Y}. "
            f"Moods: {mix}.{average}" + (f" {picked} picked by hand." if picked else "")
        )
    else:
        desc = "No check-ins in this period."
    return _svg("chart-timeline", height, "Each check-in: mood and confidence over time", desc, body)


def hours_chart(hours: list[dict]) -> SafeString:
    """Stacked bars per hour of the day: when you check in, and in which mood."""
    top, bottom, left = 10, 30, 54
    height = 200
    plot_h = height - top - bottom
    plot_w = WIDTH - left - 10
    step = plot_w / 24
    peak = max((h["count"] for h in hours), default=0) or 1
    body = [
        _text(left - 6, top + 8, str(peak), "end"),
        _text(left - 6, top + plot_h, "0", "end"),
        f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 10}" y2="{top + plot_h}" class="axisline"/>',
    ]
    for hour in hours:
        x = left + hour["hour"] * step + step * 0.1
        y = top + plot_h
        counts = hour["counts"]
        mix = ", ".join(f"{name} {counts[name]}" for name in EMOTIONS if counts[name]) or "no check-ins"
        label = f"{hour['hour']:02d}:00–{hour['hour']:02d}:59: {mix}"
        parts = [f"<g><title>{escape(label)}</title>"]
        for name in EMOTIONS:
            h = plot_h * counts[name] / peak
            if h <= 0:
                continue
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" class="{_fill(name)}"/>'
            )
        parts.append("</g>")
        body.append("".join(parts))
        if hour["hour"] % 3 == 0:
            body.append(_text(left + hour["hour"] * step + step / 2, height - 8, f"{hour['hour']:02d}h", "middle"))
    busiest = max(hours, key=lambda h: h["count"]) if hours else None
    if busiest and busiest["count"]:
        parts = []
        for label, span in (("night", range(0, 6)), ("morning", range(6, 12)), ("afternoon", range(12, 18)),
                            ("evening", range(18, 24))):  # fmt: skip
            total = sum(hours[h]["count"] for h in span)
            counts = {name: sum(hours[h]["counts"][name] for h in span) for name in EMOTIONS}
            top_name = max(EMOTIONS, key=lambda n: counts[n])
            parts.append(f"{label}: {total} check-ins" + (f", mostly {top_name}" if total else ""))
        desc = f"Busiest hour {busiest['hour']:02d}:00. " + "; ".join(parts) + "."
    else:
        desc = "No check-ins in this period."
    return _svg("chart-hours", height, "Moods by time of day", desc, body)


def calendar_chart(daily: list[dict], end: date, weeks: int = 53) -> SafeString:
    """A year-at-a-glance calendar: one square per day, coloured by that day's main mood,
    fainter on days with fewer check-ins."""
    cell, gap, top, left = 13, 2, 18, 40
    start = end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)
    by_day = {entry["date"]: entry for entry in daily if start <= entry["date"] <= end}
    peak = max((e["count"] for e in by_day.values()), default=1)
    height = top + 7 * (cell + gap) + 4
    width_needed = left + weeks * (cell + gap)
    scale = (WIDTH - 10) / width_needed if width_needed > WIDTH - 10 else 1
    body = [f'<g transform="scale({scale:.4f})">']
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        body.append(_text(left - 4, top + row * (cell + gap) + cell - 2, name, "end", "small"))
    month_seen = None
    day = start
    while day <= end:
        col = (day - start).days // 7
        row = day.weekday()
        x, y = left + col * (cell + gap), top + row * (cell + gap)
        if day.day <= 7 and row == 0 and month_seen != day.month:
            month_seen = day.month
            body.append(_text(x, top - 5, day.strftime("%b"), "start", "small"))
        entry = by_day.get(day)
        if entry:
            opacity = 0.45 + 0.55 * entry["count"] / peak
            tip = escape(f"{day:%a %-d %b %Y}: {entry['count']} check-ins, mostly {entry['top_emotion']}")
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" class="{_fill(entry["top_emotion"])}" '
                f'fill-opacity="{opacity:.2f}"><title>{tip}</title></rect>'
            )
        else:
            body.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" class="empty-day"/>')
        day += timedelta(days=1)
    body.append("</g>")
    days_with = len(by_day)
    counts = {name: sum(1 for e in by_day.values() if e["top_emotion"] == name) for name in EMOTIONS}
    mix = ", ".join(f"{name} on {counts[name]}" for name in EMOTIONS if counts[name])
    desc = f"{days_with} days with check-ins between {start:%-d %b %Y} and {end:%-d %b %Y}" + (
        f"; main mood {mix} days." if mix else "."
    )
    return _svg("chart-calendar", int(height * scale) + 2, "Calendar: your main mood each day", desc, body)


def session_path_chart(item: dict) -> SafeString:
    """A live session on the valence/arousal plane: its sure readings, numbered and joined in order,
    and the songs heard after each reading as small squares along the way to the next."""
    session, points, songs = item["session"], item["points"], item["songs"]
    size, pad = 400, 40
    left = (WIDTH - size) / 2

    def xy(valence: float, arousal: float) -> tuple[float, float]:
        return left + (valence + 1) / 2 * size, pad + (1 - arousal) / 2 * size

    mid_x, mid_y = xy(0, 0)
    body = [
        f'<rect x="{left}" y="{pad}" width="{size}" height="{size}" class="track"/>',
        f'<line x1="{left}" y1="{mid_y}" x2="{left + size}" y2="{mid_y}" class="gridline"/>',
        f'<line x1="{mid_x}" y1="{pad}" x2="{mid_x}" y2="{pad + size}" class="gridline"/>',
        _text(left + size + 6, mid_y + 4, "pleasant"), _text(left - 6, mid_y + 4, "unpleasant", "end"),
        _text(mid_x, pad - 8, "energetic", "middle"), _text(mid_x, pad + size + 18, "calm", "middle"),
    ]  # fmt: skip
    where = {r.pk: xy(r.valence, r.arousal) for r in points}
    if len(points) > 1:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in where.values())
        body.append(f'<polyline points="{line}" class="path"/>')
    for index, reading in enumerate(points):
        after = [s for s in songs if s["after_reading"] == reading.pk]
        start = where[reading.pk]
        end = where[points[index + 1].pk] if index + 1 < len(points) else (start[0] + 24, start[1])
        for k, song in enumerate(after, start=1):
            t = k / (len(after) + 1)
            x, y = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
            tip = escape(f"{song['artist']} – {song['title']} ({song['kind']})")
            body.append(
                f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" class="song"><title>{tip}</title></rect>'
            )
    for number, reading in enumerate(points, start=1):
        x, y = where[reading.pk]
        when = timezone.localtime(reading.taken_at).strftime("%H:%M")
        tip = escape(f"{number}. {when}: {reading.top_emotion}")
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" class="{_fill(reading.top_emotion)}"><title>{tip}</title></circle>'
        )
        body.append(_text(x, y + 4, str(number), "middle", "pathlabel"))
    start = timezone.localtime(session.started_at).strftime("%a %-d %b %Y, %H:%M")
    title = f"Live session of {start} (goal: {session.goal})"
    return _svg(f"chart-session-{session.pk}", size + 2 * pad, title, session_change_text(item), body)


def session_change_text(item: dict) -> str:
    """The session in words: its readings, the songs heard and the start → end change."""
    points, change = item["points"], item["change"]
    heard = f"{len(item['songs'])} song{'s' if len(item['songs']) != 1 else ''} heard"
    if not change:
        return f"No sure reading in this session; {heard}."
    moods = " → ".join(r.top_emotion for r in points)
    text = f"{len(points)} sure reading{'s' if len(points) != 1 else ''} ({moods}); {heard}."
    if len(points) > 1:
        text += f" Valence {change['valence']:+.2f}, arousal {change['arousal']:+.2f}"
        if change["toward_goal"] is not None:
            text += ", towards the goal" if change["toward_goal"] else ", away from the goal"
        text += "."
    return text
