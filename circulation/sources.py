"""The four things that can be circulated, each asked of its own app: may the sender open it (that app's one
permission function), may it be circulated at all, and what the reading page shows of it.

- 发文 (documents.outgoing): signed or issued, not 限定知悉范围 (a confidential document names its readers on its own
  page instead: circulating it would widen who knows it);
- its 政策解读 (第三十八条): on the same terms as its document;
- a body's 机构调整 (第六十六条): the office sees every adjustment, a body's office (the members of a host unit) those
  of its bodies;
- an approved 简报 (第六十三条, BriefingApproval): the briefing's submission as its app lets the sender see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from coordination.models import Adjustment
from coordination.shared.access import can_manage
from documents.outgoing.models import OutgoingDocument, OutgoingState, PolicyInterpretation
from documents.outgoing.permissions import can_view_outgoing
from documents.submissions.models import BriefingApproval
from documents.submissions.permissions import can_view as can_view_submission
from tiexi_gov.org.access import member_unit_ids

from .models import Kind

CIRCULABLE_OUTGOING = (OutgoingState.SIGNED, OutgoingState.ISSUED)
CONFIDENTIAL_REFUSAL = "限定知悉范围的公文不能传阅：请在公文页面指定阅读人。"
OUTGOING_REFUSAL = "只有已签发或已印发的发文（及其政策解读）可以传阅。"


@dataclass(frozen=True)
class Summary:
    """What the reading page shows of the item: labelled fields, then its text."""

    fields: list[tuple[str, str]]
    text: str = ""
    text_label: str = ""


def load(kind: str, pk: int):
    """The item of `kind` with primary key `pk`, or None (with what the title and page need joined)."""
    if kind == Kind.OUTGOING:
        return OutgoingDocument.objects.select_related("drafting_unit").filter(pk=pk).first()
    if kind == Kind.INTERPRETATION:
        return PolicyInterpretation.objects.select_related("document", "unit").filter(pk=pk).first()
    if kind == Kind.ADJUSTMENT:
        return Adjustment.objects.select_related("post", "informed_deputy_post").filter(pk=pk).first()
    if kind == Kind.BRIEFING:
        return (
            BriefingApproval.objects.select_related("submission", "submission__unit", "approved_by")
            .filter(pk=pk)
            .first()
        )
    return None


def can_open(user, kind: str, item) -> bool:
    """May `user` open the item on its own app's page (asked of that app's permission function)."""
    if item is None:
        return False
    if kind == Kind.OUTGOING:
        return can_view_outgoing(user, item)
    if kind == Kind.INTERPRETATION:
        return can_view_outgoing(user, item.document)
    if kind == Kind.ADJUSTMENT:
        if can_manage(user):
            return True
        units = member_unit_ids(user)
        return bool(units) and item.bodies.filter(host_unit_id__in=units).exists()
    if kind == Kind.BRIEFING:
        return can_view_submission(user, item.submission)
    return False


def hosts_adjustment(user, adjustment: Adjustment) -> bool:
    """A body's office: a member of the unit hosting one of the adjusted bodies (第六十六条)."""
    units = member_unit_ids(user)
    return bool(units) and adjustment.bodies.filter(host_unit_id__in=units).exists()


def refusal(kind: str, item) -> str:
    """Why the item cannot be circulated ("" when it can)."""
    if kind in (Kind.OUTGOING, Kind.INTERPRETATION):
        document = item if kind == Kind.OUTGOING else item.document
        if document.confidential:
            return CONFIDENTIAL_REFUSAL
        if document.state not in CIRCULABLE_OUTGOING:
            return OUTGOING_REFUSAL
    if kind == Kind.BRIEFING and item.submission.confidential:
        return CONFIDENTIAL_REFUSAL
    return ""


def title(kind: str, item) -> str:
    if kind == Kind.OUTGOING:
        return f"{item.number} {item.title}".strip()
    if kind == Kind.INTERPRETATION:
        return f"政策解读：{item.title}"
    if kind == Kind.ADJUSTMENT:
        who = f"（{item.post.title}：{item.previous_holder or '—'} → {item.new_holder or '—'}）" if item.post_id else ""
        number = f"{item.document_number} " if item.document_number else ""
        return f"议事协调机构调整 {number}{item.get_kind_display()}{who}"
    if kind == Kind.BRIEFING:
        return f"简报：{item.submission.title}"
    return str(item)


def original_url(kind: str, item) -> str:
    if kind == Kind.OUTGOING:
        return reverse("documents:outgoing_detail", args=[item.pk])
    if kind == Kind.INTERPRETATION:
        return reverse("documents:outgoing_detail", args=[item.document_id])
    if kind == Kind.ADJUSTMENT:
        return reverse("coordination:leader_changes")
    if kind == Kind.BRIEFING:
        return reverse("documents:detail", args=[item.submission_id])
    return ""


def rule_id(kind: str) -> str:
    """The rule a kind of circulation rests on, for the queue's article ("" when none)."""
    return {Kind.ADJUSTMENT: "CRD-3", Kind.INTERPRETATION: "DOC-18", Kind.BRIEFING: "DOC-16"}.get(kind, "")


def summary(kind: str, item) -> Summary:
    """The reading copy: what the recipient reads, whether or not they may open the original's own page."""
    if kind == Kind.OUTGOING:
        return Summary(
            [
                ("发文字号", item.number or "（未编号）"),
                ("标题", item.title),
                ("发文机关", item.get_issuer_display()),
                ("拟稿单位", item.drafting_unit.display_name),
                ("主送", item.main_recipients),
                ("抄送", item.copy_to),
                ("成文日期", f"{item.signed_on:%Y-%m-%d}" if item.signed_on else ""),
                ("印发日期", f"{item.issued_on:%Y-%m-%d}" if item.issued_on else ""),
            ],
            item.body,
            "正文",
        )
    if kind == Kind.INTERPRETATION:
        document = item.document
        return Summary(
            [
                ("解读标题", item.title),
                ("所解读文件", f"{document.number} {document.title}".strip()),
                ("解读单位", item.unit.display_name),
                ("发布日期", f"{item.published_on:%Y-%m-%d}" if item.published_on else ""),
            ],
            item.text,
            "解读内容",
        )
    if kind == Kind.ADJUSTMENT:
        return Summary(
            [
                ("调整方式", item.get_kind_display()),
                ("调整日期", f"{item.on:%Y-%m-%d}"),
                ("调整文件文号", item.document_number),
                ("变动职务", item.post.title if item.post_id else ""),
                ("原任 → 现任", f"{item.previous_holder or '—'} → {item.new_holder or '—'}"),
                ("涉及机构", "、".join(b.name for b in item.bodies.all())),
                ("报阅分管区领导", item.informed_deputy_post.title if item.informed_deputy_post_id else ""),
            ],
            item.note,
            "说明",
        )
    submission = item.submission
    return Summary(
        [
            ("来文单位", submission.unit.display_name),
            ("来文字号", submission.unit_doc_number),
            ("标题", submission.title),
            ("核准人", item.approved_by.display_name),
            ("核准时间", f"{timezone.localtime(item.at):%Y-%m-%d %H:%M}"),
            ("核准意见", item.opinion),
        ],
        submission.body,
        "正文",
    )
