"""A task (待办): the fact "this item waits on this post / unit / role / person for this action".

Tasks are written only by `workflow.sync`, in the transaction of the step that opens or closes them, from what
the item's flow says it waits on (`Flow.waiting`). An owner is exactly one of:
- a post: whoever handles it on the day the queue is read (its holder, or the person acting — LEAVE-4);
- a unit with a scope: its clerks, its heads, both, or every member;
- a business role (the office's staff);
- a named person.
A task whose step has a rule's time limit links that clock (`deadline`): its due date, reminders and
escalation stay with the Deadline row, so there is one source for the date.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

OPEN = Q(closed_at__isnull=True)


class Area(models.TextChoices):
    """The work areas, in the order 我的待办 shows them."""

    DOCUMENTS = "documents", "公文办理"
    SUPERVISION = "supervision", "督查督办"
    MEETINGS = "meetings", "会议"
    COORDINATION = "coordination", "议事协调"
    CALENDAR = "calendar", "工作日历"  # a year counted on weekdays alone, waiting for the calendar administrators


AREA_ORDER = {value: i for i, value in enumerate(Area.values)}


class UnitScope(models.TextChoices):
    """Who in a unit a unit-addressed task waits on."""

    CLERKS = "clerks", "文书"
    HEADS = "heads", "负责人"
    STAFF = "staff", "文书和负责人"
    MEMBERS = "members", "本单位人员"


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)

    def of(self, item):
        return self.filter(subject_type=ContentType.objects.get_for_model(item), subject_id=item.pk)


class Task(models.Model):
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject_repr = models.CharField("事项", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    area = models.CharField("领域", max_length=20, choices=Area.choices)

    key = models.CharField("标识", max_length=120, help_text="同一事项内区分各项待办：动作与办理人")
    action = models.CharField("动作", max_length=40)
    action_label = models.CharField("待办事项", max_length=40)
    rule_id = models.CharField("依据规则", max_length=20, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    owner_post = models.ForeignKey(
        "org.Post", verbose_name="办理职务", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    authority = models.BooleanField(
        "须本人或受委托主持工作者办理",
        default=False,
        help_text="区长职务的签发等事项：只有本人或受委托主持工作的常务副区长可以办理（第十五条）",
    )
    owner_unit = models.ForeignKey(
        "org.Unit", verbose_name="办理单位", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    unit_scope = models.CharField("单位内办理人", max_length=10, choices=UnitScope.choices, blank=True)
    owner_role = models.CharField("办理角色", max_length=60, blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )

    urgency = models.PositiveSmallIntegerField("紧急程度", default=0, help_text="越大越急")
    deadline = models.ForeignKey(
        "deadlines.Deadline",
        verbose_name="时限",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="送达人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField("送达时间")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "待办"
        verbose_name_plural = "待办"
        ordering = ["opened_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(owner_post__isnull=False, owner_unit__isnull=True, owner_role="", owner_user__isnull=True)
                    | Q(owner_post__isnull=True, owner_unit__isnull=False, owner_role="", owner_user__isnull=True)
                    | (Q(owner_post__isnull=True, owner_unit__isnull=True, owner_user__isnull=True) & ~Q(owner_role=""))
                    | Q(owner_post__isnull=True, owner_unit__isnull=True, owner_role="", owner_user__isnull=False)
                ),
                name="task_exactly_one_owner",
            ),
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "key"], condition=OPEN, name="task_open_key_unique"
            ),
            # 我的待办 groups tasks by their area's number (selectors.queue): an area it does not know has none.
            models.CheckConstraint(condition=Q(area__in=Area.values), name="task_area_known"),
        ]
        indexes = [
            # 我的待办 reads open tasks by owner: one partial index per kind of owner (a BitmapOr in PostgreSQL).
            models.Index(fields=["owner_post"], condition=OPEN, name="task_open_post_idx"),
            models.Index(fields=["owner_unit", "unit_scope"], condition=OPEN, name="task_open_unit_idx"),
            models.Index(fields=["owner_role"], condition=OPEN & ~Q(owner_role=""), name="task_open_role_idx"),
            models.Index(fields=["owner_user"], condition=OPEN, name="task_open_user_idx"),
            models.Index(fields=["subject_type", "subject_id"], condition=OPEN, name="task_open_subject_idx"),
            # The compliance board (issue 15.5): tasks opened in a year, and the twin-task check (one step that
            # closed several tasks of an item for the same action counts once).
            models.Index(fields=["opened_at"], name="task_opened_at_idx"),
            models.Index(fields=["subject_type", "subject_id", "action"], name="task_subject_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action_label}：{self.subject_repr}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class PostedForm(models.Model):
    """A create form's one-time token (workflow.once), written in the transaction that made the record: the same
    form posted again — a double click, Back and 提交 again, a second tab — finds it and is shown what was made,
    instead of making a second record."""

    token = models.CharField(max_length=32)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "已提交的表单"
        verbose_name_plural = "已提交的表单"
        # Per person: a token copied into someone else's post is his own first post, not a look at theirs.
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="posted_form_once_per_user")]
