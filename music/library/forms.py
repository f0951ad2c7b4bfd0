from django import forms

from music.catalog.paths import path_names
from music.library.models import FeedbackKind
from music.library.services import ERA_MAX, ERA_MIN


class FeedbackForm(forms.Form):
    """A feedback button without JavaScript: the same song, kind and list the API takes."""

    song = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=FeedbackKind.choices)
    recommendation = forms.IntegerField(min_value=1, required=False)
    next = forms.CharField(required=False, max_length=2000)


class PlaylistNameForm(forms.Form):
    name = forms.CharField(required=False, max_length=120, label="Playlist name")


class PreferencesForm(forms.Form):
    """The warm start's choices (onboarding and the profile): the same fields as the API's, which
    music.library.services.preferences_update validates for both."""

    likes_genres = forms.MultipleChoiceField(
        label="Genres you like", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="A family (rock) includes its sub-genres (metal, punk, …).",
    )  # fmt: skip
    likes_artists = forms.CharField(
        label="Artists you like", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, as the catalogue spells them (optional).",
    )  # fmt: skip
    avoid_genres = forms.MultipleChoiceField(
        label="Genres you never want", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Never in your lists, sub-genres included.",
    )  # fmt: skip
    era_from = forms.IntegerField(label="From the year", required=False, min_value=1000, max_value=9999)
    era_to = forms.IntegerField(label="to the year", required=False, min_value=1000, max_value=9999)

    def __init__(self, *args, genres, **kwargs):
        super().__init__(*args, **kwargs)
        families: dict[str, list[tuple[str, str]]] = {}
        for genre in genres:  # broadest first, so each family's own entry leads its group
            families.setdefault(path_names(genre.path)[0], []).append((genre.name, genre.name))
        choices = [(family, options) if len(options) > 1 else options[0] for family, options in families.items()]
        self.fields["likes_genres"].choices = self.fields["avoid_genres"].choices = choices

    def changes(self) -> dict:
        data = self.cleaned_data
        start, end = data.get("era_from"), data.get("era_to")
        if start is None and end is None:
            eras = None
        else:  # one end given: open on the other side
            eras = [start if start is not None else ERA_MIN, end if end is not None else ERA_MAX]
        return {
            "likes_genres": data["likes_genres"],
            "avoid_genres": data["avoid_genres"],
            "likes_artists": [line.strip() for line in data["likes_artists"].splitlines() if line.strip()],
            "eras": eras,
        }

    @classmethod
    def initial_from(cls, exported: dict) -> dict:
        eras = exported["eras"] or [None, None]
        return {
            "likes_genres": exported["likes_genres"],
            "avoid_genres": exported["avoid_genres"],
            "likes_artists": "\n".join(exported["likes_artists"]),
            "era_from": eras[0],
            "era_to": eras[1],
        }
