from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import User
from accounts.services import email_is_taken


class SignupForm(UserCreationForm):
    email = forms.EmailField(label="Email address", help_text="Used only to reset your password.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email_is_taken(email):
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("email", "goal", "keep_images")
        labels = {"goal": "What should the music do?", "keep_images": "Keep my face images"}
        help_texts = {
            "goal": "Used to choose songs after each selfie.",
            "keep_images": "Off: each picture is deleted as soon as it has been analysed.",
        }
        widgets = {"goal": forms.Select}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email_is_taken(email, exclude=self.instance):
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To make sure it is really you.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
