"""The "传阅" button other apps' pages include (templates/circulation/_send_link.html)."""

from django import template
from django.urls import reverse

from circulation import permissions, sources
from circulation.models import Kind
from documents.submissions.models import BriefingApproval, SubmissionKind

register = template.Library()


def _button(kind: str, item, label: str) -> dict:
    return {"show": True, "url": reverse("circulation:send", args=[kind, item.pk]), "label": label}


HIDDEN = {"show": False, "url": "", "label": ""}


@register.inclusion_tag("circulation/_send_button.html", takes_context=True)
def circulation_send_button(context, kind: str, item, label: str = "传阅"):
    """The button, shown to whoever may send this kind (roles only: no query) when the item may be circulated
    (a signed or issued, not confidential 发文); the send page checks the item itself."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if item is None or getattr(item, "pk", None) is None or kind not in Kind.values:
        return HIDDEN
    if not permissions.may_send_kind(user, kind) or sources.refusal(kind, item):
        return HIDDEN
    return _button(kind, item, label)


@register.inclusion_tag("circulation/_send_button.html", takes_context=True)
def circulation_briefing_button(context, submission, label: str = "传阅"):
    """A briefing's button (第六十三条): once the office approved it (one query, only for a briefing and a sender)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if submission is None or submission.kind != SubmissionKind.BRIEFING or submission.confidential:
        return HIDDEN
    if not permissions.may_send_kind(user, Kind.BRIEFING):
        return HIDDEN
    approval = BriefingApproval.objects.filter(submission=submission).only("pk", "submission_id").first()
    return _button(Kind.BRIEFING, approval, label) if approval is not None else HIDDEN
