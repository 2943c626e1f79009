from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tiexi_gov.audit"
    label = "audit"
    verbose_name = "审计记录"
