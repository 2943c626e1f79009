"""The inbox pages: list, open (marks read, follows the link), mark one / all read.

Only the recipient ever sees a message: every lookup is filtered by recipient, so others get 404.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tiexi_gov.deadlines import rules
from tiexi_gov.listing import TemplateRow, url_for_each
from tiexi_gov.pagecache.cache import cached_page

from . import selectors, services
from .models import Message

PAGE_SIZE = 20
LEVEL_BADGES = {
    Message.Level.ESCALATION: "text-bg-danger",
    Message.Level.ALERT: "text-bg-danger",
    Message.Level.REMINDER: "text-bg-warning",
}
LEVEL_LABELS = dict(Message.Level.choices)


@dataclass(frozen=True)
class MessageRow(TemplateRow):
    """A message as the inbox lists it, its words, links and date made here once (issue 14.2): _message_row.html
    prints them and calls no filter, `{% url %}` or `get_…_display` per row."""

    pk: int
    read: bool
    level_badge: str
    level_label: str
    subject: str  # rule IDs shown as articles (plain_rules)
    body: str  # the same, with line breaks kept (linebreaksbr: already escaped, safe)
    created: str  # local time, Y-m-d H:i
    open_url: str
    mark_url: str


def message_rows(messages_) -> list[MessageRow]:
    open_url, mark_url = url_for_each("notify:open"), url_for_each("notify:mark_read")
    rows = []
    for m in messages_:
        created = timezone.localtime(m.created_at)
        rows.append(
            MessageRow(
                pk=m.pk,
                read=m.read_at is not None,
                level_badge=LEVEL_BADGES.get(m.level, "text-bg-secondary"),
                level_label=LEVEL_LABELS.get(m.level, m.level),
                subject=rules.plain(m.subject) if m.subject else m.subject,
                body=linebreaksbr(rules.plain(m.body), autoescape=True) if m.body else "",
                created=f"{created:%Y-%m-%d %H:%M}",
                open_url=open_url(m.pk),
                mark_url=mark_url(m.pk),
            )
        )
    return rows


def safe_local_url(request, url: str) -> str | None:
    """A same-site relative path, or None: a message link must never send people off-site."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return None
    return url


@login_required
@require_GET
@cached_page
def inbox(request):
    page_obj = Paginator(selectors.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    listed = list(page_obj.object_list)
    context = {"page_obj": page_obj, "message_list": listed, "rows": message_rows(listed)}
    # 全部标为已读 marks the messages that had arrived when the page counted them (a cached page is served only while
    # nothing has been written since it was drawn, so no message is newer than its stamp).
    context["shown_at"] = timezone.now().isoformat()
    return render(request, "notify/inbox.html", context)


@login_required
@require_GET
def open_message(request, pk: int):
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, message_ids=[message.pk])
    return redirect(safe_local_url(request, message.url) or "notify:inbox")


@login_required
@require_POST
def mark_read(request, pk: int):
    message = get_object_or_404(Message, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, message_ids=[message.pk])
    if request.htmx:
        message.refresh_from_db()
        return render(request, "notify/_message_row.html", {"row": message_rows([message])[0], "oob_badge": True})
    return redirect("notify:inbox")


def _stamp(text: str):
    """The page's aware timestamp, or None for a missing or unreadable one (never a 500)."""
    try:
        stamp = parse_datetime(text[:40]) if text else None
    except ValueError:
        return None
    return stamp if stamp is not None and not timezone.is_naive(stamp) else None


@login_required
@require_POST
def mark_all_read(request):
    """Marks what the page showed as unread; one that arrived after the page was drawn stays unread, and is named.
    Without the page's stamp (or with one that is not a time) it marks every unread message, as before."""
    shown_at = _stamp(request.POST.get("shown_at", ""))
    count = services.mark_read(user=request.user, arrived_by=shown_at)
    messages.success(request, f"已将 {count} 条消息标为已读。" if count else "没有未读消息。")
    if shown_at is not None:
        newer = Message.objects.filter(recipient=request.user, read_at__isnull=True, created_at__gt=shown_at).count()
        if newer:
            messages.info(request, f"打开页面后又收到 {newer} 条新消息，仍为未读。")
    return redirect("notify:inbox")
