"""A small district for the documents tests: the office, two departments, leaders with portfolios."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from documents.models import Disclosure, DisclosureManner, Submission, SubmissionKind, SubmissionState, Urgency
from documents.submissions import services
from tests.factories import PortfolioFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar as wd
from tiexi_gov.workflow.errors import RuleViolation

DAY = dt.date(2026, 9, 7)  # a Monday, an ordinary working day


@dataclass
class World:
    office: Unit
    fin: Unit
    dev: Unit
    other: Unit
    head_post: Post
    head: User
    exec_post: Post
    exec_deputy: User
    dep_a_post: Post
    dep_a: User
    dep_b_post: Post
    dep_b: User
    director_post: Post
    director: User
    ddir_post: Post
    deputy_director: User
    staff: User
    staff2: User
    fin_head_post: Post
    fin_head: User
    fin_signing_deputy: User
    fin_plain_deputy: User
    fin_clerk: User
    fin_other: User
    dev_clerk: User
    dev_head: User
    outsider: User


def build_world() -> World:
    gov = UnitFactory(name="铁西区人民政府", code="gov", kind=Unit.Kind.GOVERNMENT)
    office = UnitFactory(name="铁西区人民政府办公室", short_name="区政府办", code="office", kind=Unit.Kind.OFFICE)
    fin = UnitFactory(name="铁西区财政局", short_name="财政局", code="fin")
    dev = UnitFactory(name="铁西区发展和改革局", short_name="发改局", code="dev")
    other = UnitFactory(name="铁西区审计局", short_name="审计局", code="audit")

    def person(username, unit, full_name, roles=()):
        return UserFactory(username=username, unit=unit, full_name=full_name, roles=list(roles))

    head_post, head = appoint(Post.Kind.HEAD, unit=gov, title="区长", person=person("head", gov, "王区长"))
    exec_post, exec_deputy = appoint(
        Post.Kind.EXEC_DEPUTY, unit=gov, title="常务副区长", person=person("exec", gov, "赵常务")
    )
    dep_a_post, dep_a = appoint(
        Post.Kind.DEPUTY, unit=gov, title="副区长（财政）", person=person("depa", gov, "李副区长", [Role.DEPUTY_HEAD])
    )
    dep_b_post, dep_b = appoint(
        Post.Kind.DEPUTY, unit=gov, title="副区长（发改）", person=person("depb", gov, "孙副区长", [Role.DEPUTY_HEAD])
    )
    PortfolioFactory(post=dep_a_post, unit=fin)
    PortfolioFactory(post=dep_b_post, unit=dev)
    director_post, director = appoint(
        Post.Kind.OFFICE_DIRECTOR,
        unit=office,
        title="办公室主任",
        person=person("director", office, "周主任", [Role.OFFICE_DIRECTOR]),
    )
    ddir_post, deputy_director = appoint(
        Post.Kind.OFFICE_DEPUTY_DIRECTOR, unit=office, title="办公室副主任", person=person("ddir", office, "吴副主任")
    )
    staff = person("staff", office, "郑文书", [Role.OFFICE_STAFF])
    staff2 = person("staff2", office, "冯文书", [Role.OFFICE_STAFF])
    fin_head_post, fin_head = appoint(
        Post.Kind.UNIT_HEAD, unit=fin, title="财政局局长", person=person("finhead", fin, "陈局长", [Role.UNIT_HEAD])
    )
    _p, fin_signing_deputy = appoint(
        Post.Kind.UNIT_DEPUTY,
        unit=fin,
        title="财政局副局长（授权签发）",
        may_sign=True,
        person=person("findep", fin, "褚副局长"),
    )
    _p, fin_plain_deputy = appoint(
        Post.Kind.UNIT_DEPUTY, unit=fin, title="财政局副局长", person=person("findep2", fin, "卫副局长")
    )
    fin_clerk = person("finclerk", fin, "蒋文书", [Role.CLERK])
    fin_other = person("finother", fin, "沈科员")
    dev_clerk = person("devclerk", dev, "韩文书", [Role.CLERK])
    _p, dev_head = appoint(
        Post.Kind.UNIT_HEAD, unit=dev, title="发改局局长", person=person("devhead", dev, "杨局长", [Role.UNIT_HEAD])
    )
    outsider = person("outsider", other, "朱科员", [Role.CLERK])
    return World(
        office=office, fin=fin, dev=dev, other=other, head_post=head_post, head=head, exec_post=exec_post,
        exec_deputy=exec_deputy, dep_a_post=dep_a_post, dep_a=dep_a, dep_b_post=dep_b_post, dep_b=dep_b,
        director_post=director_post, director=director, ddir_post=ddir_post, deputy_director=deputy_director,
        staff=staff, staff2=staff2, fin_head_post=fin_head_post, fin_head=fin_head,
        fin_signing_deputy=fin_signing_deputy, fin_plain_deputy=fin_plain_deputy, fin_clerk=fin_clerk,
        fin_other=fin_other, dev_clerk=dev_clerk, dev_head=dev_head, outsider=outsider,
    )  # fmt: skip


def valid_fields(day: dt.date = DAY, **overrides) -> dict:
    """A 请示 that meets every check at submission on `day`."""
    fields = {
        "kind": SubmissionKind.REQUEST,
        "body": "关于拨付专项资金的请示正文。",
        "urgency": Urgency.NORMAL,
        "disclosure": Disclosure.FULL,
        "disclosure_manner": DisclosureManner.ACTIVE,
        "decision_needed_by": wd.add_workdays(day, 20),
        "declares_one_matter": True,
        "not_classified": True,
    }
    fields.update(overrides)
    return fields


def draft(w: World, day: dt.date = DAY, title: str = "关于拨付专项资金的请示", **overrides) -> Submission:
    return services.create_draft(actor=w.fin_clerk, title=title, **valid_fields(day, **overrides))


def signed(w: World, day: dt.date = DAY, **overrides) -> Submission:
    sub = draft(w, day, **overrides)
    sub = services.send_for_signature(actor=w.fin_clerk, submission=sub, today=day)
    return services.sign_submission(actor=w.fin_head, submission=sub, issue_date=day, today=day)


def signed_as_imported(w: World, sub: Submission, day: dt.date = DAY) -> Submission:
    """A draft brought to 已签发 the way an import of old records would, past the checks before 送签 — to prove
    that 报送 still applies every rule to data that reached it another way."""
    Submission.objects.filter(pk=sub.pk).update(
        state=SubmissionState.SIGNED,
        signed_by=w.fin_head,
        signed_post=w.fin_head_post,
        signed_at=timezone.now(),
        issue_date=sub.issue_date or day,
    )
    return Submission.objects.get(pk=sub.pk)


def sign_or_refused(w: World, sub: Submission, day: dt.date = DAY):
    """Sign the draft if 送签 accepts it; otherwise return it signed as imported together with the refusal at 送签
    (every submission check runs before the unit head is asked to sign, issue 11)."""
    try:
        sent = services.send_for_signature(actor=w.fin_clerk, submission=Submission.objects.get(pk=sub.pk), today=day)
    except RuleViolation as refusal:
        assert Submission.objects.get(pk=sub.pk).state in (SubmissionState.DRAFTING, SubmissionState.CONSULTING)
        return signed_as_imported(w, sub, day), refusal
    return services.sign_submission(actor=w.fin_head, submission=sent, issue_date=day, today=day), None


def submitted(w: World, day: dt.date = DAY, **overrides) -> Submission:
    sub = signed(w, day, **overrides)
    return services.submit_to_office(actor=w.fin_clerk, submission=sub, today=day)


def registered(w: World, day: dt.date = DAY, **overrides) -> Submission:
    sub = submitted(w, day, **overrides)
    services.register(actor=w.staff, submission=sub, today=day)
    return Submission.objects.get(pk=sub.pk)


def awaiting_routing(w: World, day: dt.date = DAY, **overrides) -> Submission:
    sub = registered(w, day, **overrides)
    services.office_review_opinion(actor=w.deputy_director, submission=sub, opinion="拟呈分管领导阅示。", today=day)
    sub.refresh_from_db()
    services.office_review_opinion(actor=w.director, submission=sub, opinion="同意呈批。", today=day)
    sub.refresh_from_db()
    return sub


def in_leader_review(w: World, day: dt.date = DAY, **overrides) -> Submission:
    sub = awaiting_routing(w, day, **overrides)
    services.route_to_leader(actor=w.staff, submission=sub, today=day)
    sub.refresh_from_db()
    return sub
