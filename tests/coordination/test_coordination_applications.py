"""CRD-1 (第六十四条): the application path department → office → responsible deputy → head, which alone writes the
register; CRD-2 (第六十五条): the conditions a body must meet, checked at creation and again at approval; CRD-3
(第六十六条): who heads a body. Services are called with `today=`; the views on the real day."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.models import AbolishGround, Application, Body, CounterpartLevel, Ground, Rank, Seat
from coordination.register import services as register
from coordination.shared.errors import ActionNotAllowed, AlreadyHandled, CoordinationError
from tests.meetings.meetings_support import DAY
from tiexi_gov.audit.models import Event
from tiexi_gov.notify.models import Message

St = Application.State
Kind = Application.Kind


def proposal(w, **overrides) -> dict:
    """A body 教育局 may set up: headed by its responsible deputy (副区长（教育）), members by post."""
    data = {
        "name": "铁西区教育督导委员会",
        "grounds": [{"ground": Ground.LAW, "basis": "《教育督导条例》第五条"}],
        "counterpart_level": "",
        "counterpart_name": "",
        "counterpart_rank": None,
        "rank": Rank.DEPUTY,
        "head_required_by_higher_level": False,
        "head_post": w.edu_deputy_post.pk,
        "deputy_head_posts": [w.unit_head_posts["教育局"].pk],
        "member_posts": [w.unit_head_posts["财政局"].pk, w.unit_head_posts["发改局"].pk],
        "host_unit": w.units["教育局"].pk,
        "office_name": "区教育督导委员会办公室",
        "founding_document": "",
        "phase_end": "",
        "functions": "统筹全区教育督导工作。",
    }
    data.update(overrides)
    return data


def apply(w, *, short="教育局", kind=Kind.SETUP, submit=True, **kwargs) -> Application:
    kwargs.setdefault("proposal", proposal(w) if kind == Kind.SETUP else {})
    return register.create_application(
        actor=w.clerks[short],
        kind=kind,
        applicant_unit=w.units[short],
        reason=kwargs.pop("reason", "教育督导工作涉及多个部门，需统筹协调。"),
        submit=submit,
        today=DAY,
        **kwargs,
    )


def approve_all(w, app: Application, deputy=None) -> Application:
    app = register.office_review(actor=w.staff, application=app, opinion="符合设立条件，拟同意。", today=DAY)
    app = register.deputy_review(actor=deputy or w.edu_deputy, application=app, opinion="同意。", today=DAY)
    return register.head_approve(actor=w.head, application=app, opinion="同意设立。", today=DAY)


def events(obj) -> list[Event]:
    return list(Event.objects.for_object(obj).select_related("actor").order_by("at", "id"))


# --- CRD-1 --------------------------------------------------------------------------------------------------------


def test_crd_1_application_path_office_deputy_head_updates_register(world):
    w = world
    app = apply(w)
    assert app.state == St.OFFICE_REVIEW
    assert app.deputy_post == w.edu_deputy_post  # the deputy whose portfolio covers 教育局
    assert not Body.objects.exists()

    # The office step: not the applicant, not the deputy, not the head.
    for wrong in (w.clerks["教育局"], w.edu_deputy, w.head, w.clerks["财政局"]):
        with pytest.raises(ActionNotAllowed):
            register.office_review(actor=wrong, application=app, opinion="同意", today=DAY)
    app = register.office_review(actor=w.staff, application=app, opinion="符合设立条件，拟同意。", today=DAY)
    assert app.state == St.DEPUTY_REVIEW and app.office_opinion == "符合设立条件，拟同意。"
    assert not Body.objects.exists()

    # The deputy step: only the deputy in charge of 教育局 (not another deputy, not the office, not the head).
    for wrong in (w.exec_deputy, w.judicial_deputy, w.staff, w.head):
        with pytest.raises(ActionNotAllowed):
            register.deputy_review(actor=wrong, application=app, opinion="同意", today=DAY)
    app = register.deputy_review(actor=w.edu_deputy, application=app, opinion="同意，报区长审批。", today=DAY)
    assert app.state == St.HEAD_REVIEW
    assert not Body.objects.exists()

    # The head step.
    for wrong in (w.edu_deputy, w.exec_deputy, w.director, w.clerks["教育局"]):
        with pytest.raises(ActionNotAllowed):
            register.head_approve(actor=wrong, application=app, opinion="同意", today=DAY)
    assert not Body.objects.exists()
    app = register.head_approve(actor=w.head, application=app, opinion="同意设立。", today=DAY)
    assert app.state == St.APPROVED and app.decided_at is not None
    # The applicants and the office are told, with one of the inbox's Chinese kinds (it was "success").
    told = Message.objects.filter(subject__startswith="已批准")
    assert told.exists() and set(told.values_list("level", flat=True)) == {Message.Level.INFO}

    body = Body.objects.get()
    assert app.body == body
    assert body.name == "铁西区教育督导委员会" and body.status == Body.Status.ACTIVE
    assert body.host_unit == w.units["教育局"] and body.founded_on == DAY
    assert [(g.ground, g.basis) for g in body.grounds.all()] == [(Ground.LAW, "《教育督导条例》第五条")]
    seats = [(s.post_id, s.role) for s in body.seats.order_by("order")]
    assert seats == [
        (w.edu_deputy_post.pk, Seat.Role.HEAD),
        (w.unit_head_posts["教育局"].pk, Seat.Role.DEPUTY_HEAD),
        (w.unit_head_posts["财政局"].pk, Seat.Role.MEMBER),
        (w.unit_head_posts["发改局"].pk, Seat.Role.MEMBER),
    ]

    # The record shows the path: who, what, with which opinion.
    path = [(e.action, e.actor, e.opinion) for e in events(app)]
    assert [p[0] for p in path] == ["created", "submit", "office_review", "deputy_review", "approve"]
    assert [p[1] for p in path] == [w.clerks["教育局"], w.clerks["教育局"], w.staff, w.edu_deputy, w.head]
    assert path[2][2] == "符合设立条件，拟同意。" and path[3][2] == "同意，报区长审批。" and path[4][2] == "同意设立。"
    assert all(e.rule_id == "CRD-1" for e in events(app))
    assert [e.action for e in events(body)] == ["setup"]


def test_crd_1_each_review_needs_an_opinion(world):
    w = world
    app = apply(w)
    with pytest.raises(CoordinationError, match="审核意见"):
        register.office_review(actor=w.staff, application=app, opinion="  ", today=DAY)
    app.refresh_from_db()
    assert app.state == St.OFFICE_REVIEW


def test_crd_1_acting_deputy_reviews_and_the_record_says_so(world):
    from tests.factories import ActingArrangementFactory

    w = world
    today = timezone.localdate()  # the transition's object permission asks about the real day
    ActingArrangementFactory(
        absent_post=w.edu_deputy_post, acting_post=w.judicial_post, start=today, end=today + dt.timedelta(days=3)
    )
    app = register.office_review(actor=w.staff, application=apply(w), opinion="拟同意。", today=today)
    with pytest.raises(ActionNotAllowed):  # the absent deputy's queue is the acting one's now
        register.deputy_review(actor=w.edu_deputy, application=app, opinion="同意。", today=today)
    app = register.deputy_review(actor=w.judicial_deputy, application=app, opinion="同意（代）。", today=today)
    assert app.state == St.HEAD_REVIEW
    event = events(app)[-1]
    assert event.capacity == f"代{w.edu_deputy_post.title}" and event.acting_for == w.edu_deputy


def test_crd_1_permissions_ask_about_the_day_of_the_action_not_the_wall_clock(world):
    """A step dated by the service (`today=`) is judged on that day: on DAY the education deputy is away and the
    judicial deputy acts (LEAVE-4), whatever the real date is."""
    from tests.factories import ActingArrangementFactory

    w = world
    ActingArrangementFactory(
        absent_post=w.edu_deputy_post, acting_post=w.judicial_post, start=DAY, end=DAY + dt.timedelta(days=2)
    )
    app = register.office_review(actor=w.staff, application=apply(w), opinion="拟同意。", today=DAY)
    with pytest.raises(ActionNotAllowed):
        register.deputy_review(actor=w.edu_deputy, application=app, opinion="同意。", today=DAY)
    app = register.deputy_review(actor=w.judicial_deputy, application=app, opinion="同意（代）。", today=DAY)
    assert app.state == St.HEAD_REVIEW and events(app)[-1].capacity == f"代{w.edu_deputy_post.title}"


def test_crd_1_send_back_and_resubmit(world):
    w = world
    app = register.office_review(actor=w.staff, application=apply(w), opinion="拟同意。", today=DAY)
    with pytest.raises(ActionNotAllowed):  # the office's step is over
        register.send_back(actor=w.staff, application=app, opinion="退回", today=DAY)
    with pytest.raises(CoordinationError, match="退回意见"):
        register.send_back(actor=w.edu_deputy, application=app, opinion="", today=DAY)
    app = register.send_back(actor=w.edu_deputy, application=app, opinion="请补充成员单位。", today=DAY)
    assert app.state == St.RETURNED and app.deputy_opinion == "请补充成员单位。"
    with pytest.raises(CoordinationError):  # a returned application cannot be reviewed
        register.office_review(actor=w.staff, application=app, opinion="同意", today=DAY)
    with pytest.raises(ActionNotAllowed):  # another unit cannot resubmit it
        register.submit_application(actor=w.clerks["财政局"], application=app, today=DAY)

    changed = proposal(w, member_posts=[*proposal(w)["member_posts"], w.unit_head_posts["审计局"].pk])
    app = register.submit_application(
        actor=w.clerks["教育局"], application=app, proposal=changed, reason="补充审计局为成员单位。", today=DAY
    )
    assert app.state == St.OFFICE_REVIEW and app.reason == "补充审计局为成员单位。"
    assert w.unit_head_posts["审计局"].pk in app.proposal["member_posts"]
    assert not Body.objects.exists()
    app = approve_all(w, app)
    body = Body.objects.get()
    assert body.seats.filter(post=w.unit_head_posts["审计局"], role=Seat.Role.MEMBER).exists()
    actions = [e.action for e in events(app)]
    assert actions == ["created", "submit", "office_review", "send_back", "submit", "office_review", "deputy_review",
                       "approve"]  # fmt: skip
    assert events(app)[3].opinion == "请补充成员单位。"


def test_crd_1_a_resubmission_is_checked_again(world):
    w = world
    app = register.send_back(actor=w.staff, application=apply(w), opinion="请核实依据。", today=DAY)
    with pytest.raises(CoordinationError, match="第六十五条"):
        register.submit_application(
            actor=w.clerks["教育局"], application=app, proposal=proposal(w, grounds=[]), today=DAY
        )
    app.refresh_from_db()
    assert app.state == St.RETURNED


def _body(w, name="铁西区教育督导委员会", **overrides) -> Body:
    app = approve_all(w, apply(w, proposal=proposal(w, name=name, **overrides)))
    return app.body


def test_crd_1_adjust_through_application(world):
    w = world
    body = _body(w)
    app = apply(
        w,
        kind=Kind.ADJUST,
        body=body,
        proposal={
            **register.body_spec(body),
            "office_name": "区教育督导办",
            "member_posts": [w.unit_head_posts["审计局"].pk],
        },
        reason="成员单位调整。",
    )
    assert set(app.proposal) == {"office_name", "member_posts"}  # only what changes is carried
    body.refresh_from_db()
    assert body.office_name == "区教育督导委员会办公室"  # not before the approval
    approve_all(w, app)
    body.refresh_from_db()
    assert body.office_name == "区教育督导办"
    assert list(body.seats.filter(role=Seat.Role.MEMBER).values_list("post_id", flat=True)) == [
        w.unit_head_posts["审计局"].pk
    ]
    assert body.seats.get(role=Seat.Role.HEAD).post == w.edu_deputy_post
    assert [e.action for e in events(body)] == ["setup", "adjust"]


def test_crd_1_adjust_without_a_change_is_refused(world):
    w = world
    body = _body(w)
    with pytest.raises(CoordinationError, match="未作任何调整"):
        apply(w, kind=Kind.ADJUST, body=body, proposal=register.body_spec(body))


def test_crd_1_merge_through_application(world):
    w = world
    small = _body(w, name="铁西区校园安全工作领导小组")
    big = _body(w, name="铁西区教育工作领导小组")
    app = apply(
        w,
        kind=Kind.MERGE,
        body=small,
        merge_into=big,
        proposal={"abolish_grounds": [AbolishGround.DUPLICATE]},
        reason="职能与教育工作领导小组雷同。",
    )
    with pytest.raises(CoordinationError):  # one application at a time for a body
        apply(w, kind=Kind.ABOLISH, body=small, proposal={"abolish_grounds": [AbolishGround.DUPLICATE]})
    small.refresh_from_db()
    assert small.status == Body.Status.ACTIVE
    approve_all(w, app)
    small.refresh_from_db()
    assert small.status == Body.Status.MERGED and small.merged_into == big and small.ended_on == DAY
    big.refresh_from_db()
    assert big.status == Body.Status.ACTIVE
    assert events(small)[-1].action == "merge" and events(small)[-1].to_state == Body.Status.MERGED


def test_crd_1_abolish_through_application(world):
    w = world
    body = _body(w, phase_end="2026-06-30")
    with pytest.raises(CoordinationError, match="第六十七条"):
        apply(w, kind=Kind.ABOLISH, body=body, proposal={})
    app = apply(w, kind=Kind.ABOLISH, body=body, proposal={"abolish_grounds": [AbolishGround.PHASE_DONE]})
    body.refresh_from_db()
    assert body.status == Body.Status.ACTIVE
    approve_all(w, app)
    body.refresh_from_db()
    assert body.status == Body.Status.ABOLISHED and body.ended_on == DAY
    with pytest.raises(CoordinationError, match="已撤销"):
        apply(w, kind=Kind.ADJUST, body=body, proposal={"office_name": "新办公室"})


def test_crd_5_an_abolished_bodys_open_targets_leave_the_queues_and_their_clock_is_cancelled(world):
    """Abolished (第六十七条), a body files and is checked no more: 待报送 and 待督导检查 of its year's targets leave
    the host unit's and the office's 我的待办, the CRD-5 clock is cancelled, and the page offers neither step."""
    from coordination.models import AnnualTargets
    from coordination.upkeep import permissions as upkeep_permissions
    from coordination.upkeep import services as upkeep
    from tiexi_gov.deadlines.models import Deadline
    from tiexi_gov.workflow.models import Task

    w = world
    body = _body(w, phase_end="2026-06-30")
    upkeep.open_targets(actor=w.staff, year=DAY.year + 1, today=DAY)
    targets = AnnualTargets.objects.get(body=body)

    def open_tasks():
        return Task.objects.filter(subject_id=str(targets.pk), closed_at__isnull=True, action="file")

    assert open_tasks().exists()
    app = apply(w, kind=Kind.ABOLISH, body=body, proposal={"abolish_grounds": [AbolishGround.PHASE_DONE]})
    approve_all(w, app)
    assert not open_tasks().exists()
    clock = Deadline.objects.get(rule_id="CRD-5", subject_id=str(targets.pk))
    assert clock.closed_at is not None and clock.state == Deadline.State.CANCELLED and "撤销" in clock.close_note
    targets = AnnualTargets.objects.select_related("body").get(pk=targets.pk)
    assert not upkeep_permissions.can_file_targets(w.clerks["教育局"], targets)
    assert not upkeep_permissions.can_check_targets(w.staff, targets)
    assert upkeep_permissions.can_view_targets(w.staff, targets)  # the record stays readable


def test_crd_1_a_resubmission_unchanged_does_not_claim_a_change(world):
    """The revise form posted back as it was resubmits (重新提交, no opinion); a changed reason is 修改后重新提交."""
    w = world
    app = apply(w)
    register.send_back(actor=w.staff, application=app, opinion="请补充依据。", today=DAY)
    same = register.submit_application(
        actor=w.clerks["教育局"], application=app.pk, reason=app.reason, proposal=proposal(w), today=DAY
    )
    assert same.submitted_as == "重新提交"
    assert (events(app)[-1].action_label, events(app)[-1].opinion) == ("重新提交", "")
    register.send_back(actor=w.staff, application=app, opinion="请补充依据。", today=DAY)
    changed = register.submit_application(
        actor=w.clerks["教育局"], application=app.pk, reason="已补充法律依据。", proposal=proposal(w), today=DAY
    )
    assert changed.submitted_as == "修改后重新提交"
    assert (events(app)[-1].action_label, events(app)[-1].opinion) == ("修改后重新提交", "已补充法律依据。")


def test_crd_1_two_clicks_on_one_step_give_one_transition(world):
    w = world
    app = apply(w)
    register.office_review(actor=w.staff, application=app, opinion="拟同意。", today=DAY)
    with pytest.raises(AlreadyHandled, match="郑会务"):
        register.office_review(
            actor=w.director, application=app.pk, opinion="拟同意。", seen_state=St.OFFICE_REVIEW, today=DAY
        )
    assert [e.action for e in events(app)].count("office_review") == 1


# --- CRD-2 ------------------------------------------------------------------------------------------------------


def test_crd_2_body_needs_a_ground_with_its_basis(world):
    w = world
    with pytest.raises(CoordinationError, match="至少选择一项设立依据") as no_ground:
        apply(w, proposal=proposal(w, grounds=[]))
    assert no_ground.value.rule_id == "CRD-2"
    with pytest.raises(CoordinationError, match="须写明所依据的法律法规或文件"):
        apply(w, proposal=proposal(w, grounds=[{"ground": Ground.UPPER_DOCUMENT, "basis": " "}]))
    with pytest.raises(CoordinationError, match="设立依据无效"):
        apply(w, proposal=proposal(w, grounds=[{"ground": "convenience", "basis": "方便工作"}]))
    assert not Application.objects.exists()

    # Checked again at approval: a proposal that lost its ground on the way is not written to the register.
    app = apply(w)
    app = register.deputy_review(
        actor=w.edu_deputy,
        application=register.office_review(actor=w.staff, application=app, opinion="拟同意。", today=DAY),
        opinion="同意。",
        today=DAY,
    )
    Application.objects.filter(pk=app.pk).update(proposal={**app.proposal, "grounds": []})
    app.refresh_from_db()
    with pytest.raises(CoordinationError, match="第六十五条"):
        register.head_approve(actor=w.head, application=app, opinion="同意。", today=DAY)
    app.refresh_from_db()
    assert app.state == St.HEAD_REVIEW and not Body.objects.exists()


def test_crd_2_body_cannot_be_ranked_above_its_counterpart(world):
    w = world
    city = {"counterpart_level": CounterpartLevel.CITY, "counterpart_name": "四平市教育督导委员会"}
    # The city's body is led by a department head: the district may not have a deputy lead its own.
    with pytest.raises(CoordinationError, match="不得擅自升级、提高规格") as higher:
        apply(w, proposal=proposal(w, **city, counterpart_rank=Rank.DEPARTMENT, rank=Rank.DEPUTY))
    assert higher.value.rule_id == "CRD-2" and higher.value.field == "rank"
    # ... nor the head, even when asked to.
    with pytest.raises(CoordinationError, match="不得擅自升级、提高规格"):
        apply(
            w,
            proposal=proposal(
                w,
                **city,
                counterpart_rank=Rank.DEPUTY,
                rank=Rank.HEAD,
                head_post=w.head_post.pk,
                head_required_by_higher_level=True,
            ),
        )
    # A counterpart needs its rank to be compared with.
    with pytest.raises(CoordinationError, match="须填写该机构的规格"):
        apply(w, proposal=proposal(w, **city, counterpart_rank=None))
    # The "province/city has one" ground needs the counterpart named.
    with pytest.raises(CoordinationError, match="须填写对应的省、市机构"):
        apply(w, proposal=proposal(w, grounds=[{"ground": Ground.UPPER_COUNTERPART, "basis": "市里已设立"}]))
    assert not Application.objects.exists()
    # The same rank as the city's (or lower) is allowed.
    same = apply(w, proposal=proposal(w, **city, counterpart_rank=Rank.DEPUTY, rank=Rank.DEPUTY))
    assert same.state == St.OFFICE_REVIEW
    lower = apply(
        w,
        proposal=proposal(
            w,
            name="铁西区学校食品安全工作专班",
            counterpart_level=CounterpartLevel.PROVINCE,
            counterpart_name="吉林省学校食品安全工作领导小组",
            counterpart_rank=Rank.DEPUTY,
            rank=Rank.DEPARTMENT,
            head_post=w.unit_head_posts["教育局"].pk,
            deputy_head_posts=[],
        ),
    )
    assert lower.state == St.OFFICE_REVIEW


def test_crd_2_the_rank_is_checked_again_at_approval(world):
    w = world
    app = apply(
        w,
        proposal=proposal(w, counterpart_level="city", counterpart_name="四平市教育督导委员会", counterpart_rank=2),
    )
    app = register.deputy_review(
        actor=w.edu_deputy,
        application=register.office_review(actor=w.staff, application=app, opinion="拟同意。", today=DAY),
        opinion="同意。",
        today=DAY,
    )
    Application.objects.filter(pk=app.pk).update(proposal={**app.proposal, "counterpart_rank": Rank.DEPARTMENT})
    app.refresh_from_db()
    with pytest.raises(CoordinationError, match="不得擅自升级"):
        register.head_approve(actor=w.head, application=app, opinion="同意。", today=DAY)
    assert not Body.objects.exists()


def test_crd_2_a_name_is_borne_by_one_body(world):
    w = world
    _body(w)
    with pytest.raises(CoordinationError, match="已有同名"):
        apply(w)
    apply(w, proposal=proposal(w, name="铁西区教育工作领导小组"))
    with pytest.raises(CoordinationError, match="已在办理中"):
        apply(w, proposal=proposal(w, name="铁西区教育工作领导小组"))


# --- CRD-3: who heads a body -----------------------------------------------------------------------------------


def test_crd_3_head_is_the_responsible_deputy_unless_a_higher_level_requires_the_head(world):
    w = world
    with pytest.raises(CoordinationError, match="原则上由区政府分管领导担任"):
        apply(w, proposal=proposal(w, rank=Rank.HEAD, head_post=w.head_post.pk))
    with pytest.raises(CoordinationError, match="副区长（教育）"):  # 教育局 is the education deputy's
        apply(w, proposal=proposal(w, head_post=w.exec_post.pk))
    with pytest.raises(CoordinationError, match="规格与主要负责人不符"):
        apply(w, proposal=proposal(w, rank=Rank.DEPARTMENT))
    with pytest.raises(CoordinationError, match="不能担任主要负责人"):
        apply(w, proposal=proposal(w, rank=Rank.DEPARTMENT, head_post=w.office_deputy_post.pk))
    required = apply(
        w, proposal=proposal(w, rank=Rank.HEAD, head_post=w.head_post.pk, head_required_by_higher_level=True)
    )
    assert required.state == St.OFFICE_REVIEW
    dept = apply(
        w,
        proposal=proposal(
            w, name="铁西区教育信息化工作专班", rank=Rank.DEPARTMENT, head_post=w.unit_head_posts["教育局"].pk,
            deputy_head_posts=[],
        ),
    )  # fmt: skip
    assert dept.state == St.OFFICE_REVIEW


# --- pages ---------------------------------------------------------------------------------------------------


def _form_data(w, **overrides) -> dict:
    data = {
        "kind": "setup",
        "applicant_unit": w.units["教育局"].pk,
        "name": "铁西区教育督导委员会",
        "ground_law": "on",
        "basis_law": "《教育督导条例》第五条",
        "counterpart_level": "",
        "counterpart_name": "",
        "counterpart_rank": "",
        "rank": str(Rank.DEPUTY),
        "head_post": str(w.edu_deputy_post.pk),
        "deputy_head_posts": [str(w.unit_head_posts["教育局"].pk)],
        "member_posts": [str(w.unit_head_posts["财政局"].pk)],
        "host_unit": str(w.units["教育局"].pk),
        "office_name": "区教育督导委员会办公室",
        "founding_document": "",
        "phase_end": "",
        "functions": "",
        "reason": "教育督导需统筹协调。",
        "do": "submit",
    }
    data.update(overrides)
    return data


def test_crd_1_pages_apply_review_approve(world, client):
    w = world
    new = reverse("coordination:application_new")
    client.force_login(w.clerks["教育局"])
    page = client.get(new + "?kind=setup")
    assert page.status_code == 200
    text = page.content.decode()
    assert "副区长（教育）（张副区长）" in text  # posts are offered with today's holder
    response = client.post(new, _form_data(w))
    app = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("coordination:application", args=[app.pk])
    assert app.state == St.OFFICE_REVIEW and app.proposal["member_posts"] == [w.unit_head_posts["财政局"].pk]

    url = reverse("coordination:application", args=[app.pk])
    assert 'data-testid="do-office-review"' not in client.get(url).content.decode()
    act = reverse("coordination:application_action", args=[app.pk, "office-review"])
    refused = client.post(act, {"office-review-opinion": "同意", "office-review-seen_state": app.state})
    assert refused.status_code == 403
    client.force_login(w.staff)
    page = client.get(url).content.decode()
    assert 'data-testid="do-office-review"' in page
    # every step asks before it moves the application on, not only 批准
    # ...naming the leader it goes to: the deputy whose portfolio covers the unit (the 常务 one, for some units)
    deputy = app.deputy_post.title
    assert f'data-action="office-review" data-confirm="确认审核通过，报{deputy}审核？"' in page
    assert f"审核通过，报{deputy}</button>" in page
    assert 'data-action="send-back" data-confirm="确认退回申请单位？"' in page
    missing = client.post(act, {"office-review-opinion": "", "office-review-seen_state": app.state})
    assert missing.status_code == 400
    client.post(act, {"office-review-opinion": "拟同意。", "office-review-seen_state": app.state})
    app.refresh_from_db()
    assert app.state == St.DEPUTY_REVIEW

    client.force_login(w.edu_deputy)
    client.post(
        reverse("coordination:application_action", args=[app.pk, "deputy-review"]),
        {"deputy-review-opinion": "同意。", "deputy-review-seen_state": app.state},
    )
    app.refresh_from_db()
    assert app.state == St.HEAD_REVIEW
    client.force_login(w.head)
    approve = reverse("coordination:application_action", args=[app.pk, "approve"])
    unconfirmed = client.post(approve, {"approve-opinion": "同意。", "approve-seen_state": app.state})
    assert unconfirmed.status_code == 400 and not Body.objects.exists()  # the confirmation is checked on the server
    client.post(approve, {"approve-opinion": "同意。", "approve-seen_state": app.state, "approve-confirm": "on"})
    app.refresh_from_db()
    assert app.state == St.APPROVED and app.body.name == "铁西区教育督导委员会"
    page = client.get(url).content.decode()
    assert page.count('data-testid="timeline-item"') == 5 and "拟同意。" in page


def test_crd_2_the_form_shows_the_refusal_and_keeps_what_was_typed(world, client):
    w = world
    client.force_login(w.clerks["教育局"])
    response = client.post(
        reverse("coordination:application_new"), _form_data(w, ground_law="", basis_law="", name="某某工作领导小组")
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "至少选择一项设立依据" in text and 'value="某某工作领导小组"' in text
    response = client.post(
        reverse("coordination:application_new"),
        _form_data(w, counterpart_level="city", counterpart_name="四平市教育督导委员会", counterpart_rank="3"),
    )
    assert response.status_code == 400 and "不得擅自升级、提高规格" in response.content.decode()
    assert not Application.objects.exists()


def test_crd_1_returned_application_is_revised_in_the_form(world, client):
    w = world
    app = register.send_back(actor=w.staff, application=apply(w), opinion="名称请规范。", today=DAY)
    client.force_login(w.clerks["教育局"])
    revise = reverse("coordination:application_action", args=[app.pk, "revise"])
    page = client.get(revise)
    assert page.status_code == 200 and 'value="铁西区教育督导委员会"' in page.content.decode()
    response = client.post(revise, _form_data(w, name="铁西区人民政府教育督导委员会", seen_state=St.RETURNED))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == St.OFFICE_REVIEW and app.proposal["name"] == "铁西区人民政府教育督导委员会"


def test_crd_1_application_visibility(world, client):
    w = world
    app = apply(w)
    url = reverse("coordination:application", args=[app.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    allowed = [w.clerks["教育局"], w.unit_heads["教育局"], w.staff, w.director, w.edu_deputy, w.head, w.exec_deputy,
               w.judicial_deputy]  # fmt: skip
    for user in allowed:
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (w.clerks["财政局"], w.unit_heads["审计局"], w.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
        response = client.post(
            reverse("coordination:application_action", args=[app.pk, "office-review"]),
            {"office-review-opinion": "同意"},
        )
        assert response.status_code == 404
    client.force_login(w.outsider)
    assert client.get(reverse("coordination:application_new")).status_code == 404


def test_crd_1_applications_list_puts_what_waits_for_me_first(world, client):
    w = world
    waiting = apply(w)
    other = apply(w, short="财政局", proposal=proposal(w, name="铁西区预算绩效管理工作领导小组",
                  head_post=w.exec_post.pk, host_unit=w.units["财政局"].pk))  # fmt: skip
    register.office_review(actor=w.staff, application=other, opinion="拟同意。", today=DAY)
    client.force_login(w.staff)
    page = client.get(reverse("coordination:applications")).content.decode()
    assert f'data-application="{waiting.pk}"' in page and f'data-application="{other.pk}"' not in page
    page = client.get(reverse("coordination:applications") + "?tab=all").content.decode()
    assert f'data-application="{waiting.pk}"' in page and f'data-application="{other.pk}"' in page
    client.force_login(w.exec_deputy)
    page = client.get(reverse("coordination:applications")).content.decode()
    assert f'data-application="{other.pk}"' in page and f'data-application="{waiting.pk}"' not in page
    client.force_login(w.clerks["教育局"])
    page = client.get(reverse("coordination:applications") + "?tab=mine").content.decode()
    assert f'data-application="{waiting.pk}"' in page and f'data-application="{other.pk}"' not in page
    assert client.get(reverse("coordination:applications") + "?tab=all").status_code == 200  # falls back to todo


def _many(w, n: int, start: int) -> None:
    for i in range(start, start + n):
        apply(w, proposal=proposal(w, name=f"铁西区第{i}专项工作领导小组"))


def test_applications_list_costs_a_constant_number_of_queries(world, client):
    w = world
    url = reverse("coordination:applications") + "?tab=all"
    client.force_login(w.staff)
    _many(w, 2, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _many(w, 12, 10)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert page.count('data-testid="application-row"') == 14
    assert len(large) == len(small)


def test_crd_1_adjust_merge_and_abolish_are_applied_for_in_the_form(world, client):
    w = world
    body = _body(w)
    other = _body(w, name="铁西区教育工作领导小组")
    new = reverse("coordination:application_new")
    client.force_login(w.clerks["教育局"])
    assert 'data-testid="body-chooser"' in client.get(new + "?kind=adjust").content.decode()
    page = client.get(new + f"?kind=adjust&body={body.pk}").content.decode()
    assert 'value="区教育督导委员会办公室"' in page
    assert 'name="ground_law" class="form-check-input" id="id_ground_law" checked' in page

    data = _form_data(w, kind="adjust", body=str(body.pk), office_name="区教育督导办",
                      member_posts=[str(w.unit_head_posts["财政局"].pk), str(w.unit_head_posts["发改局"].pk)],
                      functions="统筹全区教育督导工作。", reason="办公室更名。")  # fmt: skip
    assert client.post(new, data).status_code == 302
    adjust = Application.objects.get(kind=Kind.ADJUST)
    assert adjust.body == body and adjust.proposal == {"office_name": "区教育督导办"}

    merge = {
        "kind": "merge",
        "applicant_unit": w.units["教育局"].pk,
        "body": other.pk,
        "reason": "职能雷同。",
        "do": "submit",
    }
    refused = client.post(new, {**merge, "merge_into": other.pk, "abolish_grounds": [AbolishGround.DUPLICATE]})
    assert refused.status_code == 400 and "不能并入机构本身" in refused.content.decode()
    response = client.post(new, {**merge, "merge_into": body.pk, "abolish_grounds": [AbolishGround.DUPLICATE]})
    assert response.status_code == 302
    merging = Application.objects.get(kind=Kind.MERGE)
    assert merging.body == other and merging.merge_into == body and merging.state == St.OFFICE_REVIEW
    assert merging.proposal == {"abolish_grounds": [AbolishGround.DUPLICATE]}

    abolish = {
        "kind": "abolish",
        "applicant_unit": w.units["教育局"].pk,
        "body": other.pk,
        "reason": "阶段性工作已完成。",
    }
    response = client.post(new, {**abolish, "do": "draft", "abolish_grounds": [AbolishGround.PHASE_DONE]})
    assert response.status_code == 302
    draft = Application.objects.get(kind=Kind.ABOLISH)
    assert draft.state == St.DRAFTING  # a draft waits; the merge in flight does not block it yet
    with pytest.raises(CoordinationError, match="正在办理"):
        register.submit_application(actor=w.clerks["教育局"], application=draft, today=DAY)


def test_crd_1_a_draft_is_submitted_from_its_page(world, client):
    w = world
    draft = apply(w, submit=False)
    assert draft.state == St.DRAFTING
    url = reverse("coordination:application", args=[draft.pk])
    client.force_login(w.staff)
    page = client.get(url).content.decode()
    assert 'data-testid="do-office-review"' not in page  # nothing for the office before the unit submits
    client.force_login(w.clerks["教育局"])
    page = client.get(url).content.decode()
    assert 'data-testid="do-submit"' in page and 'data-testid="do-revise"' in page
    response = client.post(
        reverse("coordination:application_action", args=[draft.pk, "submit"]), {"submit-seen_state": St.DRAFTING}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == St.OFFICE_REVIEW
    stale = client.post(
        reverse("coordination:application_action", args=[draft.pk, "submit"]), {"submit-seen_state": St.DRAFTING}
    )
    assert stale.status_code == 200 and "已由教育局文书处理" in stale.content.decode()


@pytest.mark.parametrize("do", ["draft", "submit"])
def test_crd_1_the_application_form_posted_twice_makes_one_application(world, client, do):
    """A double click on 保存草稿 made two identical drafts, and on 提交 answered the second click with the form
    and "…的设立申请已在办理中，不得重复申请" as if the first had failed. The form's one-time token now answers the
    same post again with the application it made."""
    w = world
    new = reverse("coordination:application_new")
    client.force_login(w.clerks["教育局"])
    page = client.get(new + "?kind=setup").content.decode()
    token = re.search(r'name="once_token" value="([0-9a-f]{32})"', page)
    data = _form_data(w, do=do, once_token=token.group(1) if token else "")
    first = client.post(new, data)
    again = client.post(new, data, follow=True)
    app = Application.objects.get()
    url = reverse("coordination:application", args=[app.pk])
    assert first.status_code == 302 and first["Location"] == url
    assert again.redirect_chain == [(url, 302)] and "该表单已提交过，未重复创建" in again.content.decode()
    assert "不得重复申请" not in again.content.decode()
