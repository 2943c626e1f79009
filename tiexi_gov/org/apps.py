from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "tiexi_gov.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from . import admin_audit, memo
        from .models import User
        from .services import guard_role_separation

        memo.connect()
        admin_audit.install()

        m2m_changed.connect(guard_role_separation, sender=User.groups.through, dispatch_uid="org_guard_role_separation")
