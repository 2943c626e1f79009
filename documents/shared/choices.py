"""Choices both flows share: urgency (紧急程度) and disclosure (公开属性, DOC-17)."""

from __future__ import annotations

from django.db import models


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "加急"
    EXTRA_URGENT = "extra_urgent", "特急"
    CRITICAL = "critical", "特急重要"


# Most urgent first: the queue sorts by this rank, then by due date.
URGENCY_RANK = {Urgency.CRITICAL: 0, Urgency.EXTRA_URGENT: 1, Urgency.URGENT: 2, Urgency.NORMAL: 3}


URGENT_KINDS = (Urgency.URGENT, Urgency.EXTRA_URGENT, Urgency.CRITICAL)


REASON_REQUIRED_URGENCIES = (Urgency.EXTRA_URGENT, Urgency.CRITICAL)


class Disclosure(models.TextChoices):
    """DOC-17 (第三十六条): every draft states its disclosure attribute; not public needs the legal reason."""

    FULL = "full", "全文公开"
    PARTIAL = "partial", "部分公开"
    NONE = "none", "不予公开"


class DisclosureManner(models.TextChoices):
    """第三十六条 asks for the attribute *and the manner* (方式) of disclosure."""

    ACTIVE = "active", "主动公开"
    ON_REQUEST = "on_request", "依申请公开"
