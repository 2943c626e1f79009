from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "公文"

    def ready(self):
        from tiexi_gov.workflow.registry import register_flow

        from .outgoing.flow import FLOW as OUTGOING
        from .submissions import handlers  # noqa: F401  (registers the DOC-7 deadline handler)
        from .submissions.flow import FLOW as SUBMISSIONS

        register_flow(SUBMISSIONS)
        register_flow(OUTGOING)
