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
    file = forms.FileField(help_text="UTF-8 CSV, generic or MoodyLyrics format (see music/README.md).")
    dry_run = forms.BooleanField(required=False, label="Only check the file; import nothing")


class TagForm(forms.Form):
    emotion = forms.ChoiceField(choices=[(n, n) for n in EMOTIONS])
    weight = forms.FloatField(min_value=0.01, max_value=1.0, initial=1.0, required=False)
