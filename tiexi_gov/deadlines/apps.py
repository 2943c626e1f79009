from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "tiexi_gov.deadlines"
    label = "deadlines"
    verbose_name = "时限"
