from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


@checks.register(checks.Tags.security)
def sm3_available(app_configs=None, **kwargs):
    """The hash chain is SM3: a host whose OpenSSL lacks it must not start and write something else."""
    from cryptography.hazmat.backends.openssl.backend import backend
    from cryptography.hazmat.primitives import hashes

    if backend.hash_supported(hashes.SM3()):
        return []
    return [checks.Error("OpenSSL 不支持 SM3：审计哈希链无法计算。", id="audit.E001")]


def _grant_runtime_after_migrate(sender, using="default", **kwargs):
    """With AUDIT_RUNTIME_DB_ROLE set, every migrate (run by the owner role) re-applies the runtime role's grants,
    so a table created by a migration never leaves the runtime role with UPDATE/DELETE on the audit tables."""
    from django.conf import settings
    from django.db import connections

    role = getattr(settings, "AUDIT_RUNTIME_DB_ROLE", "")
    if role and connections[using].vendor == "postgresql":
        from .roles_sql import grant_runtime

        grant_runtime(role, using_connection=connections[using])


class AuditConfig(AppConfig):
    name = "tiexi_gov.audit"
    label = "audit"
    verbose_name = "审计记录"

    def ready(self):
        post_migrate.connect(_grant_runtime_after_migrate, sender=self, dispatch_uid="audit-grant-runtime")
