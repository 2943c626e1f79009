from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations (issue 13.5, 13.6): the load balancer's health check, backup and restore, the rehearsal."""

    name = "tiexi_gov.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import planner

        connection_created.connect(planner.set_costs, dispatch_uid="ops-planner-costs")
