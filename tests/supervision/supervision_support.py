"""A small district for the supervision tests: the office, three departments, leaders with portfolios."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from supervision.ledger import services
from supervision.models import Source, SupervisionItem
from tests.factories import PortfolioFactory, UnitFactory, UserFactory, appoint
from tiexi_gov.org.models import Post, Unit, User
from tiexi_gov.org.roles import Role

DAY = dt.date(2026, 9, 7)  # a Monday, an ordinary working day


@dataclass
class World:
    gov: Unit
    office: Unit
    fin: Unit
    dev: Unit
    other: Unit
    head_post: Post
    head: User
    dep_a_post: Post  # in charge of 财政局
    dep_a: User
    dep_b_post: Post  # in charge of 发改局
    dep_b: User
    director: User
    staff: User
    fin_head: User
    fin_clerk: User
    dev_clerk: User
    other_clerk: User
    outsider: User


def build_world() -> World:
    gov = UnitFactory(name="铁西区人民政府", code="gov", kind=Unit.Kind.GOVERNMENT)
    office = UnitFactory(name="铁西区人民政府办公室", short_name="区政府办", code="office", kind=Unit.Kind.OFFICE)
    fin = UnitFactory(name="铁西区财政局", short_name="财政局", code="fin", kind=Unit.Kind.DEPARTMENT)
    dev = UnitFactory(name="铁西区发展和改革局", short_name="发改局", code="dev", kind=Unit.Kind.DEPARTMENT)
    other = UnitFactory(name="铁西区审计局", short_name="审计局", code="audit", kind=Unit.Kind.DEPARTMENT)

    def person(username, unit, full_name, roles=()):
        return UserFactory(username=username, unit=unit, full_name=full_name, roles=list(roles))

    head_post, head = appoint(
        Post.Kind.HEAD, unit=gov, title="区长", person=person("head", gov, "王区长", [Role.DISTRICT_HEAD])
    )
    dep_a_post, dep_a = appoint(
        Post.Kind.DEPUTY, unit=gov, title="副区长（财政）", person=person("depa", gov, "李副区长", [Role.DEPUTY_HEAD])
    )
    dep_b_post, dep_b = appoint(
        Post.Kind.DEPUTY, unit=gov, title="副区长（发改）", person=person("depb", gov, "孙副区长", [Role.DEPUTY_HEAD])
    )
    PortfolioFactory(post=dep_a_post, unit=fin)
    PortfolioFactory(post=dep_b_post, unit=dev)
    _, director = appoint(
        Post.Kind.OFFICE_DIRECTOR,
        unit=office,
        title="办公室主任",
        person=person("director", office, "周主任", [Role.OFFICE_DIRECTOR]),
    )
    staff = person("staff", office, "郑督查", [Role.OFFICE_STAFF])
    _, fin_head = appoint(
        Post.Kind.UNIT_HEAD, unit=fin, title="财政局局长", person=person("finhead", fin, "钱局长", [Role.UNIT_HEAD])
    )
    fin_clerk = person("finclerk", fin, "财政文书", [Role.CLERK])
    dev_clerk = person("devclerk", dev, "发改文书", [Role.CLERK])
    other_clerk = person("auditclerk", other, "审计文书", [Role.CLERK])
    outsider = person("outsider", None, "无关人员")
    return World(
        gov=gov, office=office, fin=fin, dev=dev, other=other, head_post=head_post, head=head,
        dep_a_post=dep_a_post, dep_a=dep_a, dep_b_post=dep_b_post, dep_b=dep_b, director=director, staff=staff,
        fin_head=fin_head, fin_clerk=fin_clerk, dev_clerk=dev_clerk, other_clerk=other_clerk, outsider=outsider,
    )  # fmt: skip


def make_item(w: World, *, issue: bool = True, today: dt.date = DAY, **overrides) -> SupervisionItem:
    """An item led by 财政局, 发改局 cooperating, 李副区长 in charge, due in a month; overrides change any field."""
    fields = {
        "actor": w.staff,
        "source": Source.GOVERNMENT_DECISION,
        "source_ref": "",
        "task": "完成全区老旧小区改造资金拨付工作",
        "lead_unit": w.fin,
        "cooperating_units": [w.dev],
        "leader_post": w.dep_a_post,
        "due": today + dt.timedelta(days=30),
        "standard": "拨付率达到100%",
        "issue": issue,
        "today": today,
    }
    fields.update(overrides)
    return services.create_item(**fields)


# --- the queue (我的待办, issue 10) ------------------------------------------------------------------------------


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
    """For every item of the supervision area and every active user: an allowed step iff a task in their queue.
    Returns one line per disagreement (empty when the queue is complete)."""
    from tiexi_gov.workflow.models import Area
    from tiexi_gov.workflow.registry import flows

    people = [User.objects.get(pk=u.pk) for u in (users or User.objects.filter(is_active=True).order_by("pk"))]
    gaps = []
    for flow in flows():
        if flow.area != Area.SUPERVISION:
            continue
        for obj in flow.model.objects.all().order_by("pk"):
            for user in people:
                steps, tasks = allowed_steps(obj, user, day), queued_actions(obj, user, day)
                if bool(steps) != bool(tasks):
                    gaps.append(f"{flow.model.__name__} {obj.pk} [{obj.state}] {user.username}: {steps} vs {tasks}")
    return gaps


def queue_of(user, day: dt.date) -> set[tuple[str, int, str]]:
    """(model name, pk, action) of every supervision task in `user`'s 我的待办 on `day` (the page's own query)."""
    from tiexi_gov.workflow.models import Area
    from tiexi_gov.workflow.selectors import open_tasks_for

    user = User.objects.get(pk=user.pk)  # a fresh object: no cached roles or handlers from another day
    return {
        (t.subject_type.model, t.subject_id, t.action)
        for t in open_tasks_for(user, day).filter(area=Area.SUPERVISION).select_related("subject_type")
    }
