"""What a receipt waits on (the queue's half of `circulation.permissions`):

unread    → its leader post (whoever handles it that day) or its unit's clerks and heads: 待阅 (待阅知)
read      → nobody: read; a 批注 may still be added, but nothing is owed
annotated → final
"""

from __future__ import annotations

from datetime import date

from django.urls import NoReverseMatch, reverse

from tiexi_gov.workflow.models import Area, UnitScope
from tiexi_gov.workflow.registry import Flow, Need, for_post, for_unit

from . import sources
from .models import Mode, Receipt, ReceiptState

ACTION, LABEL = "read", "待阅"


def receipt_url(receipt: Receipt) -> str:
    try:
        return reverse("circulation:receipt", args=[receipt.pk])
    except NoReverseMatch:
        return ""


def receipt_label(receipt: Receipt) -> str:
    return str(receipt.circulation)


def receipt_waiting(receipt: Receipt, day: date) -> list[Need]:
    if receipt.state != ReceiptState.UNREAD:
        return []
    c = receipt.circulation
    extra = {"rule_id": sources.rule_id(c.kind), "note": c.note[:200], "from_user_id": c.sent_by_id}
    label = "待阅知" if c.mode == Mode.NOTICE else LABEL
    if receipt.post_id is not None:
        return [for_post(ACTION, label, receipt.post_id, **extra)]
    return [for_unit(ACTION, label, receipt.unit_id, UnitScope.STAFF, **extra)]


RECEIPT_FLOW = Flow(
    model=Receipt,
    area=Area.DOCUMENTS,
    noun="该阅件",
    url=receipt_url,
    waiting=receipt_waiting,
    lock_related=("circulation",),
    label=receipt_label,
    optional={"annotate@read": "已读之后的批注可随时补充，不是待办"},
    nobody={"read": "已读：批注可随时补充，不再等待任何人"},
)
