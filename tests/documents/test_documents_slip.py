"""The processing slip (公文处理单): print page and .docx, in the paper form's order (DESIGN), permission-checked."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from documents_support import in_leader_review, registered
from docx import Document
from docx.oxml.ns import qn

from documents.models import Instruction, ProcessingSlip, Submission
from documents.shared.choices import Disclosure, DisclosureManner
from documents.submissions import selectors, services
from documents.submissions.slip_docx import build_slip_docx

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PAPER_ORDER = [
    "收文编号", "收文日期", "来文单位", "来文字号", "紧急程度", "公开属性", "份数/附件", "标题",
    "拟办意见", "领导批示", "会签/征求", "办理结果", "备注",
]  # fmt: skip


@pytest.fixture
def decided(world):
    """Passed from one deputy to another: two leader instructions, two office opinions."""
    today = timezone.localdate()
    sub = in_leader_review(world, today, unit_doc_number="铁西财〔2026〕7号")
    services.leader_decide(
        actor=world.dep_a, submission=sub, decision="pass", opinion="请孙副区长阅处。", to_post=world.dep_b_post
    )
    services.leader_decide(
        actor=world.dep_b, submission=Submission.objects.get(pk=sub.pk), decision="approve", opinion="同意，抓紧办理。"
    )
    return Submission.objects.get(pk=sub.pk)


def test_slip_page_shows_fields_in_the_paper_forms_order(world, client, decided):
    client.force_login(world.fin_clerk)
    r = client.get(reverse("documents:slip", args=[decided.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    html = html[html.index('data-testid="slip"') :]  # the slip itself, not the navbar (its search box says 标题)
    positions = [html.index(label) for label in PAPER_ORDER]
    assert positions == sorted(positions)
    slip = ProcessingSlip.objects.get(submission=decided)
    for text in (
        slip.number,
        "铁西财〔2026〕7号",
        "拟呈分管领导阅示。",
        "请孙副区长阅处。",
        "同意，抓紧办理。",
        "李副区长",
        "孙副区长",
    ):
        assert text in html
    assert html.index("请孙副区长阅处。") < html.index("同意，抓紧办理。")  # instructions in order


def test_slip_docx_opens_and_carries_number_title_and_each_instruction(world, client, decided):
    client.force_login(world.staff)
    r = client.get(reverse("documents:slip_docx", args=[decided.pk]))
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert ".docx" in r["Content-Disposition"]
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    )
    slip = ProcessingSlip.objects.get(submission=decided)
    assert slip.number in text and slip.title in text
    for opinion in ("拟呈分管领导阅示。", "同意呈批。", "请孙副区长阅处。", "同意，抓紧办理。"):
        assert opinion in text
    labels = [row.cells[0].text for row in doc.tables[0].rows]
    assert labels[0] == "收文编号" and labels[-1] == "备注"
    # A4, and every run names its East Asian font (python-docx's font.name alone sets only Latin).
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    runs = [run for p in doc.paragraphs for run in p.runs] + [
        run for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs for run in p.runs
    ]
    assert runs
    east_asia = {run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in runs}
    assert None not in east_asia
    assert {"仿宋_GB2312", "宋体"} <= east_asia
    assert any("小标宋" in f for f in east_asia)


def test_doc_13_an_instruction_signed_before_8_am_is_dated_that_day_in_siping_not_the_utc_day_before(world, decided):
    from zoneinfo import ZoneInfo

    early = dt.datetime(2026, 11, 3, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))  # 2026-11-02 23:30 UTC
    Instruction.objects.filter(submission=decided).update(at=early)
    data = selectors.slip_detail(Submission.objects.get(pk=decided.pk).current_slip)
    doc = Document(io.BytesIO(build_slip_docx(data)))
    text = "\n".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    assert "2026年11月3日" in text and "2026年11月2日" not in text


def test_org_3_an_instruction_signed_in_someones_stead_names_whom_on_the_slip_page_and_docx(world, client):
    from tests.factories import ActingArrangementFactory

    today = timezone.localdate()
    ActingArrangementFactory(
        absent_post=world.dep_a_post, acting_post=world.dep_b_post, start=today, end=today + dt.timedelta(days=5)
    )
    sub = in_leader_review(world, today)
    services.leader_decide(actor=world.dep_b, submission=sub, decision="approve", opinion="同意。", today=today)
    signature = f"{world.dep_b.display_name}（代{world.dep_a_post.title}{world.dep_a.display_name}）"
    client.force_login(world.staff)
    html = client.get(reverse("documents:slip", args=[sub.pk])).content.decode()
    assert signature in html
    doc = Document(io.BytesIO(client.get(reverse("documents:slip_docx", args=[sub.pk])).content))
    assert signature in "\n".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)


def test_slip_docx_builder_is_pure_and_handles_an_empty_slip(world):
    today = timezone.localdate()
    sub = registered(world, today)
    data = selectors.slip_detail(sub.current_slip)
    doc = Document(io.BytesIO(build_slip_docx(data)))
    assert sub.current_slip.number in doc.tables[0].rows[0].cells[1].text


def test_slip_of_an_unregistered_submission_is_404(world, client):
    from documents_support import draft

    sub = draft(world, timezone.localdate())
    client.force_login(world.fin_clerk)
    assert client.get(reverse("documents:slip", args=[sub.pk])).status_code == 404
    assert client.get(reverse("documents:slip_docx", args=[sub.pk])).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "dev_clerk", "head"])
def test_slip_and_docx_are_404_for_those_who_may_not_see_it(world, client, decided, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("documents:slip", args=[decided.pk])).status_code == 404
    assert client.get(reverse("documents:slip_docx", args=[decided.pk])).status_code == 404


def test_x_1_control_characters_are_refused_at_the_door_and_an_old_one_does_not_break_the_slip(world, client, decided):
    """A title with ESC or a right-to-left override (pasted from another program, or a spoofed name) is refused
    with a Chinese 400 and the typed text given back without it; a row saved before the rule still prints its
    processing slip, the character left out (a .docx cannot hold it)."""
    client.force_login(world.fin_clerk)
    before = Submission.objects.count()
    r = client.post(reverse("documents:create"), {"kind": "request", "title": "关于\x1b[31m拨付\u202e资金的请示"})
    html = r.content.decode()
    assert r.status_code == 400 and "控制字符" in html and "关于[31m拨付资金的请示" in html
    assert Submission.objects.count() == before
    ProcessingSlip.objects.filter(submission=decided).update(title="关于\x01拨付资金\x1b的请示")
    client.force_login(world.staff)
    r = client.get(reverse("documents:slip_docx", args=[decided.pk]))
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(cell.text for table in doc.tables for row in table.rows for cell in row.cells)
    assert "关于拨付资金的请示" in text


def test_doc_17_the_slip_prints_the_disclosure_manner_and_the_reason_not_to_publish(world, client):
    """第三十六条 asks every draft for its disclosure attribute and its manner, and for 部分公开/不予公开 the legal
    reason. The item page showed them; the slip that travels with the document, on paper and in .docx, printed the
    bare attribute (部分公开), so the reason was lost on the paper record."""
    reason = "涉及个人信息，依《政府信息公开条例》第十五条删去相关内容"
    sub = registered(
        world,
        timezone.localdate(),
        disclosure=Disclosure.PARTIAL,
        disclosure_manner=DisclosureManner.ON_REQUEST,
        disclosure_reason=reason,
    )
    expected = f"部分公开（依申请公开）（理由：{reason}）"
    client.force_login(world.staff)
    html = client.get(reverse("documents:slip", args=[sub.pk])).content.decode()
    cell = html.split('data-testid="slip-disclosure">', 1)[1].split("</td>", 1)[0]
    assert cell == expected
    doc = Document(io.BytesIO(client.get(reverse("documents:slip_docx", args=[sub.pk])).content))
    assert expected in [cell.text for row in doc.tables[0].rows for cell in row.cells]
