"""A period's events as .xlsx, with the chain's verification result (issue 12.3). openpyxl's write-only workbook
and a streamed queryset keep memory flat whatever the period's size."""

import tempfile
from datetime import datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from tiexi_gov.deadlines import rules

from . import chain
from .labels import state_label
from .models import Event

HEADERS = (
    "序号",
    "id",
    "时间",
    "操作人",
    "身份",
    "代理谁",
    "操作",
    "操作名称",
    "对象类型",
    "对象 id",
    "对象",
    "原状态",
    "新状态",
    "意见/批示",
    "依据",
    "IP",
    "前序哈希",
    "哈希（SM3）",
)


def _cells(sheet, values):
    """A row whose text is always text: a value starting with "=" must not become a formula (CSV/formula injection)."""
    row = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str) and value:
            cell.data_type = "s"
        row.append(cell)
    return row


def _name(user_id, full_name, username):
    return f"{full_name or username}" if user_id else ""


def write_xlsx(
    *, start: datetime, end: datetime, exported_by
) -> tuple[tempfile.SpooledTemporaryFile, chain.Verification]:
    """Verify the whole chain, then write [start, end) to a workbook; returns the file (rewound) and the result."""
    result = chain.verify()
    book = Workbook(write_only=True)
    status = "校验通过" if result.ok else f"第{result.first_break.ordinal}条起被篡改"

    summary = book.create_sheet("校验结果")
    summary.append(["校验结论", status])
    summary.append(["说明", result.summary])
    summary.append(["算法", f"{chain.ALGORITHM} 哈希链（每条记录的哈希覆盖其内容与前一条的哈希）"])
    summary.append(
        ["导出区间", f"{timezone.localtime(start):%Y-%m-%d %H:%M} 至 {timezone.localtime(end):%Y-%m-%d %H:%M}"]
    )
    summary.append(["导出人", str(exported_by)])
    summary.append(["导出时间", f"{timezone.localtime():%Y-%m-%d %H:%M:%S}"])
    if not result.ok:
        b = result.first_break
        summary.append(["首处断链 id", b.id])
        summary.append(["首处断链原因", b.reason])

    sheet = book.create_sheet("审计记录")
    sheet.append([f"校验结论：{status}", result.summary])
    sheet.append(list(HEADERS))
    rows = (
        Event.objects.filter(at__gte=start, at__lt=end)
        .order_by("id")
        .values_list(
            "id",
            "at",
            "actor_id",
            "actor__full_name",
            "actor__username",
            "capacity",
            "acting_for_id",
            "acting_for__full_name",
            "acting_for__username",
            "action",
            "action_label",
            "subject_type__app_label",
            "subject_type__model",
            "subject_id",
            "subject_repr",
            "from_state",
            "to_state",
            "opinion",
            "rule_id",
            "ip",
            "prev_hash",
            "hash",
        )
    )
    for n, r in enumerate(rows.iterator(chunk_size=2000), start=1):
        (pk, at, a_id, a_full, a_user, capacity, f_id, f_full, f_user, action, label, app, model, sid, srepr,
         from_state, to_state, opinion, rule_id, ip, prev_hash, digest) = r  # fmt: skip
        sheet.append(
            _cells(
                sheet,
                [
                    n,
                    pk,
                    f"{timezone.localtime(at):%Y-%m-%d %H:%M:%S}",
                    _name(a_id, a_full, a_user),
                    capacity,
                    _name(f_id, f_full, f_user),
                    action,
                    label,
                    f"{app}.{model}",
                    sid,
                    srepr,
                    state_label(from_state, app_label=app, model=model, action=action),  # 会签中, not the code
                    state_label(to_state, app_label=app, model=model, action=action),
                    opinion,
                    rules.describe(rule_id).label if rule_id else "",  # the article, never the rule's ID
                    ip or "",
                    prev_hash,
                    digest,
                ],
            )
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    book.save(out)
    out.seek(0)
    return out, result
