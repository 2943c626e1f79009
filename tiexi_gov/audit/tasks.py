"""Celery tasks of the audit app: the daily walk of the hash chain (issue 12.3)."""

import logging

from celery import shared_task
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tiexi_gov.notify.models import Message
from tiexi_gov.notify.services import notify
from tiexi_gov.org.roles import Role, users_with_role

from . import chain

log = logging.getLogger(__name__)


def verify_and_alert() -> chain.Verification:
    result = chain.verify()
    if result.ok:
        log.info("audit chain verified: %s", result.summary)
        return result
    log.error("audit chain BROKEN: %s", result.summary)
    with transaction.atomic():
        notify(
            recipients=users_with_role(Role.AUDIT_ADMIN),
            subject=f"审计记录校验未通过：第{result.first_break.ordinal}条起被篡改",
            body=result.summary,
            url=reverse("audit:export"),
            level=Message.Level.ALERT,
            # once a day per break: the alert repeats daily until the break is dealt with
            key=f"audit-chain-break:{result.first_break.id}:{timezone.localdate():%Y%m%d}",
        )
    return result


@shared_task(name="tiexi_gov.audit.tasks.verify_chain", ignore_result=True)
def verify_chain() -> bool:
    """Daily (beat): walk the chain; on a break, alert every audit administrator. Read-only apart from the alert."""
    return verify_and_alert().ok
