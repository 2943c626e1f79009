"""Supervision's part of 我的待办: approvals, outcome decisions, items to accept or verify, inquiries to answer."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.urls import reverse

from tiexi_gov.deadlines.waiting import Waiting
from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post

from . import permissions
from .models import ItemState, Outcome, PublicInquiry, SupervisionItem

AREA = "督查督办"
NONE = Q(pk__in=[])


def waiting(user, day: date) -> list[Waiting]:
    handlers = handlers_on(user, day)
    posts = {h.post.pk for h in handlers}
    units = permissions.member_unit_ids(user, day)
    office = permissions.can_manage(user)
    presides = any(h.post.kind == Post.Kind.HEAD for h in handlers)  # the head approves any (SUP-5)
    approve = Q(state=ItemState.AWAITING_APPROVAL) & (Q() if presides else Q(leader_post_id__in=posts))
    counts = SupervisionItem.objects.aggregate(
        approve=Count("pk", filter=approve if posts else NONE),
        accept=Count("pk", filter=Q(state=ItemState.ASSIGNED, lead_unit_id__in=units) if units else NONE),
        verify=Count("pk", filter=Q(state=ItemState.CLAIMED) if office else NONE),
    )
    ledger = reverse("supervision:ledger")
    rows = [
        Waiting(
            AREA, "以区政府名义督查待审批（SUP-5）", counts["approve"], f"{ledger}?state={ItemState.AWAITING_APPROVAL}"
        ),
        Waiting(AREA, "交办事项待签收", counts["accept"], f"{ledger}?state={ItemState.ASSIGNED}"),
        Waiting(AREA, "报办结待复查核验", counts["verify"], f"{ledger}?state={ItemState.CLAIMED}"),
    ]
    if posts:
        rows.append(Waiting(AREA, "结果运用待审批（SUP-4）",
                            Outcome.objects.filter(state=Outcome.State.PROPOSED, approver_post_id__in=posts).count(),
                            reverse("supervision:outcomes")))  # fmt: skip
    if units:
        rows.append(Waiting(AREA, "网上咨询待答复（PUB-1）",
                            PublicInquiry.objects.filter(state=PublicInquiry.State.ASSIGNED, unit_id__in=units).count(),
                            f"{reverse('supervision:inquiries')}?state={PublicInquiry.State.ASSIGNED}"))  # fmt: skip
    return rows
