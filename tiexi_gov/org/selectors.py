"""Who is who on a given day: holders, portfolios and acting arrangements (ORG-2, ORG-3, LEAVE-4).

The one question every workflow asks is "who handles unit U's matters on day D, and in what
capacity?" — `leader_for_unit(unit, day)` answers it; `who_handles(post, day)` answers it for a post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tiexi_gov.precompiled import Statement

from .models import ActingArrangement, Appointment, Portfolio, Post, Unit, User

MAX_ACTING_CHAIN = 5  # an acting person may be away too; never loop on a bad arrangement


@dataclass(frozen=True)
class Handler:
    """The person who acts for `post` on a day. `acting_for` is set when they act in someone's stead."""

    post: Post  # the post whose matters these are
    person: User | None  # who really acts (None: post vacant and nobody designated)
    via_post: Post  # the post the person holds (== post unless acting)
    arrangement: ActingArrangement | None = None
    absent_person: User | None = None  # the holder being acted for, when acting

    @property
    def is_acting(self) -> bool:
        return self.arrangement is not None

    @property
    def capacity(self) -> str:
        """What the record shows: 本职, 代…, or 受…委托主持工作 (ORG-3)."""
        if self.arrangement is None:
            return "本职"
        if self.arrangement.kind == ActingArrangement.Kind.ENTRUSTED:
            return f"受{self.post.title}委托主持工作"
        return f"代{self.post.title}"

    @property
    def badge(self) -> str:
        """What a queue row says a step reaches the person as: 代副区长赵国庆, naming whose matters they are, since
        several deputies share one title; 受区长委托主持工作; empty for the person's own post."""
        if not self.is_acting:
            return ""
        if self.arrangement.kind == ActingArrangement.Kind.ENTRUSTED or self.absent_person is None:
            return self.capacity
        return f"代{self.post.title}{self.absent_person.display_name}"

    @property
    def shown(self) -> str:
        """How the person is named to others: 王五（副区长）; acting, 李四（代副区长赵国庆）, with the absent leader's
        name, since several deputies may share one title; entrusted to preside, 赵六（受区长委托主持工作）."""
        who = self.person.display_name if self.person else "（空缺）"
        return f"{who}（{self.badge if self.is_acting else self.post.title}）"


def post_with_holder(post: Post, handler: Handler | None) -> str:
    """A leader's post in a list to choose from, told apart from the posts of the same title (four deputies are all
    副区长): 副区长（赵国庆）; while its holder is away, 副区长（赵国庆，张海燕代）, since the acting person's own post
    is listed too; 副区长（空缺）."""
    return f"{post.title}（{holder_note(handler)}）"


def holder_note(handler: Handler | None) -> str:
    """Who a post's matters are with, as post_with_holder writes it in brackets: 赵国庆; 赵国庆，张海燕代; 空缺."""
    person = handler.person if handler is not None else None
    if person is None:
        return "空缺"
    if not handler.is_acting:
        return person.display_name
    if handler.absent_person is None:
        return f"{person.display_name}，{handler.capacity}"
    return f"{handler.absent_person.display_name}，{stands_in(handler)}"


def stands_in(handler: Handler) -> str:
    """The acting person and how he stands in for the absent holder: 张海燕代; 张海燕受委托主持工作."""
    how = "受委托主持工作" if handler.arrangement.kind == ActingArrangement.Kind.ENTRUSTED else "代"
    return f"{handler.person.display_name}{how}"


def holder_of(post: Post, day: date) -> User | None:
    appt = Appointment.objects.on(day).filter(post=post).select_related("person").first()
    return appt.person if appt else None


def active_arrangement(post: Post, day: date) -> ActingArrangement | None:
    return (
        ActingArrangement.objects.on(day)
        .filter(absent_post=post, cancelled=False)
        .select_related("acting_post", "acting_post__unit")
        .order_by("-start", "-id")
        .first()
    )


def who_handles(post: Post, day: date) -> Handler:
    """The holder of `post` on `day`, or — while they are away — whoever acts for them."""
    current, arrangement, seen = post, None, {post.pk}
    for _ in range(MAX_ACTING_CHAIN):
        step = active_arrangement(current, day)
        if step is None or step.acting_post_id in seen:
            break
        arrangement = arrangement or step
        current = step.acting_post
        seen.add(current.pk)
    return Handler(
        post=post,
        person=holder_of(current, day),
        via_post=current,
        arrangement=arrangement,
        absent_person=holder_of(post, day) if arrangement else None,
    )


def head_post() -> Post | None:
    return Post.objects.filter(kind=Post.Kind.HEAD).select_related("unit").first()


def exec_deputy_post() -> Post | None:
    return Post.objects.filter(kind=Post.Kind.EXEC_DEPUTY).select_related("unit").first()


def judicial_deputy_post() -> Post | None:
    return Post.objects.filter(is_judicial=True, kind__in=Post.LEADER_KINDS).select_related("unit").first()


def leader_post_for_unit(unit: Unit, day: date) -> Post | None:
    """The district leader post whose portfolio (分管) covers `unit` on `day`; the head when nobody's does."""
    portfolio = Portfolio.objects.on(day).filter(unit=unit).select_related("post", "post__unit").first()
    return portfolio.post if portfolio else head_post()


def leader_for_unit(unit: Unit, day: date) -> Handler | None:
    """Who handles `unit`'s matters on `day`, and in what capacity (own post / acting for whom)."""
    post = leader_post_for_unit(unit, day)
    return who_handles(post, day) if post else None


# The main head (主要负责人) of a unit by kind of unit: the office's is its director, the government's the head.
MAIN_HEAD_KINDS = (Post.Kind.UNIT_HEAD, Post.Kind.OFFICE_DIRECTOR, Post.Kind.HEAD)


def unit_head_post(unit: Unit) -> Post | None:
    """The unit's main head post (ORG-4): 单位主要负责人; for the office its director, for the government the head."""
    posts = {p.kind: p for p in Post.objects.filter(unit=unit, kind__in=MAIN_HEAD_KINDS).order_by("-order", "-id")}
    return next((posts[k] for k in MAIN_HEAD_KINDS if k in posts), None)


# Every request's permission checks start with these two statements (through handlers_on): compiled once.
_APPOINTMENTS_OF = Statement(
    lambda person_id, day: (
        Appointment.objects.on(day).filter(person_id=person_id).select_related("post__unit").order_by("post_id")
    )
)
_ARRANGEMENTS_ON = Statement(
    lambda day: (
        ActingArrangement.objects.on(day)
        .filter(cancelled=False)
        .select_related("absent_post", "absent_post__unit", "acting_post", "acting_post__unit")
        .order_by("-start", "-id")
    )
)


def posts_held_by(user: User, day: date) -> list[Post]:
    """The posts `user` holds on `day`, by post id. Read through the appointments (a join, no DISTINCT over a
    subquery): every request's permission checks start here, through handlers_on."""
    held: dict[int, Post] = {}
    for appointment in _APPOINTMENTS_OF(user.pk, day):
        held.setdefault(appointment.post_id, appointment.post)
    return list(held.values())


def posts_handled_by(user: User, day: date) -> list[Handler]:
    """Every post whose matters `user` handles on `day`: the posts P for which `who_handles(P, day)` is `user` —
    their own (unless someone acts for them) and those they act for, along acting chains. This is what the queue
    (我的待办) routes by (LEAVE-4). Three queries, whatever the number of posts and arrangements."""
    own = {p.pk: p for p in posts_held_by(user, day)}
    arrangements = _ARRANGEMENTS_ON(day)
    latest: dict[int, ActingArrangement] = {}
    known: dict[int, Post] = dict(own)
    for row in arrangements:  # the latest arrangement wins, as in active_arrangement()
        latest.setdefault(row.absent_post_id, row)
        known.setdefault(row.absent_post_id, row.absent_post)
        known.setdefault(row.acting_post_id, row.acting_post)

    def chain(post_id: int) -> tuple[int, ActingArrangement | None]:
        current, first, seen = post_id, None, {post_id}
        for _ in range(MAX_ACTING_CHAIN):
            step = latest.get(current)
            if step is None or step.acting_post_id in seen:
                break
            first = first or step
            current = step.acting_post_id
            seen.add(current)
        return current, first

    ends = {pid: chain(pid) for pid in {*own, *latest}}
    if not any(end in own for end, _ in ends.values()):
        return []
    holders: dict[int, User] = {}
    wanted = {pid for pid, (end, first) in ends.items() if end in own and first is not None}
    if wanted:
        for appt in (
            Appointment.objects.on(day)
            .filter(post_id__in=wanted)
            .select_related("person")
            .order_by("post_id", "-start", "-id")
        ):
            holders.setdefault(appt.post_id, appt.person)
    result = []
    for pid in [*own, *(p for p in latest if p not in own)]:
        end, first = ends[pid]
        if end not in own:
            continue
        result.append(
            Handler(
                post=known[pid],
                person=user,
                via_post=known[end],
                arrangement=first,
                absent_person=holders.get(pid) if first else None,
            )
        )
    return result


def carries_authority(handler: Handler) -> bool:
    """ORG-3: only the executive deputy entrusted to preside (受委托主持工作) stands in for the head's own authority
    (signing in the head's name). A "designated" arrangement for the head — invalid, but possible in data entered
    without the admin form's check — gives the head's queue, never the head's signature."""
    if not handler.is_acting or handler.post.kind != Post.Kind.HEAD:
        return True
    return (
        handler.arrangement.kind == ActingArrangement.Kind.ENTRUSTED and handler.via_post.kind == Post.Kind.EXEC_DEPUTY
    )


def portfolio_units(post: Post, day: date) -> list[Unit]:
    return [p.unit for p in Portfolio.objects.on(day).filter(post=post).select_related("unit")]


# ---------------------------------------------------------------------------------------------------------------
# Reads for the org pages: a constant number of queries however many posts are shown.


def handlers_for_posts(posts, day: date) -> dict[int, Handler]:
    """`who_handles` for many posts at once: {post id: Handler}, in a few queries instead of a few per post."""
    posts = list(posts)
    known: dict[int, Post] = {p.pk: p for p in posts}
    arrangements: dict[int, ActingArrangement] = {}
    pending = set(known)
    for _ in range(MAX_ACTING_CHAIN):
        if not pending:
            break
        rows = (
            ActingArrangement.objects.on(day)
            .filter(absent_post_id__in=pending, cancelled=False)
            .select_related("acting_post", "acting_post__unit")
            .order_by("absent_post_id", "-start", "-id")
        )
        pending = set()
        for row in rows:
            if row.absent_post_id in arrangements:
                continue  # the latest one wins, as in active_arrangement()
            arrangements[row.absent_post_id] = row
            if row.acting_post_id not in known:
                known[row.acting_post_id] = row.acting_post
                pending.add(row.acting_post_id)
    holders: dict[int, User] = {}
    for appt in (
        Appointment.objects.on(day).filter(post_id__in=known).select_related("person").order_by("post_id", "-start")
    ):
        holders.setdefault(appt.post_id, appt.person)
    result = {}
    for post in posts:
        current, first, seen = post, None, {post.pk}
        for _ in range(MAX_ACTING_CHAIN):
            step = arrangements.get(current.pk)
            if step is None or step.acting_post_id in seen:
                break
            first = first or step
            current = known[step.acting_post_id]
            seen.add(current.pk)
        result[post.pk] = Handler(
            post=post,
            person=holders.get(current.pk),
            via_post=current,
            arrangement=first,
            absent_person=holders.get(post.pk) if first else None,
        )
    return result


@dataclass(frozen=True)
class LeaderEntry:
    """One row of the division of work (领导分工): a leader post, who handles it today, the units it covers."""

    handler: Handler
    units: list[Unit]

    @property
    def post(self) -> Post:
        return self.handler.post


@dataclass(frozen=True)
class DivisionOfWork:
    day: date
    leaders: list[LeaderEntry]  # 区长, 常务副区长, 副区长 in order
    office: list[Handler]  # 办公室主任, 副主任
    unassigned: list[Unit]  # units nobody's portfolio covers: the head answers for them (leader_post_for_unit)


OFFICE_LEADER_KINDS = (Post.Kind.OFFICE_DIRECTOR, Post.Kind.OFFICE_DEPUTY_DIRECTOR)
# Units that are part of nobody's portfolio by nature: the government itself and bodies outside it.
NOT_IN_PORTFOLIO_KINDS = (Unit.Kind.GOVERNMENT, Unit.Kind.EXTERNAL)


def division_of_work(day: date) -> DivisionOfWork:
    """The leaders' division of work on `day`, with whoever acts for an absent leader (ORG-2, ORG-3)."""
    posts = list(
        Post.objects.filter(kind__in=(*Post.LEADER_KINDS, *OFFICE_LEADER_KINDS))
        .select_related("unit")
        .order_by("order", "id")
    )
    handlers = handlers_for_posts(posts, day)
    covered: dict[int, list[Unit]] = {}
    covered_ids = set()
    for portfolio in (
        Portfolio.objects.on(day).filter(unit__active=True).select_related("unit").order_by("unit__order", "unit__id")
    ):
        covered.setdefault(portfolio.post_id, []).append(portfolio.unit)
        covered_ids.add(portfolio.unit_id)
    kind_rank = {Post.Kind.HEAD: 0, Post.Kind.EXEC_DEPUTY: 1, Post.Kind.DEPUTY: 2}
    leaders = sorted((p for p in posts if p.is_leader), key=lambda p: (kind_rank[p.kind], p.order, p.pk))
    unassigned = list(
        Unit.objects.filter(active=True)
        .exclude(kind__in=NOT_IN_PORTFOLIO_KINDS)
        .exclude(pk__in=covered_ids)
        .order_by("order", "id")
    )
    return DivisionOfWork(
        day=day,
        leaders=[LeaderEntry(handler=handlers[p.pk], units=covered.get(p.pk, [])) for p in leaders],
        office=[
            handlers[p.pk]
            for p in sorted(
                (p for p in posts if p.kind in OFFICE_LEADER_KINDS),
                key=lambda p: (p.kind != Post.Kind.OFFICE_DIRECTOR, p.order, p.pk),
            )
        ],
        unassigned=unassigned,
    )


@dataclass(frozen=True)
class UnitOverview:
    unit: Unit
    day: date
    posts: list[Handler]  # every post of the unit with who handles it today, in order
    signing_deputies: list[Handler]  # 分管负责人 authorized to sign (ORG-4)
    other_deputies: list[Handler]  # 分管负责人 without that authority
    head: Handler | None  # the main head (主要负责人)
    leader: Handler | None  # the district leader in charge today (leader_for_unit)


def unit_overview(unit: Unit, day: date) -> UnitOverview:
    """What the unit page shows: posts and holders today, signing authority, the leader in charge (ORG-2..4)."""
    posts = list(Post.objects.filter(unit=unit).select_related("unit").order_by("order", "id"))
    handlers = handlers_for_posts(posts, day)
    ordered = [handlers[p.pk] for p in posts]
    deputies = [h for h in ordered if h.post.kind == Post.Kind.UNIT_DEPUTY]
    head = next((handlers[p.pk] for k in MAIN_HEAD_KINDS for p in posts if p.kind == k), None)
    leader = None if unit.kind in NOT_IN_PORTFOLIO_KINDS else leader_for_unit(unit, day)
    return UnitOverview(
        unit=unit,
        day=day,
        posts=ordered,
        signing_deputies=[h for h in deputies if h.post.may_sign],
        other_deputies=[h for h in deputies if not h.post.may_sign],
        head=head,
        leader=leader,
    )


def units_grouped_by_kind(units) -> list[tuple[str, list[Unit]]]:
    """[(kind label, units)] in the order of Unit.Kind, for directory listings."""
    groups: dict[str, list[Unit]] = {}
    for unit in units:
        groups.setdefault(unit.kind, []).append(unit)
    return [(label, groups[value]) for value, label in Unit.Kind.choices if value in groups]


def portfolio_unit_ids(posts, day: date) -> set[int]:
    """Units covered on `day` by the portfolios of `posts` (ids), for permission checks."""
    return set(Portfolio.objects.on(day).filter(post__in=posts).values_list("unit_id", flat=True))
