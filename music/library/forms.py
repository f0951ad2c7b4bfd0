from django import forms


class PlaylistNameForm(forms.Form):
    name = forms.CharField(required=False, max_length=120, label="Playlist name")
