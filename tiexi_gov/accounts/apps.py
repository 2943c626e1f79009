from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tiexi_gov.accounts"
    label = "accounts"
    verbose_name = "登录与会话"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login/logout/password receivers)
