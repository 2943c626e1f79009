"""The org chart: units, posts and who holds them when, portfolios (分管) and acting (代理).

Posts are positions; appointments say who holds a post on which dates. Portfolios and acting
arrangements hang on posts, not people, and carry validity dates, so a change of office holder or of
the division of work never rewrites what was true before (ORG-1..5, LEAVE-4).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Unit(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", "区政府"
        OFFICE = "office", "区政府办公室"
        DEPARTMENT = "department", "政府组成部门"
        AFFILIATED = "affiliated", "直属机构"
        INSTITUTION = "institution", "直属事业单位"
        TOWNSHIP = "township", "乡"
        STREET = "street", "街道办事处"
        EXTERNAL = "external", "其他机关"

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.SlugField("代码", max_length=40, unique=True)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    is_comprehensive = models.BooleanField(
        "综合部门", default=False, help_text="综合部门每年可以区政府名义召开一次会议（第五十九条）"
    )
    order = models.PositiveIntegerField("排序", default=100)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class User(AbstractUser):
    """A person with a login. Their home unit decides what a clerk may see (X-2)."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="所在单位", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    phone = models.CharField("联系电话", max_length=30, blank=True)
    # Issue 15.3: the key that maps a directory account (LDAP employeeNumber, an OpenID Connect claim) to this
    # account. Empty for accounts that log in only locally; never two accounts with one number.
    employee_number = models.CharField(
        "工号",
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text="统一身份认证（目录）登录时据此对应本平台人员",
    )

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Post(models.Model):
    """A position (职务). Holders come and go through Appointment rows."""

    class Kind(models.TextChoices):
        HEAD = "head", "区长"
        EXEC_DEPUTY = "exec_deputy", "常务副区长"
        DEPUTY = "deputy", "副区长"
        OFFICE_DIRECTOR = "office_director", "办公室主任"
        OFFICE_DEPUTY_DIRECTOR = "office_deputy_director", "办公室副主任"
        UNIT_HEAD = "unit_head", "单位主要负责人"
        UNIT_DEPUTY = "unit_deputy", "单位分管负责人"
        CLERK = "clerk", "文书"
        OFFICE_STAFF = "office_staff", "办公室工作人员"
        PARTY_SECRETARY = "party_secretary", "党组书记"
        LEGAL_ADVISER = "legal_adviser", "法律顾问"

    LEADER_KINDS = (Kind.HEAD, Kind.EXEC_DEPUTY, Kind.DEPUTY)

    kind = models.CharField("职务类别", max_length=30, choices=Kind.choices)
    unit = models.ForeignKey(Unit, verbose_name="所在单位", on_delete=models.PROTECT, related_name="posts")
    title = models.CharField("职务名称", max_length=60)
    is_judicial = models.BooleanField(
        "分管司法工作", default=False, help_text="第十二条、第十四条：纪要经其转司法局合法性审查"
    )
    may_sign = models.BooleanField(
        "授权签发",
        default=False,
        help_text="单位分管负责人经主要负责人授权可签发上报文件（第十六条、第八十三条、第六十条）",
    )
    order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        verbose_name = "职务"
        verbose_name_plural = "职务"
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["kind", "unit"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_leader(self) -> bool:
        return self.kind in self.LEADER_KINDS


class DatedQuerySet(models.QuerySet):
    """Rows valid on a day: start <= day and (no end or end >= day)."""

    def on(self, day):
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))

    def overlapping(self, start, end=None):
        """Rows valid on some day of start..end (no end: open-ended)."""
        rows = self.filter(Q(end__isnull=True) | Q(end__gte=start))
        return rows if end is None else rows.filter(start__lte=end)


class DatedRange(models.Model):
    start = models.DateField("起始日期")
    end = models.DateField("截止日期", null=True, blank=True, help_text="留空表示至今有效")

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": "截止日期不能早于起始日期。"})

    @property
    def checked_elsewhere(self) -> set:
        """Primary keys of rows being edited in the same admin form set: their overlap with this row is checked
        there against their new values, not here against their stored ones."""
        return getattr(self, "_checked_elsewhere", set())

    def covers(self, day) -> bool:
        return self.start <= day and (self.end is None or self.end >= day)


class Appointment(DatedRange):
    """Who holds a post, from when to when (ORG-1: posts have start/end dates)."""

    post = models.ForeignKey(Post, verbose_name="职务", on_delete=models.PROTECT, related_name="appointments")
    person = models.ForeignKey(User, verbose_name="任职人", on_delete=models.PROTECT, related_name="appointments")
    note = models.CharField("任免依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        ordering = ["post", "-start"]
        indexes = [models.Index(fields=["post", "start"]), models.Index(fields=["person", "start"])]

    def __str__(self) -> str:
        return f"{self.person} 任 {self.post}（{self.start}起）"

    def clean(self):
        super().clean()
        if self.person_id:
            from .roles import is_technical_account

            if is_technical_account(self.person):
                # 三员分立 (issue 12.1): a post would give an administrator's account business work through its queue.
                raise ValidationError(
                    {"person": "管理员账号（系统管理员、安全保密管理员、安全审计员、日历管理员）不能担任业务职务。"}
                )
        if not self.post_id or not self.start:
            return
        overlapping = (
            Appointment.objects.filter(post=self.post)
            .exclude(pk=self.pk)
            .exclude(pk__in=self.checked_elsewhere)
            .filter(Q(end__isnull=True) | Q(end__gte=self.start))
        )
        if self.end:
            overlapping = overlapping.filter(start__lte=self.end)
        if overlapping.exists():
            raise ValidationError("同一职务在这段时间已有任职人，请先填写前任的截止日期。")


class Portfolio(DatedRange):
    """A leader post's 分管 of a unit for a period (ORG-2). History is kept, never rewritten."""

    post = models.ForeignKey(
        Post,
        verbose_name="分管领导职务",
        on_delete=models.PROTECT,
        related_name="portfolio",
        limit_choices_to={"kind__in": Post.LEADER_KINDS},
    )
    unit = models.ForeignKey(Unit, verbose_name="分管单位", on_delete=models.PROTECT, related_name="portfolios")
    basis = models.CharField("分工依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "分管"
        verbose_name_plural = "领导分工（分管）"
        ordering = ["post", "unit"]
        indexes = [models.Index(fields=["unit", "start"])]

    def __str__(self) -> str:
        return f"{self.post} 分管 {self.unit}"

    def clean(self):
        super().clean()
        if not self.unit_id or not self.start:
            return
        clash = (
            Portfolio.objects.filter(unit=self.unit)
            .exclude(pk=self.pk)
            .exclude(pk__in=self.checked_elsewhere)
            .filter(Q(end__isnull=True) | Q(end__gte=self.start))
        )
        if self.end:
            clash = clash.filter(start__lte=self.end)
        if clash.exists():
            raise ValidationError("该单位在这段时间已有分管领导，请先结束原分工。")


class ActingArrangement(DatedRange):
    """While `absent_post`'s holder is away, `acting_post`'s holder acts for them (ORG-3, LEAVE-4)."""

    class Kind(models.TextChoices):
        ENTRUSTED = "entrusted", "受委托主持工作"
        DESIGNATED = "designated", "指定代理"

    absent_post = models.ForeignKey(
        Post, verbose_name="外出领导职务", on_delete=models.PROTECT, related_name="absences"
    )
    acting_post = models.ForeignKey(
        Post, verbose_name="代理人职务", on_delete=models.PROTECT, related_name="acting_for"
    )
    kind = models.CharField("方式", max_length=20, choices=Kind.choices, default=Kind.DESIGNATED)
    reason = models.CharField("事由", max_length=200, blank=True)
    designated_by = models.ForeignKey(
        User, verbose_name="指定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled = models.BooleanField("已撤销", default=False)

    class Meta:
        verbose_name = "代理安排"
        verbose_name_plural = "代理安排"
        ordering = ["-start"]
        indexes = [models.Index(fields=["absent_post", "start"]), models.Index(fields=["acting_post", "start"])]

    def __str__(self) -> str:
        return f"{self.acting_post} 代 {self.absent_post}（{self.start}～{self.end or ''}）"

    def clean(self):
        super().clean()
        if self.absent_post_id and self.absent_post_id == self.acting_post_id:
            raise ValidationError("代理人不能是外出领导本人。")
        if self.absent_post_id and self.acting_post_id:
            absent, acting = self.absent_post, self.acting_post
            if absent.kind == Post.Kind.HEAD and acting.kind != Post.Kind.EXEC_DEPUTY:
                raise ValidationError("区长外出期间，由负责常务工作的副区长受委托主持工作（第十五条）。")
            if absent.kind in (Post.Kind.EXEC_DEPUTY, Post.Kind.DEPUTY) and not acting.is_leader:
                raise ValidationError("副区长外出期间，由区长指定其他副区长代理（第十五条）。")
            if absent.kind == Post.Kind.HEAD and self.kind != self.Kind.ENTRUSTED:
                raise ValidationError(
                    {"kind": "区长外出期间，常务副区长是“受委托主持工作”，请选择该方式（第十五条）。"}
                )
            if absent.kind != Post.Kind.HEAD and self.kind == self.Kind.ENTRUSTED:
                raise ValidationError(
                    {"kind": "“受委托主持工作”只用于区长外出；其他领导外出请选“指定代理”（第十五条）。"}
                )
        if self.absent_post_id and self.start and not self.cancelled:
            overlapping = (
                ActingArrangement.objects.filter(cancelled=False).exclude(pk=self.pk).overlapping(self.start, self.end)
            )
            if overlapping.filter(absent_post_id=self.absent_post_id).exists():
                raise ValidationError("这段时间已有该领导的代理安排，请先撤销或调整原安排。")
            # 第十五条 names who stands in; it does not pass on: the acting leader is not away in the meantime, and a
            # leader standing in for someone is not away himself (his work would go to someone nobody designated).
            if self.acting_post_id and overlapping.filter(absent_post_id=self.acting_post_id).exists():
                raise ValidationError(f"{self.acting_post.title}在此期间也外出，不能代理，请另行指定代理人。")
            if overlapping.filter(acting_post_id=self.absent_post_id).exists():
                raise ValidationError(
                    f"{self.absent_post.title}在此期间正代理其他领导的工作，不能同时外出；请先调整原代理安排（第十五条）。"
                )


class PasswordResetApproval(models.Model):
    """The security administrator's consent to reset an administrator's password (issue 12.1, 三员分立).

    The system administrator resets ordinary accounts himself. An administrator's account (系统、安全、审计或日历
    管理员) is reset only with an approval naming it, given by a security administrator who is neither the target
    nor the one who will reset it, used once within a day. Each reset is audited and forces a change at the next
    login.
    """

    VALID_HOURS = 24

    target = models.ForeignKey(
        User, verbose_name="被重置账号", on_delete=models.PROTECT, related_name="reset_approvals"
    )
    reason = models.CharField("事由", max_length=200)
    approved_by = models.ForeignKey(User, verbose_name="批准人", on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField("批准时间", auto_now_add=True)
    used_by = models.ForeignKey(
        User, verbose_name="执行人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    used_at = models.DateTimeField("执行时间", null=True, blank=True)

    class Meta:
        verbose_name = "管理员密码重置审批"
        verbose_name_plural = "管理员密码重置审批"
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"{self.target}（{self.approved_at:%Y-%m-%d %H:%M}）"
