from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "tiexi_gov.workflow"
    label = "workflow"
    verbose_name = "待办"
