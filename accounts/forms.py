from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import Goal, User
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


class ProfileForm(forms.Form):
    """Profile fields; changing the email address needs the current password."""

    SAVED = ("email", "goal", "keep_images", "analyse_on_device")  # the user's fields this form edits

    email = forms.EmailField(label="Email address", help_text="Used only to reset your password.")
    goal = forms.ChoiceField(
        label="What should the music do?", choices=Goal.choices, help_text="Used to choose songs after each selfie."
    )
    keep_images = forms.BooleanField(
        label="Keep my face images",
        required=False,
        help_text="Off: each picture is deleted as soon as it has been analysed (switching it off deletes kept ones).",
    )
    analyse_on_device = forms.BooleanField(
        label="Analyse my face in this browser",
        required=False,
        help_text="On: your browser reads your expression itself and sends only the result, never the picture.",
    )
    password = forms.CharField(
        label="Current password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Needed only to change your email address.",
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault("initial", {name: getattr(user, name) for name in self.SAVED})
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email_is_taken(email, exclude=self.user):
            raise forms.ValidationError("An account with this email address already exists.")
        return email

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if email and email != self.user.email and not self.user.check_password(cleaned.get("password") or ""):
            self.add_error("password", "Enter your current password to change your email address.")
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.SAVED}


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
