"""Forms of the register's applications (CRD-1) and of their review steps.

They parse input only; `coordination.register.services` checks the rules (CRD-2, CRD-3) and writes. Posts are
offered with whoever holds them today, grouped by unit, so the applicant chooses seats by post and sees the person
behind them.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from tiexi_gov.forms import TEXT_LIMIT, DateField, DateInput, FreeText, styled
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.selectors import handlers_for_posts

from ..models import AbolishGround, Application, Body, CounterpartLevel, Ground, Rank
from . import permissions
from .services import RANK_OF_HEAD_KIND, InvalidProposal

Kind = Application.Kind
CONFIRM_LABEL = "我已核对，确认执行（批准后名册即行变更，此操作不可撤回）"
SEAT_POST_KINDS = (
    *Post.LEADER_KINDS,
    Post.Kind.OFFICE_DIRECTOR,
    Post.Kind.OFFICE_DEPUTY_DIRECTOR,
    Post.Kind.UNIT_HEAD,
    Post.Kind.UNIT_DEPUTY,
)
SPEC_FIELDS = (
    "name",
    "counterpart_level",
    "counterpart_name",
    "counterpart_rank",
    "rank",
    "head_required_by_higher_level",
    "head_post",
    "deputy_head_posts",
    "member_posts",
    "host_unit",
    "office_name",
    "founding_document",
    "phase_end",
    "functions",
)


def post_choices(day: dt.date, kinds=SEAT_POST_KINDS) -> list:
    """Posts grouped by unit, each labelled with today's holder ("代…" when someone acts): a bounded number of
    queries whatever the number of posts."""
    posts = list(
        Post.objects.filter(kind__in=kinds, unit__active=True)
        .select_related("unit")
        .order_by("unit__order", "unit_id", "order", "id")
    )
    handlers = handlers_for_posts(posts, day) if posts else {}
    groups: dict[int, tuple[str, list]] = {}
    for post in posts:
        h = handlers[post.pk]
        if h.person is None:
            who = "空缺"
        elif h.is_acting:
            who = f"{h.person.display_name}，{h.capacity}"
        else:
            who = h.person.display_name
        groups.setdefault(post.unit_id, (post.unit.display_name, []))[1].append((post.pk, f"{post.title}（{who}）"))
    return [(label, options) for label, options in groups.values()]


def _head_choices(choices: list) -> list:
    """The posts that may head a body (CRD-3): the head, the deputies, a department's main head."""
    allowed = set(Post.objects.filter(kind__in=tuple(RANK_OF_HEAD_KIND)).values_list("pk", flat=True))
    result = []
    for label, options in choices:
        kept = [(pk, text) for pk, text in options if pk in allowed]
        if kept:
            result.append((label, kept))
    return result


class ApplicationForm(forms.Form):
    """设立 / 调整 / 合并 / 撤销 申请. One form for the four kinds: the fields that do not concern the kind are left
    out. The five CRD-2 grounds are fixed rows: a box to tick and the law or document it rests on."""

    kind = forms.ChoiceField(label="申请类别", choices=Kind.choices, widget=forms.HiddenInput)
    applicant_unit = forms.TypedChoiceField(label="申请单位", coerce=int)
    body = forms.ModelChoiceField(label="议事协调机构", queryset=Body.objects.none())
    name = forms.CharField(label="机构名称", max_length=120)
    counterpart_level = forms.ChoiceField(
        label="对应的省、市机构层级", choices=[("", "（无对应机构）"), *CounterpartLevel.choices], required=False
    )
    counterpart_name = forms.CharField(label="对应的省、市机构名称", max_length=120, required=False)
    counterpart_rank = forms.TypedChoiceField(
        label="对应机构规格", choices=[("", "—"), *Rank.choices], coerce=int, empty_value=None, required=False
    )
    rank = forms.TypedChoiceField(
        label="本机构规格", choices=Rank.choices, coerce=int, initial=Rank.DEPUTY, help_text="不得高于对应的省、市机构"
    )
    head_required_by_higher_level = forms.BooleanField(label="上级明确要求由区长担任主要负责人", required=False)
    head_post = forms.TypedChoiceField(
        label="主要负责人（组长、主任）",
        coerce=int,
        help_text="原则上由分管副区长担任（第六十六条）；按职务选择，人员随任职自动变更",
    )
    deputy_head_posts = forms.TypedMultipleChoiceField(
        label="副职负责人（副组长、副主任）", coerce=int, required=False, help_text="可多选（按住 Ctrl 或 ⌘）"
    )
    member_posts = forms.TypedMultipleChoiceField(
        label="成员", coerce=int, required=False, help_text="可多选（按住 Ctrl 或 ⌘）"
    )
    host_unit = forms.ModelChoiceField(label="办公室所在单位", queryset=Unit.objects.none())
    office_name = forms.CharField(label="机构办公室", max_length=120, required=False)
    founding_document = forms.CharField(label="设立文件（文号）", max_length=200, required=False)
    phase_end = DateField(label="阶段性任务预计结束", required=False, widget=DateInput(), help_text="常设机构留空")
    functions = FreeText(label="主要职责", required=False, max_length=TEXT_LIMIT)
    merge_into = forms.ModelChoiceField(label="并入机构", queryset=Body.objects.none())
    abolish_grounds = forms.MultipleChoiceField(
        label="撤销或合并的依据（第六十七条）", choices=AbolishGround.choices, widget=forms.CheckboxSelectMultiple
    )
    reason = FreeText(label="申请理由", rows=4)

    def __init__(self, *args, user, kind: str, day: dt.date, body: Body | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.day = day
        self.grounds_errors: list[str] = []
        self.fields["kind"].initial = kind
        # Ground rows: ground_<value> (ticked) and basis_<value> (the law or document).
        for value, label in Ground.choices:
            self.fields[f"ground_{value}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"basis_{value}"] = forms.CharField(label=f"{label}——依据", max_length=200, required=False)
            self.fields[f"basis_{value}"].widget.attrs["placeholder"] = "法律法规、规章或省市文件的名称及文号"
        # Who may apply for which unit: the office for any unit, others for their own.
        if permissions.can_manage(user):
            units = Unit.objects.filter(active=True).exclude(kind=Unit.Kind.EXTERNAL)
        else:
            units = Unit.objects.filter(pk__in=permissions.member_unit_ids(user, day), active=True)
        units = list(units.order_by("order", "id"))
        self.fields["applicant_unit"].choices = [(u.pk, u.name) for u in units]
        own = user.unit_id if any(u.pk == user.unit_id for u in units) else (units[0].pk if units else None)
        self.fields["applicant_unit"].initial = own
        active = Body.objects.filter(status=Body.Status.ACTIVE).order_by("name")
        self.fields["body"].queryset = active
        self.fields["merge_into"].queryset = active
        if kind in (Kind.SETUP, Kind.ADJUST):
            seat_choices = post_choices(day)
            self.fields["head_post"].choices = [("", "—请选择—"), *_head_choices(seat_choices)]
            self.fields["deputy_head_posts"].choices = seat_choices
            self.fields["member_posts"].choices = seat_choices
            self.fields["host_unit"].queryset = Unit.objects.filter(active=True).exclude(kind=Unit.Kind.EXTERNAL)
            self.fields["deputy_head_posts"].widget.attrs["size"] = 8
            self.fields["member_posts"].widget.attrs["size"] = 10
        drop: set[str] = set()
        if kind == Kind.SETUP:
            drop |= {"body", "merge_into", "abolish_grounds"}
        elif kind == Kind.ADJUST:
            drop |= {"merge_into", "abolish_grounds"}
            self.fields["body"].widget = forms.HiddenInput()
        else:
            drop |= set(SPEC_FIELDS) | {f"ground_{v}" for v in Ground.values} | {f"basis_{v}" for v in Ground.values}
            if kind == Kind.ABOLISH:
                drop.add("merge_into")
        for name in drop:
            self.fields.pop(name, None)
        if body is not None and "body" in self.fields:
            self.fields["body"].initial = body.pk
        styled(self)

    # --- what the template shows -------------------------------------------------------------------------

    @property
    def ground_rows(self):
        """(label, tick box, basis input) for each CRD-2 ground, in the order of 第六十五条."""
        if self.kind not in (Kind.SETUP, Kind.ADJUST):
            return []
        return [(label, self[f"ground_{value}"], self[f"basis_{value}"]) for value, label in Ground.choices]

    # --- what the service takes --------------------------------------------------------------------------

    def set_initial_spec(self, spec: dict) -> None:
        """Pre-fill from register data (a body as it is, or a stored proposal)."""
        for key in SPEC_FIELDS:
            if key in spec and key in self.fields:
                self.initial[key] = spec[key]
        for row in spec.get("grounds") or ():
            if f"ground_{row.get('ground')}" in self.fields:
                self.initial[f"ground_{row['ground']}"] = True
                self.initial[f"basis_{row['ground']}"] = row.get("basis", "")

    def proposal(self) -> dict:
        d = self.cleaned_data
        if self.kind in (Kind.MERGE, Kind.ABOLISH):
            return {"abolish_grounds": list(d.get("abolish_grounds") or [])}
        spec = {key: d.get(key) for key in SPEC_FIELDS if key in d}
        spec["host_unit"] = d["host_unit"].pk if d.get("host_unit") else None
        spec["phase_end"] = d["phase_end"].isoformat() if d.get("phase_end") else ""
        spec["grounds"] = [
            {"ground": value, "basis": d.get(f"basis_{value}") or ""}
            for value in Ground.values
            if d.get(f"ground_{value}")
        ]
        return spec

    def add_service_error(self, exc) -> None:
        """Show a refusal of the service next to the field it concerns; keep what the user typed."""
        field = getattr(exc, "field", "") if isinstance(exc, InvalidProposal) else ""
        if field == "grounds" and self.kind in (Kind.SETUP, Kind.ADJUST):
            self.grounds_errors.append(exc.message)
        elif field and field in self.fields:
            self.add_error(field, exc.message)
        else:
            self.add_error(None, exc.message)
        styled(self)


class StepForm(forms.Form):
    """A review step (审核 / 审批 / 退回): an opinion, and the state the page showed (a concurrent click is
    answered "已由…处理")."""

    opinion = FreeText(label="意见")
    seen_state = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, label: str = "意见", confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opinion"].label = label
        if confirm:
            self.fields["confirm"] = forms.BooleanField(
                label=CONFIRM_LABEL,
                required=True,
                error_messages={"required": "此操作不可撤回，请勾选确认后再提交。"},
            )
        styled(self)


class SubmitForm(forms.Form):
    """Submit a draft, or resubmit a returned application unchanged."""

    seen_state = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)


class BodyChoiceForm(forms.Form):
    """Choose the body an adjustment concerns (the form is then pre-filled with the body as it is)."""

    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.HiddenInput)
    body = forms.ModelChoiceField(label="议事协调机构", queryset=Body.objects.none(), empty_label="—请选择—")

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = kind
        self.fields["body"].queryset = Body.objects.filter(status=Body.Status.ACTIVE).order_by("name")
        styled(self)
