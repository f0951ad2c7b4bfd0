from django import forms

from accounts.models import Goal
from music.emotions import EMOTION_ADJECTIVE, EMOTIONS


class MoodForm(forms.Form):
    emotion = forms.ChoiceField(
        choices=[(name, f"{name.capitalize()} ({EMOTION_ADJECTIVE[name]})") for name in EMOTIONS],
        widget=forms.RadioSelect,
        label="How do you feel?",
    )
    goal = forms.ChoiceField(choices=Goal.choices, label="What should the music do?")
