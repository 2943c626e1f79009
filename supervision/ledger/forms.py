"""The ledger's forms: registering or editing an item (SUP-1, with SUP-3 rectification and PUB-3 proposal parts),
the small forms of an item's page (交办, 签收, 报告进展, 报办结, 复查核验, 退回, 撤销, 整改, 建议提案…) and the
ledger page's filters and import.

They parse and validate input only; the flows' services decide and write (the duplicate check of SUP-5 lives in
`services.create_item` / `update_draft`). Everything the user typed stays in the bound form when a service refuses.
The irreversible actions (复查核验, 撤销, 退回整改, 不同意, 公开办理结果) carry a required `confirm` checkbox,
checked on the server as well as by the browser's confirm dialog.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from supervision.public.models import Proposal
from supervision.reports.models import Rectification
from supervision.shared.forms import MultipleFileField, UnitChoiceField
from tiexi_gov.forms import (  # noqa: F401  (views call forms.styled)
    OPINION_LIMIT,
    TEXT_LIMIT,
    DateField,
    DateInput,
    FreeText,
    ModelMultipleChoiceField,
    styled,
)
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.selectors import handlers_for_posts, stands_in

from .models import PROPOSAL_SOURCES, ItemState, Kind, Light, ReportCycle, Source, SupervisionItem
from .selectors import DEFAULT_SORT, LedgerFilters

# --- registering and editing an item (SUP-1) ----------------------------------------------------------------------

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


class UnitsField(ModelMultipleChoiceField):
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
            # Whose post it is first: the acting deputy's own post is in the same list, under the same title.
            if handler.absent_person is None:
                return f"{post.title} · {person.display_name}（{handler.capacity}）"
            return f"{post.title} · {handler.absent_person.display_name}（{stands_in(handler)}）"
        return f"{post.title} · {person.display_name}"


class ItemForm(forms.Form):
    """督查事项登记表, in the ledger's order (DESIGN: 序号 · 事项来源 · 督办事项 · 牵头单位 · 协办单位 · 责任领导 ·
    完成时限 · 量化标准), then who supervises (SUP-5) and the source-specific parts."""

    source = forms.ChoiceField(label="事项来源", choices=[("", "—— 请选择 ——"), *Source.choices])
    source_ref = forms.CharField(
        label="来源依据",
        max_length=200,
        required=False,
        help_text="文号、会议纪要号、批示处理单号、建议提案号等；同一依据的在办事项不得重复立项（第五十条）",
    )
    task = FreeText(label="督办事项", max_length=TEXT_LIMIT)
    kind = forms.ChoiceField(label="督查方式", choices=Kind.choices, initial=Kind.SPECIAL)
    cycle = forms.ChoiceField(label="报告周期", choices=ReportCycle.choices, initial=ReportCycle.MONTHLY)
    lead_unit = UnitChoiceField(label="牵头单位", queryset=Unit.objects.none(), empty_label="—— 请选择 ——")
    cooperating_units = UnitsField(label="协办单位", queryset=Unit.objects.none(), required=False)
    leader_post = LeaderPostField(label="责任领导", queryset=Post.objects.none(), empty_label="—— 请选择 ——")
    due = DateField(label="完成时限", widget=DateInput())
    standard = FreeText(label="量化标准", rows=2, help_text="可检验的完成标准，如“拨付率达到100%”")
    period_start = DateField(label="起始日期", widget=DateInput())
    supervising_unit = UnitChoiceField(label="督查单位", queryset=Unit.objects.none(), empty_label=None)
    in_government_name = forms.BooleanField(
        label="以区政府名义督查",
        required=False,
        help_text="部门以区政府名义督查的，交办前须经区政府领导批准（第五十条）",
    )
    is_major = forms.BooleanField(label="重大事项", required=False, help_text="重大事项可以组织联合督查（第五十条）")
    joint_units = UnitsField(
        label="联合督查单位", queryset=Unit.objects.none(), required=False, help_text="仅重大事项可选"
    )

    # SUP-3: a problem found by national / provincial / city / district supervision.
    rect_problem = FreeText(label="发现问题", required=False, max_length=TEXT_LIMIT, rows=2)
    rect_level = forms.ChoiceField(
        label="督查层级", required=False, choices=[("", "—— 请选择 ——"), *Rectification.Level.choices]
    )
    rect_found_by = forms.CharField(label="督查组/来源", max_length=200, required=False)
    rect_measures = FreeText(label="整改措施", required=False, max_length=TEXT_LIMIT, rows=2)
    rect_is_major = forms.BooleanField(
        label="重大问题（报告区政府领导）",
        required=False,
        help_text="重大问题登记后即报告区长和责任领导（第四十九条、第四十三条）",
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
                    self.add_error(name, "督查发现的问题须填写此项（第四十九条、第四十三条）。")
        if source in PROPOSAL_SOURCES and self.has_source_sections:
            for name in ("prop_number", "prop_proposer"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, "人大代表建议、政协委员提案须填写此项（第四十二条）。")
        due, start = data.get("due"), data.get("period_start")
        if due and start and due < start:
            self.add_error("due", "完成时限不能早于起始日期。")
        lead = data.get("lead_unit")
        if lead is not None and any(u.pk == lead.pk for u in data.get("cooperating_units") or ()):
            self.add_error("cooperating_units", "牵头单位不能同时作为协办单位。")
        if data.get("joint_units") and not data.get("is_major"):
            self.add_error("joint_units", "联合督查只用于重大事项（第五十条），请勾选“重大事项”。")
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


# --- an item's page: its actions -----------------------------------------------------------------------------------

CONFIRM_LABEL = "我已核对，确认执行（此操作不可撤回）"


class ConfirmMixin(forms.Form):
    """An irreversible action: the box must be ticked (server-side check, not only the browser's dialog)."""

    confirm = forms.BooleanField(
        label=CONFIRM_LABEL, required=True, error_messages={"required": "此操作不可撤回，请勾选确认后再提交。"}
    )


def _text(label: str, *, rows: int = 3, required: bool = True, max_length: int = OPINION_LIMIT) -> forms.CharField:
    return FreeText(label=label, required=required, max_length=max_length, rows=rows)


class PlainForm(forms.Form):
    """An action without input (交办, 签收)."""


class ApproveForm(forms.Form):
    opinion = _text("审批意见", rows=2, required=False)


class RefuseForm(ConfirmMixin):
    opinion = _text("不同意的理由", rows=2)

    field_order = ["opinion", "confirm"]


class ReportForm(forms.Form):
    """SUP-2: percent done, what was done, problems, next steps, material."""

    percent = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    done = _text("已完成工作", rows=4, max_length=TEXT_LIMIT)
    problems = _text("存在问题", rows=2, required=False, max_length=TEXT_LIMIT)
    next_steps = _text("下步打算", rows=2, required=False, max_length=TEXT_LIMIT)
    files = MultipleFileField(label="报告材料")


class ClaimForm(forms.Form):
    """报办结 with evidence; a rectification item also states its long-term mechanism (SUP-3)."""

    evidence = _text("办结情况及佐证", rows=4, max_length=TEXT_LIMIT)
    mechanism = _text("建立的长效机制", rows=3, required=False, max_length=TEXT_LIMIT)
    files = MultipleFileField(label="佐证材料")

    def __init__(self, *args, rectification=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rectification is None:
            del self.fields["mechanism"]
        else:
            self.fields["mechanism"].help_text = "整改事项须建立长效机制，否则不能办结（第四十九条、第四十三条）。"
            if not self.is_bound and rectification.mechanism:
                self.initial.setdefault("mechanism", rectification.mechanism)


class ReturnForm(ConfirmMixin):
    reason = _text("退回理由（复查核验发现的问题）", rows=3)

    field_order = ["reason", "confirm"]


class VerifyForm(ConfirmMixin):
    note = _text("复查核验意见", rows=3)

    field_order = ["note", "confirm"]


class CancelForm(ConfirmMixin):
    reason = forms.CharField(label="撤销原因", max_length=200)

    field_order = ["reason", "confirm"]


class RectificationForm(forms.Form):
    """SUP-3: measures, the long-term mechanism and the major-problem flag (flagging reports to the leaders)."""

    measures = _text("整改措施", rows=3, max_length=TEXT_LIMIT)
    mechanism = _text("长效机制", rows=3, required=False, max_length=TEXT_LIMIT)
    is_major = forms.BooleanField(label="重大问题（报告区政府领导）", required=False)

    def __init__(self, *args, rectification=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rectification is not None and not self.is_bound:
            self.initial.update(
                measures=rectification.measures, mechanism=rectification.mechanism, is_major=rectification.is_major
            )
        if rectification is not None and rectification.is_major:
            # Already reported to the leaders: the flag stays (the report cannot be taken back).
            self.fields["is_major"].disabled = True
            self.fields["is_major"].initial = True


class JointForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="联合督查单位",
        queryset=Unit.objects.filter(active=True)
        .exclude(kind__in=[Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL])
        .order_by("order", "id"),
    )

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        if item is not None:
            taken = {item.supervising_unit_id, *(u.pk for u in item.joint_units.all())}
            self.fields["unit"].queryset = self.fields["unit"].queryset.exclude(pk__in=taken)


class ProposalReplyForm(forms.Form):
    """PUB-3: the reply to the deputy or member and, once given, their satisfaction."""

    reply = _text("答复内容", rows=4, max_length=TEXT_LIMIT)
    replied_on = DateField(label="答复日期", required=False, widget=DateInput(), help_text="留空则为今天")
    satisfaction = forms.ChoiceField(
        label="代表/委员满意度",
        required=False,
        choices=[("", "待反馈"), *Proposal.Satisfaction.choices],
    )

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None and not self.is_bound and proposal.reply:
            self.initial.update(
                reply=proposal.reply, replied_on=proposal.replied_on, satisfaction=proposal.satisfaction
            )


class ProposalPublishForm(ConfirmMixin):
    summary = _text("公开的办理结果", rows=4, max_length=TEXT_LIMIT)

    field_order = ["summary", "confirm"]

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if proposal is not None and not self.is_bound and proposal.result_summary:
            self.initial["summary"] = proposal.result_summary


# --- the ledger page: filters, import ------------------------------------------------------------------------------

SORT_LABELS = {
    "due": "完成时限（由近及远）",
    "-due": "完成时限（由远及近）",
    "number": "督办编号（正序）",
    "-number": "督办编号（倒序）",
    "unit": "牵头单位",
    "percent": "完成进度（由低到高）",
    "-percent": "完成进度（由高到低）",
    "created": "最新登记",
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *list(choices)]


class FastSelect(forms.Select):
    """The same <select> as Django's, written in Python: Django renders every <option> through the template
    engine, which was a fifth of the ledger page's time with its units and leaders (issue 14.2)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = [
            format_html('<option value="{}"{}>{}</option>', option["value"], flatatt(option["attrs"]), option["label"])
            for _group, group_options, _index in widget["optgroups"]
            for option in group_options
        ]
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), mark_safe("".join(options))
        )


class LedgerFilterForm(forms.Form):
    """The ledger's GET filters. A bad value is dropped (and shown as a field error), never a 500: `filters()`
    keeps only what validated."""

    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "督办编号、督办事项或来源依据"}),
    )
    unit = forms.TypedChoiceField(label="单位", required=False, coerce=int, empty_value=None, widget=FastSelect)
    leader_post = forms.TypedChoiceField(
        label="责任领导", required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    source = forms.ChoiceField(
        label="事项来源", required=False, choices=_blank("全部来源", Source.choices), widget=FastSelect
    )
    kind = forms.ChoiceField(
        label="督查方式", required=False, choices=_blank("全部方式", Kind.choices), widget=FastSelect
    )
    state = forms.ChoiceField(
        label="状态", required=False, choices=_blank("全部状态", ItemState.choices), widget=FastSelect
    )
    light = forms.ChoiceField(
        label="红黄绿灯", required=False, choices=_blank("全部红黄绿灯", Light.choices), widget=FastSelect
    )
    due_from = DateField(label="完成时限自", required=False, widget=DateInput())
    due_to = DateField(label="至", required=False, widget=DateInput())
    sort = forms.ChoiceField(label="排序", required=False, choices=list(SORT_LABELS.items()), widget=FastSelect)
    report_missing = forms.BooleanField(label="进展报告逾期", required=False)
    # The dashboard's per-unit figures link to the items a unit *leads*; kept as a hidden field and shown as a chip.
    lead_unit = forms.TypedChoiceField(
        label="仅牵头单位", required=False, coerce=int, empty_value=None, widget=forms.HiddenInput
    )

    def __init__(self, data=None, *, units=(), leaders=()):
        """`units` and `leaders` are the lists the page already shows (no query here): [(pk, label), …]."""
        super().__init__(data)
        self.fields["unit"].choices = _blank("全部单位", units)
        self.fields["leader_post"].choices = _blank("全部领导", leaders)
        self.fields["lead_unit"].choices = _blank("", units)
        for name, f in self.fields.items():
            if isinstance(f.widget, forms.HiddenInput):
                continue
            if isinstance(f.widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(f.widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            f.widget.attrs.update({"class": css, "aria-label": f.label})

    def clean(self):
        data = super().clean()
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", "结束日期不能早于开始日期。")
            data.pop("due_to", None)
        return data

    def filters(self) -> LedgerFilters:
        """The filters that validated; an invalid one is ignored."""
        if not self.is_bound:
            return LedgerFilters()
        self.is_valid()
        d = self.cleaned_data
        return LedgerFilters(
            unit=d.get("unit"),
            leader_post=d.get("leader_post"),
            source=d.get("source") or "",
            kind=d.get("kind") or "",
            state=d.get("state") or "",
            light=d.get("light") or "",
            q=(d.get("q") or "").strip(),
            due_from=d.get("due_from"),
            due_to=d.get("due_to"),
            sort=d.get("sort") or DEFAULT_SORT,
            lead_unit=d.get("lead_unit"),
            report_missing=bool(d.get("report_missing")),
        )


def filter_query(filters: LedgerFilters, **changes) -> str:
    """The GET query string of `filters` (with `changes`), for links that keep the current filter."""
    values = {
        "q": filters.q,
        "unit": filters.unit or "",
        "leader_post": filters.leader_post or "",
        "source": filters.source,
        "kind": filters.kind,
        "state": filters.state,
        "light": filters.light,
        "due_from": filters.due_from.isoformat() if filters.due_from else "",
        "due_to": filters.due_to.isoformat() if filters.due_to else "",
        "sort": filters.sort if filters.sort != DEFAULT_SORT else "",
        "lead_unit": filters.lead_unit or "",
        "report_missing": 1 if filters.report_missing else "",
    }
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


class LedgerImportForm(forms.Form):
    file = forms.FileField(
        label="台账文件（.xlsx）",
        help_text="第一行（或标题行下）为表头：序号、事项来源、督办事项……",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只接受 Excel .xlsx 文件。")
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 10 MB，请分批导入。")
        head = f.read(4)
        f.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError("文件不是有效的 .xlsx 文件。")
        return f
