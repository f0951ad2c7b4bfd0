from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from music.recommendation.forms import MoodForm
from music.recommendation.services import recommendation_create


@login_required
def mood_pick(request):
    form = MoodForm(request.POST or None, initial={"goal": request.user.goal})
    if request.method == "POST" and form.is_valid():
        rec = recommendation_create(
            user=request.user, emotions={form.cleaned_data["emotion"]: 1.0}, goal=form.cleaned_data["goal"]
        )
        return redirect("music:recommendation_detail", pk=rec.pk)
    return render(request, "music/mood_pick.html", {"form": form})
