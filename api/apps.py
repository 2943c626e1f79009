from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API (issue 15.1): the same selectors, permission functions and services as the pages."""

    name = "api"
    verbose_name = "接口"
    default_auto_field = "django.db.models.BigAutoField"
