"""Demo 传阅 for the demo district (issue 15.4): one 发文 in the office's own remit, drafted, checked, signed by the
office director and issued, then sent by the office to three district leaders for 传阅 — the executive deputy has
read it and annotated it (已阅并批注), a deputy has read it (已读), and the head has not yet (未读: a 待阅 in 我的待办).

Every step walks the real services (documents.outgoing.services, circulation.services) on working days before today,
so the audit record, the tasks, the inbox and the status page (/circulation/<id>/) are what real users would get.
Idempotent: the 发文 is known by its title and its circulation by the 发文; what exists is left alone.

Needs the demo district (tiexi_gov.org.demo.build_demo_district) and its usernames.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from documents.demo import base_day
from documents.models import Disclosure, DisclosureManner, DocumentPlan, Issuer, OutgoingDocument, OutgoingKind
from documents.outgoing import services as issuance
from tiexi_gov.org.models import Post, User
from tiexi_gov.org.selectors import exec_deputy_post, head_post, who_handles
from tiexi_gov.workdays import calendar as wd

from . import services
from .models import Circulation, Kind, Mode, ReceiptState

RS = ReceiptState

OFFICE_STAFF = "bangongshi"
OFFICE_CLERK = "bgs_wenshu"
OFFICE_DIRECTOR = "bangongshi_zhuren"

DOC_TITLE = "关于进一步规范政务值班和突发事件信息报送工作的通知"
DOC_BODY = (
    "各乡人民政府、街道办事处，区政府各部门、各直属单位：\n"
    "    为进一步做好政务值班和突发事件信息报送工作，确保政令畅通、信息及时准确，现就有关事项通知如下。\n"
    "    一、严格落实24小时值班和领导带班制度，值班人员不得擅离岗位。\n"
    "    二、发生突发事件，事发单位须在事发后30分钟内电话报告、1小时内书面报告区政府总值班室。\n"
    "    三、区政府办公室将不定期抽查值班情况，抽查结果纳入年度考核。"
)
NOTE = "请各位领导阅知，重点关注第二条信息报送时限要求。"
ANNOTATION = "同意。请应急局牵头，于本月底前对各乡街值班情况开展一次抽查。"


def _user(username: str) -> User:
    return User.objects.select_related("unit").get(username=username)


def _issue(day: dt.date) -> OutgoingDocument:
    """The 发文: in the office's plan for the year, drafted by the office's clerk, checked, signed, issued — one day."""
    clerk, staff = _user(OFFICE_CLERK), _user(OFFICE_STAFF)
    plan = DocumentPlan.objects.filter(issuer=Issuer.OFFICE, unit=None, year=day.year).first()
    if plan is None:
        plan = issuance.create_plan(actor=staff, issuer=Issuer.OFFICE, year=day.year, today=day)
    item = plan.items.filter(title=DOC_TITLE).first() or issuance.add_plan_item(
        actor=staff, plan=plan, title=DOC_TITLE, drafting_unit=clerk.unit, planned_month=day.month, today=day
    )
    doc = issuance.create_outgoing(
        actor=clerk,
        kind=OutgoingKind.OFFICE_REMIT,
        title=DOC_TITLE,
        issuer=Issuer.OFFICE,
        body=DOC_BODY,
        main_recipients="各乡人民政府、街道办事处，区政府各部门、各直属单位",
        disclosure=Disclosure.FULL,
        disclosure_manner=DisclosureManner.ACTIVE,
        not_classified=True,
        plan_item=item,
    )
    doc = issuance.submit_outgoing(actor=clerk, document=doc, today=day)
    doc = issuance.office_check_outgoing(actor=staff, document=doc, opinion="格式规范，同意送主任签发。", today=day)
    director = who_handles(Post.objects.get(kind=Post.Kind.OFFICE_DIRECTOR), day).person
    doc = issuance.sign_outgoing(actor=director, document=doc, opinion="同意印发。", today=day)
    return issuance.issue_outgoing(actor=staff, document=doc, today=day)


def _deputy_post(day: dt.date) -> Post | None:
    """A deputy whose own holder reads on `day` (not one away with someone acting)."""
    for post in Post.objects.filter(kind=Post.Kind.DEPUTY).select_related("unit").order_by("order", "id"):
        if not who_handles(post, day).is_acting:
            return post
    return None


def _circulate(doc: OutgoingDocument, sent_on: dt.date, read_on: dt.date) -> Circulation:
    head, executive, deputy = head_post(), exec_deputy_post(), _deputy_post(read_on)
    posts = [p for p in (head, executive, deputy) if p is not None]
    circulation = services.send_circulation(
        actor=_user(OFFICE_STAFF),
        kind=Kind.OUTGOING,
        item_id=doc.pk,
        post_ids=[p.pk for p in posts],
        mode=Mode.CIRCULATE,
        note=NOTE,
        today=sent_on,
    )
    receipts = {r.post_id: r for r in circulation.receipts.all()}
    if executive is not None:
        services.annotate_receipt(
            actor=who_handles(executive, read_on).person,
            receipt=receipts[executive.pk],
            text=ANNOTATION,
            today=read_on,
        )
    if deputy is not None:
        services.read_receipt(actor=who_handles(deputy, read_on).person, receipt=receipts[deputy.pk], today=read_on)
    return circulation


def build_demo_circulation(today: dt.date | None = None) -> dict:
    """Create what does not exist yet (each part in its own transaction); returns a summary of the circulation."""
    d0 = base_day(today)
    sent_on = wd.subtract_workdays(d0, 2)
    read_on = wd.subtract_workdays(d0, 1)
    created = []
    doc = OutgoingDocument.objects.filter(title=DOC_TITLE).first()
    if doc is None:
        with transaction.atomic():
            doc = _issue(sent_on)
        created.append(f"发文 {doc.number}")
    circulation = Circulation.objects.filter(kind=Kind.OUTGOING, outgoing=doc).order_by("id").first()
    if circulation is None:
        with transaction.atomic():
            circulation = _circulate(doc, sent_on, read_on)
        created.append("传阅单")
    receipts = list(circulation.receipts.select_related("post", "read_by", "annotated_by").order_by("id"))
    unread = [
        (r.post.title, who_handles(r.post, d0).person.username)
        for r in receipts
        if r.state == RS.UNREAD and r.post_id is not None
    ]
    return {
        "day": d0,
        "created": created,
        "circulation": circulation,
        "receipts": [(r.recipient_name, r.get_state_display()) for r in receipts],
        "unread": unread,
    }
