"""议事协调 (coordination, 第十二章 CRD-1..CRD-5), leaders' leave and travel (第七十五条 LEAVE-1..3) and
research days (第七十九条 RES-1).

Bodies are held **by post** (`Seat`): the head of a body is "副区长（分管）", not a person, so a change of office
holder shows on every body that post heads without an edit — and CRD-3 asks the office to act on it. Every change
of the register goes through an `Application` (CRD-1) whose approval writes the register in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from tiexi_gov.fsm import object_permission
from tiexi_gov.org.models import ActingArrangement, Post, Unit


def _allowed(check_name: str):
    """An object-only transition permission, asked of `coordination.permissions` (X-2)."""
    return object_permission("coordination.permissions", check_name)


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
    counterpart_name = models.CharField("对应的省、市机构", max_length=120, blank=True)
    counterpart_level = models.CharField("对应机构层级", max_length=20, choices=CounterpartLevel.choices, blank=True)
    counterpart_rank = models.PositiveSmallIntegerField("对应机构规格", choices=Rank.choices, null=True, blank=True)
    counterpart_abolished = models.BooleanField("对应的省、市机构已撤销", default=False)
    rank = models.PositiveSmallIntegerField("规格", choices=Rank.choices, default=Rank.DEPUTY)
    head_required_by_higher_level = models.BooleanField(
        "上级明确要求由区长担任主要负责人", default=False, help_text="否则原则上由分管副区长担任（CRD-3）"
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

    @transition(field=status, source=Status.ACTIVE, target=Status.MERGED)
    def merge(self):
        """Only `coordination` services call this, when a merge application is approved (CRD-1, CRD-4)."""

    @transition(field=status, source=Status.ACTIVE, target=Status.ABOLISHED)
    def abolish(self):
        """Only `coordination` services call this, when an abolish application is approved (CRD-1, CRD-4)."""


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

    def __str__(self) -> str:
        name = self.body.name if self.body else self.proposal.get("name", "")
        return f"{self.get_kind_display()}申请：{name}"

    @transition(
        field=state,
        source=(State.DRAFTING, State.RETURNED),
        target=State.OFFICE_REVIEW,
        permission=_allowed("can_apply"),
    )
    def submit(self):
        pass

    @transition(
        field=state, source=State.OFFICE_REVIEW, target=State.DEPUTY_REVIEW, permission=_allowed("can_office_review")
    )
    def office_pass(self):
        pass

    @transition(
        field=state, source=State.DEPUTY_REVIEW, target=State.HEAD_REVIEW, permission=_allowed("can_deputy_review")
    )
    def deputy_pass(self):
        pass

    @transition(field=state, source=State.HEAD_REVIEW, target=State.APPROVED, permission=_allowed("can_head_approve"))
    def approve(self):
        pass

    @transition(
        field=state,
        source=(State.OFFICE_REVIEW, State.DEPUTY_REVIEW, State.HEAD_REVIEW),
        target=State.RETURNED,
        permission=_allowed("can_return"),
    )
    def send_back(self):
        pass


class Adjustment(models.Model):
    """CRD-3 (第六十六条): an adjustment after a leader change — one body or a batch. In a batch the government
    office's document covers only the head/leader changes; member changes are issued by each body's office and
    filed with the government office. A body headed by a department head adjusts itself and files."""

    class Kind(models.TextChoices):
        BATCH = "batch", "集中调整（区政府办公室发文）"
        SINGLE = "single", "单独调整"
        SELF = "self", "机构办公室自行发文调整（部门负责人任主要负责人）"
        MEMBERS_FILED = "members_filed", "成员调整（机构办公室发文，报办公室备案）"

    kind = models.CharField("方式", max_length=20, choices=Kind.choices)
    post = models.ForeignKey(
        Post, verbose_name="变动职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    previous_holder = models.CharField("原任职人", max_length=60, blank=True)
    new_holder = models.CharField("现任职人", max_length=60, blank=True)
    bodies = models.ManyToManyField(Body, verbose_name="涉及机构", related_name="adjustments")
    document_number = models.CharField("调整文件文号", max_length=80, blank=True)
    note = models.TextField("说明", blank=True)
    informed_deputy_post = models.ForeignKey(
        Post, verbose_name="报阅分管区领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField("调整日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "机构调整记录"
        verbose_name_plural = "机构调整记录"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.on}）"


class ReviewRound(models.Model):
    """CRD-4 (第六十七条): a periodic review of every body by the office."""

    title = models.CharField("名称", max_length=120)
    opened_on = models.DateField("开始日期")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "清理评估"
        verbose_name_plural = "清理评估"
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewEntry(models.Model):
    """One body assessed in a round: the grounds the portal suggests and the office's decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", "待评估"
        KEEP = "keep", "保留"
        MERGE = "merge", "建议合并"
        ABOLISH = "abolish", "建议撤销"

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="entries")
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="review_entries")
    suggestions = models.JSONField("系统提示", default=list, blank=True)
    grounds = models.JSONField("认定的撤并依据", default=list, blank=True)
    decision = models.CharField("评估结论", max_length=20, choices=Decision.choices, default=Decision.PENDING)
    merge_into = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("评估意见", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "清理评估记录"
        verbose_name_plural = "清理评估记录"
        ordering = ["round", "body__name"]
        constraints = [models.UniqueConstraint(fields=["round", "body"], name="one_entry_per_body_per_round")]

    def __str__(self) -> str:
        return f"{self.round}：{self.body}"


class AnnualTargets(models.Model):
    """CRD-5 (第六十八条): a body's targets for the year, reported to its head and filed with the government
    office by a deadline the office sets (a Deadline row, reminded); reviewed before year end."""

    class State(models.TextChoices):
        PENDING = "pending", "待报送"
        FILED = "filed", "已备案"
        REVIEWED = "reviewed", "已督导检查"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="annual_targets")
    year = models.PositiveIntegerField("年度")
    due = models.DateField("报送截止")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    reported_to_head_on = models.DateField("向机构主要负责人汇报日期", null=True, blank=True)
    filed_on = models.DateField("报办公室备案日期", null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_on = models.DateField("督导检查日期", null=True, blank=True)
    review_note = models.TextField("督导意见", blank=True)

    class Meta:
        verbose_name = "年度目标"
        verbose_name_plural = "年度目标"
        ordering = ["-year", "body__name"]
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="one_target_set_per_body_year")]
        indexes = [models.Index(fields=["year", "state"])]

    def __str__(self) -> str:
        return f"{self.body} {self.year}年度目标"


class Target(models.Model):
    """One target of a body's year, with its completion as checked before year end."""

    targets = models.ForeignKey(AnnualTargets, on_delete=models.CASCADE, related_name="items")
    text = models.TextField("目标任务")
    done = models.BooleanField("已完成", null=True, blank=True)
    note = models.TextField("完成情况", blank=True)
    follow_up = models.ForeignKey(
        "supervision.SupervisionItem",
        verbose_name="督办事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "目标任务"
        verbose_name_plural = "目标任务"
        ordering = ["targets", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class AbsenceRequest(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """LEAVE-1..3 (第七十五条): a leader's or a unit main head's leave or travel. Approval activates the acting
    arrangement for the dates (LEAVE-4: the queue reroutes); the return report closes it."""

    class Kind(models.TextChoices):
        HEAD = "head", "区长外出（报市委、市政府）"
        DEPUTY = "deputy", "副区长外出（向区长请假）"
        UNIT_HEAD = "unit_head", "单位主要负责人外出"

    class State(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准（外出中或待外出）"
        REJECTED = "rejected", "未批准"
        RETURNED = "returned", "已返回销假"
        CANCELLED = "cancelled", "已撤回"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="请假人", on_delete=models.PROTECT, related_name="absence_requests"
    )
    post = models.ForeignKey(Post, verbose_name="职务", on_delete=models.PROTECT, related_name="absence_requests")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    place = models.CharField("外出地点", max_length=120)
    purpose = models.CharField("事由", max_length=200)
    contact = models.CharField("联系方式", max_length=60)
    acting_post = models.ForeignKey(
        Post, verbose_name="代理人职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    national_or_provincial_meeting = models.BooleanField("参加全国性或全省性会议", default=False)
    reported_to_city_on = models.DateField("报告市委、市政府日期", null=True, blank=True)
    approver_post = models.ForeignKey(
        Post, verbose_name="审批人职务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField("状态", default=State.REQUESTED, choices=State.choices, protected=True)
    arrangement = models.OneToOneField(
        ActingArrangement, null=True, blank=True, on_delete=models.PROTECT, related_name="absence_request"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_opinion = models.CharField("审批意见", max_length=200, blank=True)
    filed_with_office_at = models.DateTimeField("报办公室备案时间", null=True, blank=True)
    returned_on = models.DateField("返回日期", null=True, blank=True)
    return_report = models.TextField("返回报告", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "外出请假"
        verbose_name_plural = "外出请假"
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["state", "start"]), models.Index(fields=["approver_post", "state"])]

    def __str__(self) -> str:
        return f"{self.person}外出（{self.start}～{self.end}）"

    @transition(field=state, source=State.REQUESTED, target=State.APPROVED, permission=_allowed("can_decide_absence"))
    def approve(self):
        pass

    @transition(field=state, source=State.REQUESTED, target=State.REJECTED, permission=_allowed("can_decide_absence"))
    def reject(self):
        pass

    @transition(field=state, source=State.APPROVED, target=State.RETURNED, permission=_allowed("can_report_return"))
    def report_return(self):
        pass

    @transition(
        field=state,
        source=(State.REQUESTED, State.APPROVED),
        target=State.CANCELLED,
        permission=_allowed("can_report_return"),
    )
    def cancel(self):
        pass


class ResearchDay(models.Model):
    """RES-1 (第七十九条): a day a district leader spent on grassroots research."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="区政府领导", on_delete=models.PROTECT, related_name="research_days"
    )
    day = models.DateField("日期")
    place = models.CharField("调研地点", max_length=120)
    subject = models.CharField("调研内容", max_length=200)
    topic = models.ForeignKey("ResearchTopic", null=True, blank=True, on_delete=models.SET_NULL, related_name="days")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "调研日"
        verbose_name_plural = "调研日"
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="one_research_day_per_person_day")]

    def __str__(self) -> str:
        return f"{self.person} {self.day} {self.place}"


class ResearchTopic(models.Model):
    """RES-1: one of a leader's 1-2 key research topics of the year, and its report."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="区政府领导", on_delete=models.PROTECT, related_name="research_topics"
    )
    year = models.PositiveIntegerField("年度")
    title = models.CharField("重点调研课题", max_length=200)
    report = models.TextField("调研报告", blank=True)
    report_filed_on = models.DateField("报告提交日期", null=True, blank=True)

    class Meta:
        verbose_name = "重点调研课题"
        verbose_name_plural = "重点调研课题"
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title
