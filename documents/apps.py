from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "公文"

    def ready(self):
        from . import handlers  # noqa: F401  (registers the DOC-7 deadline handler)
