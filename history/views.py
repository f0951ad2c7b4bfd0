"""Mood history pages: charts, recap, the check-ins list, and the delete confirmations. No JavaScript needed."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from ml.labels import EMOTIONS
from symphony.shortcuts import delete_confirmed, object_or_404

from . import charts, selectors, services

RANGES = [("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("all", "All time")]
DEFAULT_RANGE = "30"
PAGE_SIZE = 20


class HistoryFilterForm(forms.Form):
    range = forms.ChoiceField(choices=RANGES, required=False)
    date_from = forms.DateField(
        required=False,
        label="From",
        validators=selectors.DAY_VALIDATORS,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        required=False, label="To", validators=selectors.DAY_VALIDATORS, widget=forms.DateInput(attrs={"type": "date"})
    )
    emotion = forms.ChoiceField(choices=[("", "Any mood"), *[(n, n.capitalize()) for n in EMOTIONS]], required=False)

    def __init__(self, data, *args, **kwargs):
        # The public query names are `from` and `to` (as in the API); Python cannot name fields so.
        data = data.copy()
        for public, field in (("from", "date_from"), ("to", "date_to")):
            if public in data and field not in data:
                data[field] = data[public]
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned


def _period(form: HistoryFilterForm) -> tuple[selectors.Period, str]:
    if not form.is_valid():
        return selectors.period_for(days=int(DEFAULT_RANGE)), DEFAULT_RANGE
    data = form.cleaned_data
    if data["date_from"] or data["date_to"]:
        return selectors.period_for(days=None, date_from=data["date_from"], date_to=data["date_to"]), ""
    chosen = data["range"] or DEFAULT_RANGE
    return selectors.period_for(days=None if chosen == "all" else int(chosen)), chosen


@require_GET
@login_required
def history_page(request):
    form = HistoryFilterForm(request.GET)
    period, chosen = _period(form)
    error = " ".join(" ".join(errors) for errors in form.errors.values()) if not form.is_valid() else ""
    emotion = form.cleaned_data.get("emotion", "") if not error else ""
    has_history = selectors.check_ins(user=request.user).exists()
    context = {
        "form": form,
        "error": error,
        "ranges": RANGES,
        "chosen": chosen,
        "period": period,
        "emotion": emotion,
        "emotions": EMOTIONS,
        "has_history": has_history,
        "query": _query_without_page(request),
        "period_query": period_query(period),
    }
    if has_history:
        context.update(_history_context(request, period, emotion))
    return render(request, "history/page.html", context, status=400 if error else 200)


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _history_context(request, period: selectors.Period, emotion: str) -> dict:
    user = request.user
    today = timezone.localdate()
    summary = selectors.mood_distribution(user=user, period=period)
    first_day = period.date_from or selectors.history_first_day(user=user) or today
    last_day = period.date_to or today
    size = charts.bucket_for_span((last_day - first_day).days + 1)
    # The mix is grouped in SQL by day, week or month; the calendar needs one year of days at most.
    buckets = selectors.mood_daily(user=user, period=period, bucket=size)
    year_ago = last_day - timedelta(weeks=53)
    calendar_period = selectors.Period(max(period.date_from or year_ago, year_ago), last_day)
    # For periods within a year grouped by day (7, 30, 90 days) the calendar is the same query.
    same = size == "day" and calendar_period == period
    calendar_days = buckets if same else selectors.mood_daily(user=user, period=calendar_period)
    summary.update(
        hours=selectors.mood_by_hour(user=user, period=period),
        recap=selectors.mood_recap(user=user, period=period),
        lifted=selectors.mood_lifted(user=user, period=period),
    )
    points, total = selectors.mood_timeline(user=user, period=period)
    paginator = Paginator(selectors.check_ins(user=user, period=period, emotion=emotion), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    check_ins = selectors.check_ins_with_music(user=user, check_ins=list(page.object_list))
    return {
        "summary": summary,
        "buckets": buckets,
        "bucket_size": size,
        "calendar_end": last_day,
        "charts": {
            "timeline": charts.timeline_chart(points, total),
            "mix": charts.mix_chart(size, buckets),
            "distribution": charts.distribution_chart(summary),
            "hours": charts.hours_chart(summary["hours"]),
            "calendar": charts.calendar_chart(calendar_days, last_day),
        },
        "distribution_rows": [(n, summary["counts"][n], summary["distribution"][n]) for n in EMOTIONS],
        "page": page,
        "check_ins": check_ins,
        "live_sessions": [
            {**item, "chart": charts.session_path_chart(item), "text": charts.session_change_text(item)}
            for item in selectors.live_sessions(user=user, period=period)
        ],
    }


@require_http_methods(["GET", "POST"])
@login_required
def check_in_delete(request, check_in_id: int):
    check_in = object_or_404(selectors.check_in_get(user=request.user, check_in_id=check_in_id))
    if not delete_confirmed(request):
        return render(request, "history/confirm_delete.html", {"check_in": check_in})
    label = check_in.label
    services.check_in_forget(check_in=check_in)
    messages.success(request, f"Deleted your check-in of {label}.")
    return redirect("history:page")


@require_http_methods(["GET", "POST"])
@login_required
def history_delete(request):
    """The whole history, or with a period in the query (as the history page names it) that period's
    check-ins. The query travels with the confirmation, so what is confirmed is what goes."""
    form = HistoryFilterForm(request.GET)
    if request.GET and not form.is_valid():
        messages.error(request, "That period is not valid, so nothing was deleted.")
        return redirect("history:page")
    period = _period(form)[0] if request.GET else selectors.Period()
    label = period_label(period)
    if not delete_confirmed(request):
        count = selectors.check_ins(user=request.user, period=period).count()
        context = {"check_in": None, "count": count, "period": period, "period_label": label,
                   "period_query": period_query(period)}  # fmt: skip
        return render(request, "history/confirm_delete.html", context)
    deleted = services.history_delete(user=request.user, period=period)
    if period.is_whole:
        messages.success(request, f"Your mood history is deleted ({deleted} check-ins).")
    else:
        messages.success(request, f"Deleted {deleted} check-in{'s' if deleted != 1 else ''} from {label}.")
    return redirect("history:page")


def period_label(period: selectors.Period) -> str:
    """ "3 Nov 2026 – 2 Dec 2026", as the history page shows a period."""
    if period.is_whole:
        return "all time"
    start = date_format(period.date_from, "j M Y") if period.date_from else "the beginning"
    return f"{start} – {date_format(period.date_to, 'j M Y') if period.date_to else 'today'}"


def period_query(period: selectors.Period) -> str:
    """The period as the query of the history page and its delete (`from`, `to`)."""
    bounds = {"from": period.date_from, "to": period.date_to}
    return urlencode({name: day.isoformat() for name, day in bounds.items() if day})
