"""The public's side (PUB-1, PUB-3): simple inquiries through the government website, answered within 5 WD, and the
People's Congress suggestions and CPPCC proposals handled as supervised items (their reply and published result).

A `PublicInquiry` is an item of its own with a protected FSM; a `Proposal` hangs off its supervision item one-to-one
and its steps are self-loops on the item (`supervision.ledger.models.SupervisionItem.reply_proposal` …).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from supervision.ledger.models import SupervisionItem
from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Unit

__all__ = ["Proposal", "PublicInquiry"]


def _allowed(check_name: str):
    return object_permission("supervision.public.permissions", check_name)


class Proposal(models.Model):
    """PUB-3 (第四十二条): a People's Congress suggestion or CPPCC proposal handled as a supervised item; the
    reply, the proposer's satisfaction and the published result."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASIC = "basic", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    item = models.OneToOneField(SupervisionItem, on_delete=models.CASCADE, related_name="proposal")
    number = models.CharField("建议/提案号", max_length=60)
    proposer = models.CharField("代表/委员", max_length=100)
    session = models.CharField("届次", max_length=60, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    satisfaction = models.CharField("满意度", max_length=20, choices=Satisfaction.choices, blank=True)
    result_summary = models.TextField("办理结果（公开）", blank=True)
    published_on = models.DateField("公开日期", null=True, blank=True)

    class Meta:
        verbose_name = "建议提案"
        verbose_name_plural = "建议提案"

    def __str__(self) -> str:
        return f"{self.number} {self.proposer}"


class PublicInquiry(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """PUB-1 (第三十八条): a simple inquiry through the government website, logged by the office, assigned to a
    unit and answered within 5 WD of receipt; overdue ones are escalated by the deadline sweep."""

    class State(models.TextChoices):
        LOGGED = "logged", "已登记"
        ASSIGNED = "assigned", "已转办"
        ANSWERED = "answered", "已答复"

    number = models.CharField("编号", max_length=40, unique=True)
    asker = models.CharField("咨询人", max_length=100)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    channel = models.CharField("渠道", max_length=40, default="政府网站")
    question = models.TextField("咨询内容")
    received_on = models.DateField("收到日期")
    unit = models.ForeignKey(
        Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="inquiries"
    )
    due = models.DateField("答复时限", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    answered_on = models.DateField("答复日期", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField("状态", default=State.LOGGED, choices=State.choices, protected=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "网上咨询"
        verbose_name_plural = "网上咨询"
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["state", "due"]), models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        text = " ".join(self.question.split())
        return f"{self.number} {text[:30]}"

    @transition(
        field=state,
        source=(State.LOGGED, State.ASSIGNED),
        target=State.ASSIGNED,
        permission=_allowed("can_manage_inquiry"),
    )
    def assign(self):
        pass

    @transition(field=state, source=State.ASSIGNED, target=State.ANSWERED, permission=_allowed("can_answer_inquiry"))
    def answer_it(self):
        pass
