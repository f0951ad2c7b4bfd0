from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import checks, reauth  # noqa: F401  (register the system checks and the login-time signal)
