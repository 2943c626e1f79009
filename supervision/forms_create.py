"""The form that registers or edits a supervision item (SUP-1), with the source-specific parts: a problem found
by supervision and its rectification (SUP-3), a People's Congress suggestion or CPPCC proposal (PUB-3).

It parses and checks input only; `supervision.services.create_item` / `update_draft` decide and write (the
duplicate check of SUP-5 lives there). Everything the user typed stays in the bound form when either refuses.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tiexi_gov.forms import styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.selectors import handlers_for_posts

from .models import PROPOSAL_SOURCES, Kind, Rectification, ReportCycle, Source, SupervisionItem

DATE = {"type": "date"}
ISO = "%Y-%m-%d"  # what <input type="date"> reads and sends, whatever the locale's display format
NOT_WORKING_KINDS = (Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL)
# What update_draft may change (source, rectification and proposal are fixed once the item is registered).
EDITABLE = (
    "source_ref",
    "task",
    "kind",
    "cycle",
    "lead_unit",
    "cooperating_units",
    "leader_post",
    "due",
    "standard",
    "period_start",
    "supervising_unit",
    "in_government_name",
    "is_major",
    "joint_units",
)
RECT_FIELDS = ("rect_problem", "rect_level", "rect_found_by", "rect_measures", "rect_is_major")
PROPOSAL_FIELDS = ("prop_number", "prop_proposer", "prop_session")


def working_units():
    return Unit.objects.filter(active=True).exclude(kind__in=NOT_WORKING_KINDS).order_by("order", "id")


def office_unit() -> Unit | None:
    return Unit.objects.filter(kind=Unit.Kind.OFFICE).order_by("order", "id").first()


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: Unit) -> str:
        return unit.display_name


class UnitsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, unit: Unit) -> str:
        return unit.display_name


class LeaderPostField(forms.ModelChoiceField):
    """责任领导: a district leader's post, shown with whoever holds it (or acts for them) today."""

    handlers: dict = {}

    def label_from_instance(self, post: Post) -> str:
        handler = self.handlers.get(post.pk)
        person = handler.person if handler else None
        if person is None:
            return f"{post.title} · （空缺）"
        if handler.is_acting:
            return f"{post.title} · {person.display_name}（{handler.capacity}）"
        return f"{post.title} · {person.display_name}"


class ItemForm(forms.Form):
    """督查事项登记表, in the ledger's order (DESIGN: 序号 · 事项来源 · 督办事项 · 牵头单位 · 协办单位 · 责任领导 ·
    完成时限 · 量化标准), then who supervises (SUP-5) and the source-specific parts."""

    source = forms.ChoiceField(label="事项来源", choices=[("", "—— 请选择 ——"), *Source.choices])
    source_ref = forms.CharField(
        label="来源依据",
        max_length=200,
        required=False,
        help_text="文号、会议纪要号、批示处理单号、建议提案号等；同一依据的在办事项不得重复立项（SUP-5）",
    )
    task = forms.CharField(label="督办事项", widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="督查方式", choices=Kind.choices, initial=Kind.SPECIAL)
    cycle = forms.ChoiceField(label="报告周期", choices=ReportCycle.choices, initial=ReportCycle.MONTHLY)
    lead_unit = UnitChoiceField(label="牵头单位", queryset=Unit.objects.none(), empty_label="—— 请选择 ——")
    cooperating_units = UnitsField(label="协办单位", queryset=Unit.objects.none(), required=False)
    leader_post = LeaderPostField(label="责任领导", queryset=Post.objects.none(), empty_label="—— 请选择 ——")
    due = forms.DateField(label="完成时限", widget=forms.DateInput(attrs=DATE, format=ISO))
    standard = forms.CharField(
        label="量化标准", widget=forms.Textarea(attrs={"rows": 2}), help_text="可检验的完成标准，如“拨付率达到100%”"
    )
    period_start = forms.DateField(label="起始日期", widget=forms.DateInput(attrs=DATE, format=ISO))
    supervising_unit = UnitChoiceField(label="督查单位", queryset=Unit.objects.none(), empty_label=None)
    in_government_name = forms.BooleanField(
        label="以区政府名义督查", required=False, help_text="部门以区政府名义督查的，交办前须经区政府领导批准（SUP-5）"
    )
    is_major = forms.BooleanField(label="重大事项", required=False, help_text="重大事项可以组织联合督查（SUP-5）")
    joint_units = UnitsField(
        label="联合督查单位", queryset=Unit.objects.none(), required=False, help_text="仅重大事项可选"
    )

    # SUP-3: a problem found by national / provincial / city / district supervision.
    rect_problem = forms.CharField(label="发现问题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rect_level = forms.ChoiceField(
        label="督查层级", required=False, choices=[("", "—— 请选择 ——"), *Rectification.Level.choices]
    )
    rect_found_by = forms.CharField(label="督查组/来源", max_length=200, required=False)
    rect_measures = forms.CharField(label="整改措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rect_is_major = forms.BooleanField(
        label="重大问题（报告区政府领导）", required=False, help_text="重大问题登记后即报告区长和责任领导（SUP-3）"
    )

    # PUB-3: a People's Congress suggestion or a CPPCC proposal.
    prop_number = forms.CharField(label="建议/提案号", max_length=60, required=False)
    prop_proposer = forms.CharField(label="代表/委员", max_length=100, required=False)
    prop_session = forms.CharField(label="届次", max_length=60, required=False, help_text="如：区十九届人大三次会议")

    def __init__(self, *args, item: SupervisionItem | None = None, fixed_source: str = "", day=None, **kwargs):
        self.item = item
        day = day or timezone.localdate()
        if item is not None:
            kwargs.setdefault("initial", initial_from_item(item))
        super().__init__(*args, **kwargs)
        units = working_units()
        for name in ("lead_unit", "cooperating_units", "supervising_unit", "joint_units"):
            self.fields[name].queryset = units
        posts = Post.objects.filter(kind__in=Post.LEADER_KINDS).select_related("unit").order_by("order", "id")
        leader_field = self.fields["leader_post"]
        leader_field.queryset = posts
        leader_field.handlers = handlers_for_posts(list(posts), day)
        self.fields["period_start"].initial = self.initial.get("period_start") or day
        if not self.initial.get("supervising_unit"):
            office = office_unit()
            self.fields["supervising_unit"].initial = office.pk if office else None
        if item is not None:
            # Source and its extension are fixed at registration; the draft's other fields stay editable.
            for name in ("source", *RECT_FIELDS, *PROPOSAL_FIELDS):
                del self.fields[name]
        elif fixed_source:
            self.fields["source"].initial = fixed_source
            self.fields["source"].disabled = True

    # --- which parts the page shows -------------------------------------------------------------------

    @property
    def has_source_sections(self) -> bool:
        return "rect_problem" in self.fields

    # --- validation --------------------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        source = data.get("source", self.item.source if self.item else "")
        if source == Source.INSPECTION and self.has_source_sections:
            for name in ("rect_problem", "rect_level", "rect_found_by", "rect_measures"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, "督查发现的问题须填写此项（SUP-3）。")
        if source in PROPOSAL_SOURCES and self.has_source_sections:
            for name in ("prop_number", "prop_proposer"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, "人大代表建议、政协委员提案须填写此项（PUB-3）。")
        due, start = data.get("due"), data.get("period_start")
        if due and start and due < start:
            self.add_error("due", "完成时限不能早于起始日期。")
        lead = data.get("lead_unit")
        if lead is not None and any(u.pk == lead.pk for u in data.get("cooperating_units") or ()):
            self.add_error("cooperating_units", "牵头单位不能同时作为协办单位。")
        if data.get("joint_units") and not data.get("is_major"):
            self.add_error("joint_units", "联合督查只用于重大事项（SUP-5），请勾选“重大事项”。")
        return data

    # --- what the services take -------------------------------------------------------------------------

    def create_kwargs(self) -> dict:
        d = self.cleaned_data
        source = d["source"]
        kwargs = {name: d[name] for name in EDITABLE}
        kwargs["cooperating_units"] = list(d["cooperating_units"])
        kwargs["joint_units"] = list(d["joint_units"])
        kwargs["source"] = source
        kwargs["rectification"] = None
        kwargs["proposal"] = None
        if source == Source.INSPECTION:
            kwargs["rectification"] = {
                "problem": d["rect_problem"],
                "level": d["rect_level"],
                "found_by": d["rect_found_by"],
                "measures": d["rect_measures"],
                "is_major": d["rect_is_major"],
            }
        if source in PROPOSAL_SOURCES:
            kwargs["proposal"] = {
                "number": d["prop_number"],
                "proposer": d["prop_proposer"],
                "session": d["prop_session"],
            }
        return kwargs

    def update_kwargs(self) -> dict:
        d = self.cleaned_data
        kwargs = {name: d[name] for name in EDITABLE}
        kwargs["cooperating_units"] = list(d["cooperating_units"])
        kwargs["joint_units"] = list(d["joint_units"])
        return kwargs


def initial_from_item(item: SupervisionItem) -> dict:
    return {
        "source_ref": item.source_ref,
        "task": item.task,
        "kind": item.kind,
        "cycle": item.cycle,
        "lead_unit": item.lead_unit_id,
        "cooperating_units": [u.pk for u in item.cooperating_units.all()],
        "leader_post": item.leader_post_id,
        "due": item.due,
        "standard": item.standard,
        "period_start": item.period_start,
        "supervising_unit": item.supervising_unit_id,
        "in_government_name": item.in_government_name,
        "is_major": item.is_major,
        "joint_units": [u.pk for u in item.joint_units.all()],
    }


def initial_from_instruction(instruction) -> dict:
    """SUP-1 "领导批示": the form pre-filled from a leader's instruction on a submission's processing slip."""
    sub, post = instruction.submission, instruction.post
    opinion = " ".join(instruction.opinion.split())
    return {
        "source": Source.LEADER_INSTRUCTION,
        "source_ref": f"收文{instruction.slip.number} {post.title}批示",
        "task": f"落实{post.title}在《{sub.title}》上的批示：{opinion}",
        "leader_post": post.pk if post.is_leader else None,
        "lead_unit": sub.unit_id,
    }


def initial_from_inquiry(inquiry) -> dict:
    """PUB-1: a public inquiry the office raises as a supervised item."""
    return {
        "source": Source.PUBLIC_INQUIRY,
        "source_ref": inquiry.number,
        "task": " ".join(inquiry.question.split()),
        "lead_unit": inquiry.unit_id,
    }
