"""The register of coordination bodies (议事协调机构) and the applications that change it (CRD-1, CRD-2).

Bodies are held **by post** (`Seat`): the head of a body is "副区长（分管）", not a person, so a change of office
holder shows on every body that post heads without an edit — and CRD-3 asks the office to act on it. Every change
of the register goes through an `Application` (CRD-1) whose approval writes the register in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.references import normalise_reference


def _key(current: str, text: str | None) -> str:
    """The comparison key of `text` (issue 13.4). A row that already duplicated another before the keys existed keeps
    the "key#id" its migration gave it (coordination 0004), so saving it again does not fail."""
    key = normalise_reference(text)[:240]
    return current if key and (current or "").startswith(f"{key}#") else key


def _allowed(check_name: str):
    """An object-only transition permission, asked of `coordination.register.permissions` (X-2)."""
    return object_permission("coordination.register.permissions", check_name)


class Ground(models.TextChoices):
    """CRD-2 (第六十五条): the only grounds on which a body may be set up."""

    LAW = "law", "法律、法规及行政规章要求设置"
    UPPER_DOCUMENT = "upper_document", "省、市有关文件明确要求设置"
    UPPER_COUNTERPART = "upper_counterpart", "省、市已设置，我区有相应工作或需对口联系"
    CROSS_SYSTEM = "cross_system", "事项重大、涉及全局，需跨系统跨层级协调"
    LEADER_FOCUS = "leader_focus", "区政府领导重点关注和部署的工作"


class AbolishGround(models.TextChoices):
    """CRD-4 (第六十七条): grounds to abolish or merge a body in the periodic review."""

    LAW = "law", "法律、法规及行政规章要求撤销"
    UPPER_DOCUMENT = "upper_document", "省、市有关文件明确要求撤销"
    COUNTERPART_ABOLISHED = "counterpart_abolished", "省、市已撤销，我区有对应设置"
    SINGLE_TASK = "single_task", "属于单项工作、单个部门负责"
    PHASE_DONE = "phase_done", "阶段性工作或某一事项已经完成"
    DUPLICATE = "duplicate", "工作职能雷同"


class Rank(models.IntegerChoices):
    """规格: who leads the body. A lower number is a higher rank; CRD-2 forbids ranking above the counterpart."""

    HEAD = 1, "行政首长任主要负责人（区长/市长/省长）"
    DEPUTY = 2, "副职领导任主要负责人（副区长/副市长/副省长）"
    DEPARTMENT = 3, "部门负责人任主要负责人"


class CounterpartLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"


class Body(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One 议事协调机构 in the register."""

    class Status(models.TextChoices):
        ACTIVE = "active", "存续"
        MERGED = "merged", "已合并"
        ABOLISHED = "abolished", "已撤销"

    name = models.CharField("机构名称", max_length=120, unique=True)
    # CRD-2 "不得重复设立": the name as compared (width, spaces, brackets folded); one body per key, any status.
    name_key = models.CharField("机构名称（比对用）", max_length=255, unique=True, editable=False)
    counterpart_name = models.CharField("对应的省、市机构", max_length=120, blank=True)
    counterpart_level = models.CharField("对应机构层级", max_length=20, choices=CounterpartLevel.choices, blank=True)
    counterpart_rank = models.PositiveSmallIntegerField("对应机构规格", choices=Rank.choices, null=True, blank=True)
    counterpart_abolished = models.BooleanField("对应的省、市机构已撤销", default=False)
    rank = models.PositiveSmallIntegerField("规格", choices=Rank.choices, default=Rank.DEPUTY)
    head_required_by_higher_level = models.BooleanField(
        "上级明确要求由区长担任主要负责人", default=False, help_text="否则原则上由分管副区长担任（第六十六条）"
    )
    host_unit = models.ForeignKey(Unit, verbose_name="办公室所在单位", on_delete=models.PROTECT, related_name="bodies")
    office_name = models.CharField("机构办公室", max_length=120, blank=True)
    founding_document = models.CharField("设立文件", max_length=200, blank=True)
    founded_on = models.DateField("设立日期", null=True, blank=True)
    phase_end = models.DateField("阶段性任务预计结束", null=True, blank=True)
    functions = models.TextField("主要职责", blank=True)
    status = FSMField("状态", default=Status.ACTIVE, choices=Status.choices, protected=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="并入", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_bodies"
    )
    ended_on = models.DateField("撤并日期", null=True, blank=True)
    last_activity_on = models.DateField("最近一次会议或活动", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "议事协调机构"
        verbose_name_plural = "议事协调机构"
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_key = _key(self.name_key, self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    # Nobody merges or abolishes a body directly: the head's approval of an application does it, in the same
    # transaction (CRD-1). The permission refuses everyone, so no one is ever offered these as a step of their own.

    @transition(field=status, source=Status.ACTIVE, target=Status.MERGED, permission=_allowed("by_application_only"))
    def merge(self):
        """Only the approval of a merge application calls this (CRD-1, CRD-4)."""

    @transition(field=status, source=Status.ACTIVE, target=Status.ABOLISHED, permission=_allowed("by_application_only"))
    def abolish(self):
        """Only the approval of an abolish application calls this (CRD-1, CRD-4)."""


class BodyGround(models.Model):
    """CRD-2: one ground of a body, with the law or document it rests on."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="grounds")
    ground = models.CharField("设立依据", max_length=30, choices=Ground.choices)
    basis = models.CharField("依据的法律法规或文件", max_length=200)

    class Meta:
        verbose_name = "设立依据"
        verbose_name_plural = "设立依据"
        constraints = [models.UniqueConstraint(fields=["body", "ground"], name="one_row_per_ground")]

    def __str__(self) -> str:
        return f"{self.get_ground_display()}：{self.basis}"


class Seat(models.Model):
    """A body's head, deputy heads and members, held by post: whoever holds the post that day sits here."""

    class Role(models.TextChoices):
        HEAD = "head", "组长（主任）"
        DEPUTY_HEAD = "deputy_head", "副组长（副主任）"
        MEMBER = "member", "成员"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="seats")
    post = models.ForeignKey(Post, verbose_name="职务", on_delete=models.PROTECT, related_name="body_seats")
    role = models.CharField("职位", max_length=20, choices=Role.choices)
    order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        verbose_name = "机构组成"
        verbose_name_plural = "机构组成"
        ordering = ["body", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["body", "post"], name="one_seat_per_post_per_body")]
        indexes = [models.Index(fields=["post", "role"])]

    def __str__(self) -> str:
        return f"{self.body}：{self.post}（{self.get_role_display()}）"


class Application(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """CRD-1 (第六十四条): setting up, adjusting, merging or abolishing a body — the department applies, the
    office reviews with an opinion, the responsible deputy, then the head approves. `proposal` holds the
    register data the approval writes (name, grounds, ranks, seats by post id, …)."""

    class Kind(models.TextChoices):
        SETUP = "setup", "设立"
        ADJUST = "adjust", "调整"
        MERGE = "merge", "合并"
        ABOLISH = "abolish", "撤销"

    class State(models.TextChoices):
        DRAFTING = "drafting", "起草中"
        OFFICE_REVIEW = "office_review", "办公室审核中"
        DEPUTY_REVIEW = "deputy_review", "分管副区长审核中"
        HEAD_REVIEW = "head_review", "区长审批中"
        APPROVED = "approved", "已批准"
        RETURNED = "returned", "已退回"

    kind = models.CharField("申请类别", max_length=20, choices=Kind.choices)
    body = models.ForeignKey(
        Body, verbose_name="机构", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    merge_into = models.ForeignKey(
        Body, verbose_name="并入机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applicant_unit = models.ForeignKey(Unit, verbose_name="申请单位", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("申请理由")
    proposal = models.JSONField("申请内容", default=dict, blank=True)
    # CRD-1: the proposed name of a setup application as compared; one setup application in flight per name.
    name_key = models.CharField("拟设机构名称（比对用）", max_length=255, blank=True, editable=False)
    deputy_post = models.ForeignKey(
        Post, verbose_name="分管副区长", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    office_opinion = models.TextField("办公室审核意见", blank=True)
    deputy_opinion = models.TextField("分管副区长意见", blank=True)
    head_opinion = models.TextField("区长意见", blank=True)
    state = FSMField("状态", default=State.DRAFTING, choices=State.choices, protected=True)
    review = models.ForeignKey(
        "ReviewEntry", verbose_name="清理评估", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "机构设立调整申请"
        verbose_name_plural = "机构设立调整申请"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "deputy_post"])]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key"],
                condition=Q(kind="setup", state__in=["office_review", "deputy_review", "head_review"])
                & ~Q(name_key=""),
                name="one_setup_in_flight_per_name",
            )
        ]

    def __str__(self) -> str:
        name = self.body.name if self.body else self.proposal.get("name", "")
        return f"{self.get_kind_display()}申请：{name}"

    def save(self, *args, **kwargs):
        name = (self.proposal or {}).get("name") if self.kind == self.Kind.SETUP else ""
        self.name_key = _key(self.name_key, name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key"}
        super().save(*args, **kwargs)

    # --- transitions: only coordination.register.services calls these -----------------------------------------

    def body_is_free(self) -> bool:
        """CRD-1: an application to adjust, merge or abolish a body goes on only while the body is active and no other
        application for it is in flight — one at a time. A setup application names no body."""
        if self.kind == self.Kind.SETUP or self.body_id is None:
            return True
        if not Body.objects.filter(pk=self.body_id, status=Body.Status.ACTIVE).exists():
            return False
        in_flight = (self.State.OFFICE_REVIEW, self.State.DEPUTY_REVIEW, self.State.HEAD_REVIEW)
        return not Application.objects.filter(body_id=self.body_id, state__in=in_flight).exclude(pk=self.pk).exists()

    @transition(
        field=state,
        source=(State.DRAFTING, State.RETURNED),
        target=State.OFFICE_REVIEW,
        permission=_allowed("can_submit"),
        conditions=[body_is_free],
    )
    def submit(self):
        """The applicant unit submits (or resubmits) its application to the office (CRD-1)."""

    @transition(
        field=state,
        source=(State.DRAFTING, State.RETURNED),
        target=State.OFFICE_REVIEW,
        permission=_allowed("can_submit_for_unit"),
        conditions=[body_is_free],
    )
    def submit_for_unit(self):
        """The office submits in the applicant unit's name (a paper application it keys in): an alternative to the
        unit's own step, never the office's task."""

    @transition(
        field=state, source=State.OFFICE_REVIEW, target=State.DEPUTY_REVIEW, permission=_allowed("can_office_review")
    )
    def office_pass(self):
        """The office reviews and gives its opinion (CRD-1)."""

    @transition(
        field=state, source=State.DEPUTY_REVIEW, target=State.HEAD_REVIEW, permission=_allowed("can_deputy_review")
    )
    def deputy_pass(self):
        """The deputy responsible for the applicant unit (or whoever acts for them) gives an opinion (CRD-1)."""

    @transition(field=state, source=State.HEAD_REVIEW, target=State.APPROVED, permission=_allowed("can_head_approve"))
    def approve(self):
        """The head approves; the register changes in the same transaction (CRD-1)."""

    @transition(
        field=state,
        source=(State.OFFICE_REVIEW, State.DEPUTY_REVIEW, State.HEAD_REVIEW),
        target=State.RETURNED,
        permission=_allowed("can_return"),
    )
    def send_back(self):
        """Whoever holds the current review step returns the application with an opinion."""


__all__ = ["AbolishGround", "Application", "Body", "BodyGround", "CounterpartLevel", "Ground", "Rank", "Seat"]
