"""The ledger as an Excel sheet (SUP-1): export with the office's columns, re-import into an empty ledger gives the
same ledger; a sheet with a bad row imports nothing and names the row (its Excel row number)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from supervision_support import make_item
from test_supervision_ledger import bulk_items

from supervision.ledger import services, xlsx
from supervision.models import ItemState, Kind, Rectification, ReportCycle, Source, SupervisionItem
from supervision.reports import services as report_services
from tiexi_gov.deadlines.models import Deadline

pytestmark = pytest.mark.django_db

OFFICE_COLUMNS = ["序号", "事项来源", "督办事项", "牵头单位", "协办单位"]
OFFICE_COLUMNS += ["责任领导", "完成时限", "量化标准", "进展情况", "状态"]


def _today() -> dt.date:
    return timezone.localdate()


def _export(client, user, params=None) -> bytes:
    client.force_login(user)
    r = client.get(reverse("supervision:ledger_export"), params or {})
    assert r.status_code == 200
    assert r["Content-Type"] == xlsx.XLSX_TYPE and "attachment" in r["Content-Disposition"]
    return b"".join(r.streaming_content)


def _sheet_rows(content: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return list(wb.worksheets[0].iter_rows(values_only=True))


def _upload(client, user, content: bytes, name="台账.xlsx"):
    client.force_login(user)
    return client.post(reverse("supervision:ledger_import"), {"file": SimpleUploadedFile(name, content)})


def _sheet(rows: list[list], *, title: str | None = None, header=OFFICE_COLUMNS) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    """What the ledger records of each item (SUP-1, SUP-3, PUB-3), independent of ids and numbers."""
    out = []
    for item in SupervisionItem.objects.select_related("rectification", "proposal").prefetch_related(
        "cooperating_units"
    ):
        rect = getattr(item, "rectification", None)
        prop = getattr(item, "proposal", None)
        out.append(
            (
                item.source, item.source_ref, item.task, item.lead_unit_id,
                tuple(sorted(u.pk for u in item.cooperating_units.all())), item.leader_post_id, item.due,
                item.standard, item.kind, item.cycle, item.period_start, item.state == ItemState.DRAFT,
                (rect.problem, rect.level, rect.found_by, rect.measures, rect.is_major) if rect else None,
                (prop.number, prop.proposer, prop.session) if prop else None,
            )
        )  # fmt: skip
    return sorted(out, key=lambda t: t[2])


def wipe_items() -> None:
    ct = ContentType.objects.get_for_model(SupervisionItem)
    Deadline.objects.filter(subject_type=ct).delete()
    SupervisionItem.objects.all().delete()


@pytest.fixture
def several(world):
    w, today = world, _today()
    a = make_item(
        w, today=today, source=Source.GOVERNMENT_DECISION, source_ref="区政府常务会议纪要〔2026〕3号",
        task="完成全区老旧小区改造资金拨付工作", kind=Kind.COMPREHENSIVE, cycle=ReportCycle.WEEKLY,
        due=today + dt.timedelta(days=60), standard="拨付率达到100%",
    )  # fmt: skip
    services.accept_item(actor=w.fin_clerk, item=a, today=today)
    report_services.file_progress_report(actor=w.fin_clerk, item=a, percent=40, done="已拨付两批资金", today=today)
    make_item(
        w, today=today, source=Source.MEETING_DECISION, task="启动北部新区路网规划编制", lead_unit=w.dev,
        cooperating_units=[w.fin, w.other], leader_post=w.dep_b_post, due=today + dt.timedelta(days=90),
        standard="形成规划初稿并通过专家评审", issue=False, kind=Kind.SPECIAL, cycle=ReportCycle.QUARTERLY,
        period_start=today - dt.timedelta(days=10),
    )  # fmt: skip
    make_item(
        w, today=today, source=Source.LEADER_INSTRUCTION, source_ref="区长批示第15号",
        task="核查审计发现的专项资金滞留",
        lead_unit=w.other, cooperating_units=[], leader_post=w.head_post, due=today + dt.timedelta(days=20),
        standard="滞留资金全部清理", kind=Kind.INVESTIGATION,
    )  # fmt: skip
    make_item(
        w, today=today, source=Source.INSPECTION, source_ref="市督查反馈〔2026〕7号",
        task="整改市督查发现的违规收费问题",
        lead_unit=w.dev, cooperating_units=[], leader_post=w.dep_b_post, due=today + dt.timedelta(days=45),
        standard="退还全部违规收费", rectification={"problem": "部分单位违规收取服务费", "level": "city",
        "found_by": "市政府第二督查组", "measures": "清退并建立收费目录清单", "is_major": False},
    )  # fmt: skip
    make_item(
        w, today=today, source=Source.NPC_SUGGESTION, source_ref="", task="关于增设社区养老服务站的建议",
        lead_unit=w.fin, cooperating_units=[w.dev], leader_post=w.dep_a_post, due=today + dt.timedelta(days=75),
        standard="答复代表并落实2处站点",
        proposal={"number": "人大建议第23号", "proposer": "张代表", "session": "十届三次"},
    )  # fmt: skip
    return a


def test_sup_1_export_has_the_office_columns_progress_and_state_with_light(world, client, several):
    rows = _sheet_rows(_export(client, world.staff))
    assert list(rows[0][:10]) == OFFICE_COLUMNS
    assert list(rows[0][10:]) == xlsx.EXTRA_COLUMNS
    assert len(rows) == 1 + 5
    by_task = {r[2]: r for r in rows[1:]}
    a = by_task["完成全区老旧小区改造资金拨付工作"]
    assert a[8] == "40%：已拨付两批资金"  # 进展情况 = percent + progress text
    assert a[3] == "财政局" and a[4] == "发改局" and a[5] == "副区长（财政）" and a[1] == "区政府决定"
    assert a[9].startswith("办理中")
    assert by_task["启动北部新区路网规划编制"][9] == "草稿"
    assert by_task["启动北部新区路网规划编制"][4] == "财政局、审计局"
    assert [r[0] for r in rows[1:]] == [1, 2, 3, 4, 5]  # 序号


def test_sup_1_excel_round_trip_export_wipe_import_gives_the_same_ledger(world, client, several):
    before = snapshot()
    content = _export(client, world.staff)
    wipe_items()
    assert SupervisionItem.objects.count() == 0
    r = _upload(client, world.staff, content)
    assert r.status_code == 302 and r["Location"] == reverse("supervision:ledger")
    assert snapshot() == before
    states = dict(SupervisionItem.objects.values_list("task", "state"))
    assert states["启动北部新区路网规划编制"] == ItemState.DRAFT
    assert states["核查审计发现的专项资金滞留"] == ItemState.ASSIGNED  # issued: the clock runs again
    follow = client.get(reverse("supervision:ledger"))
    assert "已导入 5 项督查事项（交办 4 项，草稿 1 项）" in follow.content.decode()


def _keep_rows(content: bytes, keep) -> bytes:
    """The exported sheet with only the item rows for which keep(row values) is true (the header stays)."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb.worksheets[0]
    for n in range(ws.max_row, 1, -1):
        if not keep([c.value for c in ws[n]]):
            ws.delete_rows(n)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_sup_1_import_refuses_rows_of_an_export_that_name_items_already_in_the_ledger(world, client):
    """The page invites "直接使用本系统导出的台账": a row carrying the 督办编号 of an item in the ledger is that
    item, not new work — finished or in progress it is refused by row, never assigned again with its old (passed)
    deadline (第五十条: no duplicate supervision). A finished 状态 is never new work either."""
    w, today = world, _today()
    start = today - dt.timedelta(days=60)
    on_time = make_item(w, today=start, due=today - dt.timedelta(days=30), task="建设城区口袋公园10处")
    late = make_item(w, today=start, due=today - dt.timedelta(days=30), task="治理校园周边交通秩序", lead_unit=w.dev,
                     cooperating_units=[], leader_post=w.dep_b_post)  # fmt: skip
    for item, claimed in ((on_time, today - dt.timedelta(days=40)), (late, today - dt.timedelta(days=20))):
        clerk = w.fin_clerk if item.lead_unit == w.fin else w.dev_clerk
        services.accept_item(actor=clerk, item=item, today=start)
        services.claim_completion(actor=clerk, item=item, evidence="已完成", today=claimed)
        services.verify_item(actor=w.staff, item=item, note="经复查属实", today=claimed)
    open_item = make_item(w, today=today, task="开展燃气安全专项排查", lead_unit=w.other, cooperating_units=[])
    states = dict(SupervisionItem.objects.values_list("number", "state"))
    assert states[on_time.number] == ItemState.CLOSED_ON_TIME and states[late.number] == ItemState.CLOSED_LATE
    deadlines = Deadline.objects.count()

    export = _export(client, w.staff)
    finished = _keep_rows(export, lambda row: str(row[9]).endswith("办结"))
    r = _upload(client, w.staff, finished)
    assert r.status_code == 200
    errors = {e.row: " ".join(e.reasons) for e in r.context["result"].errors}
    assert sorted(errors.values()) == sorted(
        f"督办编号{item.number}已在台账中，状态为“{label}”，未重复导入（第五十条）；导入新事项时请删去该行"
        for item, label in ((on_time, "按期办结"), (late, "逾期办结"))
    )
    assert "未导入任何事项" in r.content.decode()
    assert dict(SupervisionItem.objects.values_list("number", "state")) == states
    assert Deadline.objects.count() == deadlines

    # The whole export: the item in progress is refused by its number too; a row with a new task is not.
    r = _upload(client, w.staff, export)
    errors = {e.row: " ".join(e.reasons) for e in r.context["result"].errors}
    assert len(errors) == 3 and any(open_item.number in e and "已交办" in e for e in errors.values())
    assert SupervisionItem.objects.count() == 3

    # A finished row whose number is not (or no longer) in the ledger is a record, not work to assign.
    wb = load_workbook(io.BytesIO(finished))
    for row in wb.worksheets[0].iter_rows(min_row=2):
        row[10].value = None  # 督办编号
        row[6].value = today + dt.timedelta(days=30)  # 完成时限 ahead: only the 状态 refuses it
    out = io.BytesIO()
    wb.save(out)
    r = _upload(client, w.staff, out.getvalue())
    errors = [" ".join(e.reasons) for e in r.context["result"].errors]
    assert len(errors) == 2 and all("已结束，不能作为新事项导入" in e for e in errors)
    assert SupervisionItem.objects.count() == 3


def test_sup_1_import_names_every_bad_row_by_excel_row_and_imports_nothing(world, client):
    w, today = world, _today()
    due = (today + dt.timedelta(days=30)).isoformat()
    rows = [
        [1, "区政府决定", "建设城区口袋公园10处", "财政局", "发改局", "副区长（财政）", due, "建成10处", "", ""],
        [2, "区政府决定", "推进垃圾分类示范小区", "铁西区不存在局", "", "副区长（财政）", due, "覆盖30个小区", "", ""],
        [3, "领导指示", "治理校园周边交通秩序", "审计局", "", "王副主任", "2026-02-30", "事故下降20%", "", ""],
        [4, "会议决定", "", "发改局", "", "区长", due, "", "", ""],
        [5, "区政府决定", "完善农贸市场基础设施", "发改局", "发改局", "区长", due, "改造3个市场", "", ""],
    ]
    r = _upload(client, w.staff, _sheet(rows, title="铁西区督查督办台账"))
    assert r.status_code == 200
    assert SupervisionItem.objects.count() == 0 and Deadline.objects.count() == 0
    errors = {e.row: " ".join(e.reasons) for e in r.context["result"].errors}
    assert set(errors) == {4, 5, 6, 7}  # title row 1, header row 2: the good row is 3
    assert "牵头单位“铁西区不存在局”不存在" in errors[4]
    assert "事项来源“领导指示”无法识别" in errors[5]
    assert "责任领导“王副主任”" in errors[5] and "完成时限“2026-02-30”不是有效日期" in errors[5]
    assert "“督办事项”未填写" in errors[6] and "“量化标准”未填写" in errors[6]
    assert "不能既是牵头单位又是协办单位" in errors[7]
    html = r.content.decode()
    assert "第4行" in html and "第7行" in html and "未导入任何事项" in html


def test_sup_1_a_formula_cell_without_its_result_is_named_as_a_formula_not_as_empty(world, client):
    """A sheet written by a program carries formulas without their results: the cell's value is unknown, and the
    refusal says so (粘贴为数值) instead of "未填写" for a cell the user can see is filled. A formula in a column
    the import does not read (序号 =ROW()-1) is no reason to refuse."""
    w, today = world, _today()
    due = (today + dt.timedelta(days=30)).isoformat()
    rows = [
        [1, "区政府决定", "=1+1", "财政局", "", "副区长（财政）", due, '=HYPERLINK("http://x.invalid","标准")', "", ""],
        ["=ROW()-1", "区政府决定", "=A1", "", "", "", "", "", "", ""],
    ]
    r = _upload(client, w.staff, _sheet(rows))
    assert r.status_code == 200 and SupervisionItem.objects.count() == 0
    errors = {e.row: " ".join(e.reasons) for e in r.context["result"].errors}
    assert set(errors) == {2, 3}  # the row of formulas alone is not taken for an empty row
    assert "“督办事项”是公式（=1+1）" in errors[2] and "粘贴为数值" in errors[2]
    assert "“量化标准”是公式" in errors[2]
    assert "“督办事项”未填写" not in errors[2] and "“量化标准”未填写" not in errors[2]
    assert "“督办事项”是公式（=A1）" in errors[3] and "“牵头单位”未填写" in errors[3]
    assert "序号" not in errors[3]


def test_sup_5_a_duplicate_midway_rolls_back_every_row_and_names_it(world, client):
    w, today = world, _today()
    due = (today + dt.timedelta(days=30)).isoformat()
    tasks = [
        "建设城区口袋公园10处",
        "推进垃圾分类示范小区建设",
        "治理校园周边交通秩序",
        "完善农贸市场基础设施",
        "开展燃气安全专项排查",
    ]
    rows = [
        [n + 1, "区政府决定", t, "财政局", "", "副区长（财政）", due, "按期完成", "", ""] for n, t in enumerate(tasks)
    ]
    rows.append(
        [6, "区政府决定", "推进垃圾分类示范小区建设。", "财政局", "", "副区长（财政）", due, "按期完成", "", ""]
    )
    r = _upload(client, w.staff, _sheet(rows))
    assert r.status_code == 200
    [error] = r.context["result"].errors
    assert error.row == 7 and "与本表第3行重复" in error.reasons[0]  # rows 2-6 were created, then rolled back
    assert SupervisionItem.objects.count() == 0 and Deadline.objects.count() == 0


def test_sup_5_a_row_duplicating_an_open_item_is_refused_before_anything_is_written(world, client):
    w, today = world, _today()
    existing = make_item(w, today=today, source_ref="区政府专题会议纪要〔2026〕9号")
    due = (today + dt.timedelta(days=30)).isoformat()
    rows = [
        [1, "会议决定", "修缮铁西区图书馆", "发改局", "", "副区长（发改）", due, "完成修缮", "", ""],
        [2, "会议决定", "另一个任务", "审计局", "", "区长", due, "完成", "", ""],
    ]
    header = [*OFFICE_COLUMNS, "来源依据"]
    rows[1].append("区政府专题会议纪要〔2026〕9号")
    r = _upload(client, w.staff, _sheet(rows, header=header))
    errors = {e.row: " ".join(e.reasons) for e in r.context["result"].errors}
    assert list(errors) == [3] and existing.number in errors[3]
    assert list(SupervisionItem.objects.values_list("pk", flat=True)) == [existing.pk]


def test_sup_1_import_accepts_short_names_leader_names_chinese_dates_and_drafts(world, client):
    w, today = world, _today()
    due = today + dt.timedelta(days=40)
    header = [*OFFICE_COLUMNS, "起始日期", "督查方式", "报告周期"]
    rows = [
        [1, "领导批示", "开展冬季安全生产大检查", "铁西区财政局", "发改局、审计局", "李副区长",
         f"{due.year}年{due.month}月{due.day}日", "检查企业200家", "", "草稿", today.isoformat(), "综合督查", "每周"],
        [2, "群众咨询", "回应群众关于供暖费的咨询", "审计局", "", "孙副区长", due, "5个工作日内答复", "", "办理中"],
    ]  # fmt: skip
    r = _upload(client, w.staff, _sheet(rows, header=header))
    assert r.status_code == 302, r.context["result"].errors
    first = SupervisionItem.objects.get(task="开展冬季安全生产大检查")
    assert first.state == ItemState.DRAFT and first.leader_post == w.dep_a_post and first.due == due
    assert set(first.cooperating_units.all()) == {w.dev, w.other}
    assert first.kind == Kind.COMPREHENSIVE and first.cycle == ReportCycle.WEEKLY
    second = SupervisionItem.objects.get(task="回应群众关于供暖费的咨询")
    assert second.state == ItemState.ASSIGNED and second.leader_post == w.dep_b_post


def test_sup_1_import_does_not_assign_a_row_whose_deadline_has_passed(world, client):
    """第四十七条: a row to be assigned (any 状态 but 草稿) with its deadline already passed would be overdue on
    arrival; it is refused by row, and the same row as a 草稿 is registered for the office to correct."""
    w, today = world, _today()
    passed, ahead = today - dt.timedelta(days=21), today + dt.timedelta(days=30)
    header = [*OFFICE_COLUMNS, "起始日期"]
    start = today - dt.timedelta(days=104)
    rows = [
        [1, "区政府决定", "建设城区口袋公园10处", "财政局", "", "副区长（财政）", ahead, "建成10处", "", "", start],
        [2, "区政府决定", "推进垃圾分类示范小区", "发改局", "", "区长", passed, "覆盖30个小区", "", "办理中", start],
    ]
    r = _upload(client, w.staff, _sheet(rows, header=header))
    assert r.status_code == 200 and not SupervisionItem.objects.exists() and not Deadline.objects.exists()
    errors = {e.row: " ".join(e.reasons) for e in r.context["result"].errors}
    assert list(errors) == [3] and f"完成时限{passed}早于今天，不能交办（第四十七条）" in errors[3]

    rows[1][9] = "草稿"
    r = _upload(client, w.staff, _sheet(rows, header=header))
    assert r.status_code == 302
    states = dict(SupervisionItem.objects.values_list("task", "state"))
    assert states == {"建设城区口袋公园10处": ItemState.ASSIGNED, "推进垃圾分类示范小区": ItemState.DRAFT}


def test_sup_3_an_inspection_row_without_its_rectification_fields_is_refused(world, client):
    w, today = world, _today()
    header = [*OFFICE_COLUMNS, "督查层级", "督查组/来源", "整改措施"]
    due = (today + dt.timedelta(days=30)).isoformat()
    rows = [
        [1, "督查发现问题", "整改违规占道经营", "发改局", "", "区长", due, "全部清理", "", "",
         "省级", "省督查组", "专项整治"],
        [2, "督查发现问题", "整改违规停车收费", "审计局", "", "区长", due, "全部清理", "", "", "", "", ""],
    ]  # fmt: skip
    r = _upload(client, w.staff, _sheet(rows, header=header))
    errors = {e.row: " ".join(e.reasons) for e in r.context["result"].errors}
    assert list(errors) == [3] and "督查层级" in errors[3] and "整改措施" in errors[3]
    assert SupervisionItem.objects.count() == 0
    del rows[1]
    assert _upload(client, w.staff, _sheet(rows, header=header)).status_code == 302
    assert SupervisionItem.objects.get().rectification.level == Rectification.Level.PROVINCIAL


def test_sup_1_import_is_for_the_office_only_and_refuses_other_files(world, client):
    w, today = world, _today()
    due = (today + dt.timedelta(days=30)).isoformat()
    content = _sheet([[1, "区政府决定", "建设口袋公园", "财政局", "", "区长", due, "10处", "", ""]])
    client.force_login(w.fin_clerk)
    assert client.get(reverse("supervision:ledger_import")).status_code == 404
    assert _upload(client, w.fin_clerk, content).status_code == 404
    assert SupervisionItem.objects.count() == 0
    client.force_login(w.staff)
    assert client.get(reverse("supervision:ledger_import")).status_code == 200
    r = _upload(client, w.staff, b"not a spreadsheet", name="台账.csv")
    assert r.status_code == 200 and "只接受 Excel .xlsx 文件" in r.content.decode()
    r = _upload(client, w.staff, b"PK\x03\x04 broken zip", name="台账.xlsx")
    assert r.status_code == 200 and "无法读取该文件" in r.content.decode()
    r = _upload(client, w.staff, _sheet([["x"]], header=["甲", "乙"]))
    assert r.status_code == 200 and "没有找到表头" in r.content.decode()
    assert SupervisionItem.objects.count() == 0


def test_sup_1_export_follows_permission_and_the_current_filter(world, client, several):
    w = world
    tasks = {r[2] for r in _sheet_rows(_export(client, w.other_clerk))[1:]}
    assert tasks == {"核查审计发现的专项资金滞留"}  # led; the draft it would cooperate on is not issued yet
    tasks = {r[2] for r in _sheet_rows(_export(client, w.staff, {"unit": w.other.pk, "state": "draft"}))[1:]}
    assert tasks == {"启动北部新区路网规划编制"}
    assert len(_sheet_rows(_export(client, w.outsider))) == 1  # the header only
    assert len(_sheet_rows(_export(client, w.staff, {"template": "1"}))) == 1


def test_sup_1_export_query_count_does_not_grow_with_rows(world, client):
    w, today = world, _today()
    client.force_login(w.staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(reverse("supervision:ledger_export"))
            b"".join(r.streaming_content)
        return len(ctx.captured_queries)

    bulk_items(w, 5, today=today)
    count()  # warm the session and the calendar index
    small = count()
    bulk_items(w, 80, today=today, start=5)
    assert count() == small
    assert len(_sheet_rows(_export(client, w.staff))) == 86


def test_sup_1_export_writes_typed_text_as_text_never_as_a_formula(world, client):
    task = '=HYPERLINK("http://example.invalid","点此")修缮铁西区图书馆\x07'
    make_item(world, today=_today(), task=task)
    wb = load_workbook(io.BytesIO(_export(client, world.staff)))
    cell = wb.worksheets[0]["C2"]
    assert cell.data_type == "s" and cell.value == task.replace("\x07", "")


def test_issue14_export_dates_are_dates_the_light_is_coloured_and_the_columns_unchanged(world, client, several):
    """The streaming writer keeps what openpyxl wrote: the same Chinese headers in the same order,
    完成时限 a real date shown yyyy-mm-dd, the 状态 cell of a lit item filled with its light's colour."""
    wb = load_workbook(io.BytesIO(_export(client, world.staff)))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == OFFICE_COLUMNS + xlsx.EXTRA_COLUMNS
    assert ws.freeze_panes == "D2"
    due = ws["G2"]
    assert isinstance(due.value, dt.datetime) and due.number_format == "yyyy-mm-dd"
    lit = [row[9] for row in ws.iter_rows(min_row=2) if "（" in str(row[9].value)]
    assert lit and all(c.fill.fgColor.rgb[-6:] in xlsx.LIGHT_FILLS.values() for c in lit)


def test_sup_1_export_names_which_deputy_and_imports_back_to_the_same_post(world, client):
    """Four deputies are all 副区长: the sheet's 责任领导 names the post's holder, 副区长（孙副区长）, and the import
    reads it (in either brackets) back to that post, not "对应多个职务"."""
    w, today = world, _today()
    for post in (w.dep_a_post, w.dep_b_post):
        post.title = "副区长"
        post.save(update_fields=["title"])
    make_item(w, today=today, task="推进北部新区供热管网改造", leader_post=w.dep_b_post)
    make_item(
        w, today=today, task="清理拖欠中小企业账款", lead_unit=w.dev, cooperating_units=[], leader_post=w.head_post
    )
    rows = {r[2]: r for r in _sheet_rows(_export(client, w.staff))[1:]}
    assert rows["推进北部新区供热管网改造"][5] == f"副区长（{w.dep_b.full_name}）"
    assert rows["清理拖欠中小企业账款"][5] == "区长"  # a title no other leader's post shares stays as it was
    before = snapshot()
    content = _export(client, w.staff)
    wipe_items()
    assert _upload(client, w.staff, content).status_code == 302
    assert snapshot() == before
    due = (today + dt.timedelta(days=30)).isoformat()
    for written in (f"副区长({w.dep_a.full_name})", "副区长"):
        sheet = _sheet([[1, "领导批示", f"半角括号：{written}", "财政局", "", written, due, "按期完成", "", "草稿"]])
        _upload(client, w.staff, sheet)
    assert SupervisionItem.objects.get(task=f"半角括号：副区长({w.dep_a.full_name})").leader_post == w.dep_a_post
    assert not SupervisionItem.objects.filter(task="半角括号：副区长").exists()  # two posts: the import asks which
