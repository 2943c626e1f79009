"""Forms of the leave, "who is away" and research pages (LEAVE-1..3, RES-1). Forms only parse; the rules are
checked by `coordination.absence.services`, whose refusals come back as form errors."""

from __future__ import annotations

import datetime as dt

from django import forms

from tiexi_gov.forms import TEXT_LIMIT, DateField, DateInput, FreeText, styled  # noqa: F401  (views call forms.styled)
from tiexi_gov.org.models import Post

from ..models import AbsenceRequest
from . import services as absence
from .selectors import acting_holders

CONFIRM_LABEL = "我已核对以上内容，确认提交（提交后不可撤销）"
CONFIRM_REQUIRED = {"required": "此操作不可撤回，请勾选确认后再提交。"}


NOBODY_TO_ACT = (
    "组织机构中本单位没有在任的副职，无法指定代理工作同志（第七十五条须报备代理人名单）。"
    "请联系区政府办公室在组织机构中维护本单位副职后再提交。"
)


def acting_options(post: Post, day: dt.date) -> tuple[list[tuple[int, str]], dict[int, Post]]:
    """Who may act for `post`'s holder on `day`, as choices (张海燕（副区长）, a vacant post 空缺) and by id."""
    candidates = list(absence.acting_candidates(post, day))
    holders = acting_holders(candidates, day)
    options = [(c.pk, f"{holders[c.pk].display_name if c.pk in holders else '（空缺）'}（{c.title}）")
               for c in candidates]  # fmt: skip
    return options, {c.pk: c for c in candidates}


class AbsenceForm(forms.Form):
    """请假报告: the post (the requester's own, LEAVE-1..3), dates, place, purpose, contact, the acting person."""

    post = forms.TypedChoiceField(label="请假职务", coerce=int)
    start = DateField(label="开始日期", widget=DateInput())
    end = DateField(label="结束日期", widget=DateInput())
    place = forms.CharField(label="外出地点", max_length=120)
    purpose = forms.CharField(label="事由", max_length=200, help_text="出差、出访、休假、学习等")
    contact = forms.CharField(label="联系方式", max_length=60)
    acting_post = forms.TypedChoiceField(label="代理人", coerce=int, required=False, empty_value=None)
    national_or_provincial_meeting = forms.BooleanField(
        label="参加全国或全省性重要会议活动（不受提前3天报告的限制）", required=False
    )

    def __init__(self, *args, posts: list[Post], day: dt.date, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.posts = {p.pk: p for p in posts}
        self.fields["post"].choices = [(p.pk, f"{p.title}（{p.unit.display_name}）") for p in posts]
        if len(posts) == 1:
            self.fields["post"].initial = posts[0].pk
        kinds = {absence.kind_for_post(p) for p in posts}
        self.head_acting = None
        self.nobody_to_act: set[int] = set()  # posts whose unit has no deputy in office to name
        groups, known = [], {}
        for post in posts:
            options, candidates = acting_options(post, day)
            known.update(candidates)
            if absence.kind_for_post(post) == AbsenceRequest.Kind.HEAD:
                self.head_acting = options[0][1] if options else "（常务副区长空缺）"
                continue
            groups.append((f"{post.title}的代理人", options))
            if not options:
                self.nobody_to_act.add(post.pk)
        self.acting_posts = known
        if len(groups) == 1:
            self.fields["acting_post"].choices = [("", "请选择代理人"), *groups[0][1]]
        else:
            self.fields["acting_post"].choices = [("", "请选择代理人"), *groups]
        if not groups:
            del self.fields["acting_post"]
        elif self.nobody_to_act and len(groups) == 1:
            self.fields["acting_post"].help_text = NOBODY_TO_ACT
        if AbsenceRequest.Kind.HEAD not in kinds:
            del self.fields["national_or_provincial_meeting"]
        if user is not None and not self.is_bound and getattr(user, "phone", ""):
            self.fields["contact"].initial = user.phone

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        post = self.posts.get(data.get("post"))
        data["post_obj"] = post
        acting_id = data.get("acting_post")
        data["acting_obj"] = self.acting_posts.get(acting_id) if acting_id else None
        if post is not None and absence.kind_for_post(post) != AbsenceRequest.Kind.HEAD and acting_id is None:
            self.add_error(
                "acting_post", NOBODY_TO_ACT if post.pk in self.nobody_to_act else "请选择外出期间的代理人。"
            )
        return data


class DecideForm(forms.Form):
    """批准 / 不批准. Approving a deputy's leave, the head may name another deputy to act than the one the request
    proposed (第十五条: 按照区长安排，指定其他的副区长代为处理)."""

    opinion = FreeText(label="审批意见", max_length=200, required=False, rows=2)
    acting_post = forms.TypedChoiceField(label="代理人", coerce=int, required=False, empty_value=None)
    confirm = forms.BooleanField(label=CONFIRM_LABEL, error_messages=CONFIRM_REQUIRED)

    def __init__(self, *args, request: AbsenceRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_posts: dict[int, Post] = {}
        if request is None or request.kind != AbsenceRequest.Kind.DEPUTY:
            del self.fields["acting_post"]
            return
        options, self.acting_posts = acting_options(request.post, request.start)
        field = self.fields["acting_post"]
        field.choices = options
        field.help_text = "请假人提出的代理人；区长可另行指定其他副区长（第十五条）。"
        if not self.is_bound:
            field.initial = request.acting_post_id

    def clean(self):
        data = super().clean()
        data["acting_obj"] = self.acting_posts.get(data.get("acting_post")) if data.get("acting_post") else None
        return data


class ReturnForm(forms.Form):
    returned_on = DateField(label="返回上班日期", widget=DateInput())
    report = FreeText(label="返回报告", required=False, max_length=TEXT_LIMIT, help_text="单位主要负责人须填写")
    confirm = forms.BooleanField(label=CONFIRM_LABEL, error_messages=CONFIRM_REQUIRED)


class CancelForm(forms.Form):
    reason = FreeText(label="撤回理由", max_length=200, rows=2)
    confirm = forms.BooleanField(label=CONFIRM_LABEL, error_messages=CONFIRM_REQUIRED)


class LeaveFilterForm(forms.Form):
    """The office's filters on the list of every request; bad values are ignored, never an error page."""

    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *AbsenceRequest.State.choices])
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *AbsenceRequest.Kind.choices])
    q = forms.CharField(label="姓名或地点", required=False, max_length=50)
    start = DateField(label="自", required=False, widget=DateInput())
    end = DateField(label="至", required=False, widget=DateInput())

    def values(self) -> dict:
        """The valid filters only (an invalid field is left out of cleaned_data)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v}
