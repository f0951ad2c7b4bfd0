from django import forms

from music.emotions import EMOTIONS


class SongSearchForm(forms.Form):
    q = forms.CharField(
        required=False, max_length=200, label="Search", widget=forms.TextInput(attrs={"type": "search"})
    )
    emotion = forms.ChoiceField(required=False, choices=[("", "Any mood")] + [(n, n.capitalize()) for n in EMOTIONS])
    genre = forms.ChoiceField(required=False)

    def __init__(self, *args, genres=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Indented by depth, so "metal" shows under "rock".
        self.fields["genre"].choices = [("", "Any genre")] + [
            (g.name, "\u2003" * (len(g.names) - 1) + g.name) for g in genres
        ]


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        help_text="UTF-8 CSV: the generic format (columns below), Spotify audio features (TidyTuesday or Kaggle "
        "layout) or MoodyLyrics, told apart by the header.",
    )
    # The file of the last attempt, kept on the server so a fixed setting needs no second upload.
    kept = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    dry_run = forms.BooleanField(required=False, label="Only check the file; import nothing")
    replace = forms.BooleanField(
        required=False,
        label="Replace existing values",
        help_text="Off: existing songs only gain the values they lack, and a curator's tags and edits stay. On: the "
        "file's values replace theirs (an empty cell never does).",
    )


class TagForm(forms.Form):
    emotion = forms.ChoiceField(choices=[(n, n) for n in EMOTIONS])
    weight = forms.FloatField(min_value=0.01, max_value=1.0, initial=1.0, required=False)
