"""The ledger page (督查督办台账, SUP-1): every item the user may see with its traffic light, filters, search,
sorting and pages of 50; the counts by light for the current filter; the .xlsx export of the current filter and
the office's import from such a sheet.

Views parse input, ask the ledger's `permissions`, read through its `selectors` and write only through its
`services` (the import calls `services.create_item` row by row inside one transaction). A page costs the same number
of SQL queries whatever the number of items.
"""

from __future__ import annotations

import dataclasses
import tempfile
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from tiexi_gov.deadlines.display import count_mark
from tiexi_gov.deadlines.selectors import due_text
from tiexi_gov.listing import TemplateRow, clip, url_for_each
from tiexi_gov.ops.planner import planned_for_its_values
from tiexi_gov.org.models import Post, Unit
from tiexi_gov.org.selectors import handlers_for_posts, post_with_holder
from tiexi_gov.pagecache.cache import cached_page

from . import permissions, selectors, xlsx
from .forms import SORT_LABELS, LedgerFilterForm, LedgerImportForm, filter_query
from .models import WORKING_STATES, ItemState, Kind, Light, Source, SupervisionItem

PAGE_SIZE = 50
LIGHT_BADGES = {
    Light.GREEN: "text-bg-success",
    Light.AMBER: "text-bg-warning",
    Light.RED: "text-bg-danger",
    Light.DONE: "text-bg-secondary",
    Light.NONE: "text-bg-light border",
}
# The ledger's tabs, each with who may open it (None: every user who sees the ledger; each page shows them their own
# rows). A tab that would answer 页面不存在 is not offered.
NAV = [
    ("supervision:dashboard", "督查看板", permissions.can_view_reports),
    ("supervision:assessment", "年度考核", permissions.can_view_reports),
    ("supervision:inquiries", "网上咨询", None),
    ("supervision:half_year", "半年报告", None),
    ("supervision:outcomes", "结果运用", None),
]


def nav_for(user, day) -> list[tuple[str, str]]:
    """The tabs `user` may open on `day`: (URL name, label)."""
    return [(name, label) for name, label, may in NAV if may is None or may(user, day)]


@dataclass(frozen=True)
class LedgerRow(TemplateRow):
    """One line of the ledger with its words made in Python (issue 14.2: the template only prints them, and reads
    no model: a full page is fifty rows)."""

    number: int  # 序号 on the ledger (running across pages)
    item: SupervisionItem
    light: str
    light_label: str
    light_badge: str
    due_text: str
    due_tone: str
    report_missing: bool
    leader: str  # 责任领导 by name today: 赵国庆（副区长）, or the acting person, 张海燕（代副区长赵国庆）
    url: str
    source: str
    kind: str
    state: str
    task: str  # clipped to 80 characters, as are the standard (80) and the progress (60)
    standard: str
    progress: str
    lead_unit: str
    cooperating: str  # 协办单位 joined with 、 ("" when none)
    due: str  # Y-m-d
    percent: str
    due_mark: str = ""  # the 暂定 badge after the count of working days, when the count is a guess (CAL-2)
    due_class: str = ""  # the count's colour: due-overdue, due-soon or text-secondary
    source_ref: str = ""
    item_number: str = ""  # the item's own number (督办编号)
    is_major: bool = False
    behind_plan: bool = False


# What _rows reads of an item (fifty a page): not its long texts the row does not show (completion notes, ...).
ROW_COLUMNS = (
    "number",
    "source",
    "source_ref",
    "task",
    "kind",
    "is_major",
    "lead_unit__name",
    "lead_unit__short_name",
    "leader_post__title",
    "due",
    "standard",
    "percent",
    "progress_text",
    "behind_plan",
    "state",
    "next_report_due",
)
COOPERATING = Unit.objects.only("id", "name", "short_name")  # in the units' own order, as the relation reads them
SOURCE_LABELS = dict(Source.choices)
DUE_CLASSES = {"danger": "due-overdue", "warning": "due-soon"}
KIND_LABELS = dict(Kind.choices)
STATE_LABELS = dict(ItemState.choices)


def _choices(day):
    """The filter bar's units and leaders (the leader shown with who handles the post today)."""
    units = [(u.pk, u.display_name) for u in Unit.objects.filter(active=True).only("id", "name", "short_name")]
    posts = list(Post.objects.filter(kind__in=Post.LEADER_KINDS).order_by("order", "id"))
    handlers = handlers_for_posts(posts, day)
    return units, [(post.pk, post_with_holder(post, handlers[post.pk])) for post in posts], handlers


def _parse(request, day):
    units, leaders, handlers = _choices(day)
    form = LedgerFilterForm(request.GET or None, units=units, leaders=leaders)
    filters = form.filters()
    form.lead_unit_name = dict(units).get(filters.lead_unit, "")
    return form, filters, leaders, handlers


def light_counts(user, filters: selectors.LedgerFilters, day) -> dict[str, int]:
    """How many items of each light the current filter holds (ignoring its own light): one aggregate query."""
    qs = selectors.ledger(user, dataclasses.replace(filters, light=""), day)
    counts = dict.fromkeys(Light.values, 0)
    # GROUP BY the light: the CASE is evaluated once a row (six COUNT … FILTER would evaluate it six times).
    rows = qs.prefetch_related(None).select_related(None).order_by().values("light").annotate(n=Count("pk"))
    with planned_for_its_values():  # its plan depends on today's date
        for row in rows:
            counts[row["light"]] = row["n"]
    return counts


def _rows(items, start: int, day, handlers: dict) -> list[LedgerRow]:
    rows = []
    item_url = url_for_each("supervision:item")
    for n, item in enumerate(items, start=start):
        light = Light(item.light)
        text, tone = ("", "")
        if item.state in WORKING_STATES and item.state != ItemState.CLAIMED:
            text, tone = due_text(item.due, day)
        missing = bool(item.state in WORKING_STATES and item.next_report_due is not None and item.next_report_due < day)
        handler = handlers.get(item.leader_post_id)
        leader = handler.shown if handler is not None else item.leader_post.title
        rows.append(
            LedgerRow(
                n,
                item,
                light,
                light.label,
                LIGHT_BADGES[light],
                text,
                tone,
                missing,
                leader,
                url=item_url(item.pk),
                source=SOURCE_LABELS.get(item.source, item.source),
                kind=KIND_LABELS.get(item.kind, item.kind),
                state=STATE_LABELS.get(item.state, item.state),
                task=clip(item.task, 80),
                standard=clip(item.standard, 80),
                progress=clip(item.progress_text, 60),
                lead_unit=item.lead_unit.display_name,
                cooperating="、".join(u.display_name for u in item.cooperating),
                due=item.due.isoformat() if item.due else "",
                percent=str(item.percent),
                due_mark=count_mark(day, item.due) if text else "",
                due_class=DUE_CLASSES.get(tone, "text-secondary"),
                source_ref=item.source_ref,
                item_number=item.number,
                is_major=item.is_major,
                behind_plan=item.behind_plan,
            )
        )
    return rows


@login_required
@cached_page
def ledger(request):
    """督查督办台账, in the paper ledger's columns: 序号 · 事项来源 · 督办事项 · 牵头单位 · 协办单位 · 责任领导 ·
    完成时限 · 量化标准 · 进展情况 · 状态 (with the light)."""
    day = timezone.localdate()
    form, filters, leaders, handlers = _parse(request, day)
    counts = light_counts(request.user, filters, day)
    total = counts[filters.light] if filters.light else sum(counts.values())
    items = (
        selectors.ledger(request.user, filters, day)
        .only(*ROW_COLUMNS)
        .prefetch_related(None)
        # Into a plain list (to_attr): a prefetched manager is built, filtered and cloned again for every row.
        .prefetch_related(Prefetch("cooperating_units", COOPERATING, to_attr="cooperating"))
    )
    paginator = Paginator(items, PAGE_SIZE)
    paginator.count = total  # known from the aggregate: no second COUNT(*) over the ledger
    page = paginator.get_page(request.GET.get("page"))
    query = filter_query(filters)
    return render(
        request,
        "supervision/ledger.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": _rows(page.object_list, page.start_index() or 1, day, handlers),
            "counts": [
                (light, Light(light).label, LIGHT_BADGES[light], counts[light], filter_query(filters, light=light))
                for light in Light.values
            ],
            "total_all": sum(counts.values()),
            "all_query": filter_query(filters, light=""),
            "query": query,
            "lead_unit_name": form.lead_unit_name,
            "without_lead_query": filter_query(filters, lead_unit=""),
            "page_links": _page_links(query, page),
            "sorts": list(SORT_LABELS.items()),
            "leaders": leaders,
            "may_manage": permissions.can_manage(request.user),
            "nav": nav_for(request.user, day),
            "today": day,
        },
    )


def _page_links(query: str, page) -> dict:
    def url(number: int) -> str:
        return f"?{query}&page={number}" if query else f"?page={number}"

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "first": url(1) if page.number > 2 else "",
        "last": url(page.paginator.num_pages) if page.number < page.paginator.num_pages - 1 else "",
    }


@login_required
def export_xlsx(request):
    """The current filter as .xlsx with the office's columns; streamed from a temporary file (flat memory)."""
    day = timezone.localdate()
    _form, filters, _leaders, _handlers = _parse(request, day)
    qs = selectors.ledger(request.user, filters, day)
    if request.GET.get("template"):
        qs = qs.none()  # an empty sheet with the headings: the import template
    out = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when the download ends
    xlsx.write_ledger(qs, out)
    out.seek(0)
    name = "督查督办台账-导入模板.xlsx" if request.GET.get("template") else f"督查督办台账-{day:%Y%m%d}.xlsx"
    response = FileResponse(out, as_attachment=True, filename=name, content_type=xlsx.XLSX_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def import_xlsx(request):
    """The office imports a ledger sheet: all rows or none; bad rows are listed with their Excel row numbers."""
    if not permissions.can_manage(request.user):
        raise Http404("没有找到该页面。")
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = xlsx.import_ledger(form.cleaned_data["file"], actor=request.user)
        if result.ok:
            messages.success(
                request,
                f"已导入 {len(result.created)} 项督查事项（交办 {result.issued} 项，草稿 {result.drafts} 项）。",
            )
            return redirect("supervision:ledger")
        messages.error(request, f"导入失败：{len(result.errors)} 处问题，未导入任何事项。请修改后重新上传。")
    for field in form.fields.values():
        field.widget.attrs["class"] = "form-control" + (" is-invalid" if form.errors else "")
    return render(
        request,
        "supervision/ledger_import.html",
        {"form": form, "result": result, "columns": xlsx.COLUMNS, "extra_columns": xlsx.EXTRA_COLUMNS},
    )
