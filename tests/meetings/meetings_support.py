"""A small district for the meetings tests: the posts the meeting rules name (MTG-2..4, MTG-6, MTG-9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests.factories import PortfolioFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role

DAY = dt.date(2026, 9, 1)  # a Tuesday; the September executive meeting is on Wednesday 9 September


@dataclass
class World:
    gov: Unit
    office: Unit
    units: dict[str, Unit]  # by short name: 发改局 财政局 信访局 审计局 司法局 教育局 区纪委监委
    head_post: Post
    head: User
    exec_post: Post
    exec_deputy: User
    judicial_post: Post
    judicial_deputy: User
    edu_deputy_post: Post
    edu_deputy: User
    secretary_post: Post
    director_post: Post
    director: User
    office_deputy_post: Post
    office_deputy: User
    staff: User
    adviser: User
    unit_heads: dict[str, User] = field(default_factory=dict)
    unit_head_posts: dict[str, Post] = field(default_factory=dict)
    clerks: dict[str, User] = field(default_factory=dict)
    unit_deputies: dict[str, User] = field(default_factory=dict)
    outsider: User | None = None


def build_world() -> World:
    gov = UnitFactory(name="铁西区人民政府", short_name="区政府", code="gov", kind=Unit.Kind.GOVERNMENT)
    office = UnitFactory(name="铁西区人民政府办公室", short_name="区政府办", code="office", kind=Unit.Kind.OFFICE)
    specs = [
        ("fgj", "铁西区发展和改革局", "发改局", Unit.Kind.DEPARTMENT, True),
        ("czj", "铁西区财政局", "财政局", Unit.Kind.DEPARTMENT, True),
        ("xfj", "铁西区信访局", "信访局", Unit.Kind.DEPARTMENT, False),
        ("sjj", "铁西区审计局", "审计局", Unit.Kind.DEPARTMENT, False),
        ("sfj", "铁西区司法局", "司法局", Unit.Kind.DEPARTMENT, False),
        ("jyj", "铁西区教育局", "教育局", Unit.Kind.DEPARTMENT, False),
        ("jwjw", "中共铁西区纪律检查委员会", "区纪委监委", Unit.Kind.EXTERNAL, False),
    ]
    units = {
        short: UnitFactory(name=name, short_name=short, code=code, kind=kind, is_comprehensive=comp)
        for code, name, short, kind, comp in specs
    }

    def person(username, unit, full_name, roles=()):
        return UserFactory(username=username, unit=unit, full_name=full_name, roles=list(roles))

    head_post, head = appoint(
        Post.Kind.HEAD, unit=gov, title="区长", person=person("head", gov, "王区长", [Role.DISTRICT_HEAD])
    )
    exec_post, exec_deputy = appoint(
        Post.Kind.EXEC_DEPUTY, unit=gov, title="常务副区长", person=person("exec", gov, "李常务", [Role.DEPUTY_HEAD])
    )
    judicial_post, judicial_deputy = appoint(
        Post.Kind.DEPUTY,
        unit=gov,
        title="副区长（政法）",
        is_judicial=True,
        person=person("judicial", gov, "赵副区长", [Role.DEPUTY_HEAD]),
    )
    edu_post, edu_deputy = appoint(
        Post.Kind.DEPUTY, unit=gov, title="副区长（教育）", person=person("edu", gov, "张副区长", [Role.DEPUTY_HEAD])
    )
    secretary_post, _ = appoint(Post.Kind.PARTY_SECRETARY, unit=gov, title="区政府党组书记", person=head)
    director_post, director = appoint(
        Post.Kind.OFFICE_DIRECTOR,
        unit=office,
        title="办公室主任",
        person=person("director", office, "周主任", [Role.OFFICE_DIRECTOR]),
    )
    office_deputy_post, office_deputy = appoint(
        Post.Kind.OFFICE_DEPUTY_DIRECTOR,
        unit=office,
        title="办公室副主任",
        person=person("ddir", office, "吴副主任", [Role.OFFICE_STAFF]),
    )
    staff = person("staff", office, "郑会务", [Role.OFFICE_STAFF])
    _, adviser = appoint(Post.Kind.LEGAL_ADVISER, unit=gov, title="法律顾问", person=person("adviser", gov, "许律师"))
    for short in ("发改局", "财政局", "审计局"):
        PortfolioFactory(post=exec_post, unit=units[short])
    for short in ("信访局", "司法局"):
        PortfolioFactory(post=judicial_post, unit=units[short])
    PortfolioFactory(post=edu_post, unit=units["教育局"])
    w = World(
        gov=gov,
        office=office,
        units=units,
        head_post=head_post,
        head=head,
        exec_post=exec_post,
        exec_deputy=exec_deputy,
        judicial_post=judicial_post,
        judicial_deputy=judicial_deputy,
        edu_deputy_post=edu_post,
        edu_deputy=edu_deputy,
        secretary_post=secretary_post,
        director_post=director_post,
        director=director,
        office_deputy_post=office_deputy_post,
        office_deputy=office_deputy,
        staff=staff,
        adviser=adviser,
    )
    for code, _name, short, kind, _c in specs:
        title = "书记" if kind == Unit.Kind.EXTERNAL else "局长"
        post, head_person = appoint(
            Post.Kind.UNIT_HEAD,
            unit=units[short],
            title=f"{short}{title}",
            person=person(f"{code}_head", units[short], f"{short}负责人", [Role.UNIT_HEAD]),
        )
        w.unit_head_posts[short] = post
        w.unit_heads[short] = head_person
        w.clerks[short] = person(f"{code}_clerk", units[short], f"{short}文书", [Role.CLERK])
        _, w.unit_deputies[short] = appoint(
            Post.Kind.UNIT_DEPUTY,
            unit=units[short],
            title=f"{short}副局长",
            person=person(f"{code}_dep", units[short], f"{short}副职", [Role.UNIT_HEAD]),
        )
    w.outsider = person("outsider", None, "无关人员")
    return w


def meeting_request(
    w: World, short: str = "财政局", day: dt.date = DAY, title: str = "关于提请区政府常务会议研究预算调整的请示"
):
    """A unit's formal request 提请会议研究, signed and filed with the office on `day` (MTG-5)."""
    from documents.models import Disclosure, DisclosureManner, SubmissionKind, Urgency
    from documents.submissions import services as docs
    from tiexi_gov.workdays import calendar as wd

    sub = docs.create_draft(
        actor=w.clerks[short],
        title=title,
        kind=SubmissionKind.REQUEST,
        body="请示正文。",
        urgency=Urgency.NORMAL,
        disclosure=Disclosure.FULL,
        disclosure_manner=DisclosureManner.ACTIVE,
        decision_needed_by=wd.add_workdays(day, 20),
        declares_one_matter=True,
        for_meeting=True,
        not_classified=True,
    )
    sub = docs.send_for_signature(actor=w.clerks[short], submission=sub, today=day)
    sub = docs.sign_submission(actor=w.unit_heads[short], submission=sub, issue_date=day, today=day)
    return docs.submit_to_office(actor=w.clerks[short], submission=sub, today=day)


# --- the queue's completeness for the meetings area (issue 10) ----------------------------------------------------


def allowed_steps(obj, user, day: dt.date) -> list[str]:
    """The non-optional transitions `user` may take on `obj` now: available (conditions met) and permitted."""
    from tiexi_gov.workflow.registry import flow_for

    flow = flow_for(obj)
    obj._day = day
    available = getattr(obj, f"get_available_{flow.state_field}_transitions")()
    return sorted(t.name for t in available if not flow.is_optional(t.name, t.source) and t.has_perm(obj, user))


def queued_actions(obj, user, day: dt.date) -> list[str]:
    """The actions of the open tasks of `obj` that reach `user` on `day` (我的待办)."""
    from tiexi_gov.workflow.models import Task
    from tiexi_gov.workflow.selectors import reaches

    return sorted(t.action for t in Task.objects.open().of(obj) if reaches(user, t, day))


def completeness_gaps(day: dt.date, users=None) -> list[str]:
    """For every item of the meetings area and every active user: an allowed step iff a task in their queue.
    Returns one line per disagreement (empty when the queue is complete)."""
    from meetings.tasks import resync_past
    from tiexi_gov.workflow.models import Area
    from tiexi_gov.workflow.registry import flows

    resync_past(day)  # the hourly job has run by `day`: a meeting whose day went by waits for its postponement
    people = [User.objects.get(pk=u.pk) for u in (users or User.objects.filter(is_active=True).order_by("pk"))]
    gaps = []
    for flow in flows():
        if flow.area != Area.MEETINGS:
            continue
        for obj in flow.model.objects.all().order_by("pk"):
            for user in people:
                steps, tasks = allowed_steps(obj, user, day), queued_actions(obj, user, day)
                if bool(steps) != bool(tasks):
                    gaps.append(f"{flow.model.__name__} {obj.pk} [{obj.state}] {user.username}: {steps} vs {tasks}")
    return gaps
