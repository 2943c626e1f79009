"""Coordination's part of 我的待办: applications at the user's step (CRD-1) and leave requests to decide."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.urls import reverse

from tiexi_gov.deadlines.waiting import Waiting
from tiexi_gov.org.access import handlers_on
from tiexi_gov.org.models import Post

from . import permissions
from .models import AbsenceRequest, Application

AREA = "议事协调"


def waiting(user, day: date) -> list[Waiting]:
    handlers = handlers_on(user, day)
    posts = {h.post.pk for h in handlers}
    S = Application.State
    mine = Q(state=S.DEPUTY_REVIEW, deputy_post_id__in=posts)
    if permissions.can_manage(user):
        mine |= Q(state=S.OFFICE_REVIEW)
    if any(h.post.kind == Post.Kind.HEAD for h in handlers):
        mine |= Q(state=S.HEAD_REVIEW)
    return [
        Waiting(AREA, "机构设立调整申请待审核（CRD-1）", Application.objects.filter(mine).count(),
                f"{reverse('coordination:applications')}?tab=todo"),
        Waiting(AREA, "外出请假待审批（LEAVE-2、LEAVE-3）",
                AbsenceRequest.objects.filter(state=AbsenceRequest.State.REQUESTED, approver_post_id__in=posts).count(),
                f"{reverse('coordination:leave_list')}?tab=waiting"),
    ]  # fmt: skip
