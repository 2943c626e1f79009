from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tiexi_gov.org"
    label = "org"
    verbose_name = "组织机构"
