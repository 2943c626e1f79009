"""Who is who on a given day: holders, portfolios and acting arrangements (ORG-2, ORG-3, LEAVE-4).

The one question every workflow asks is "who handles unit U's matters on day D, and in what
capacity?" — `leader_for_unit(unit, day)` answers it; `who_handles(post, day)` answers it for a post.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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


def unit_head_post(unit: Unit) -> Post | None:
    return Post.objects.filter(unit=unit, kind=Post.Kind.UNIT_HEAD).first()


def posts_held_by(user: User, day: date) -> list[Post]:
    return list(
        Post.objects.filter(appointments__in=Appointment.objects.on(day).filter(person=user))
        .select_related("unit")
        .distinct()
    )


def posts_handled_by(user: User, day: date) -> list[Handler]:
    """Every post whose matters `user` handles on `day`: their own (unless someone acts for them) and
    those they act for. This is what the queue (我的待办) routes by (LEAVE-4)."""
    own = posts_held_by(user, day)
    handlers = [who_handles(post, day) for post in own]
    result = [h for h in handlers if h.person is not None and h.person.pk == user.pk]
    seen = {h.post.pk for h in result}
    for post in own:
        for arrangement in (
            ActingArrangement.objects.on(day)
            .filter(acting_post=post, cancelled=False)
            .select_related("absent_post", "absent_post__unit")
        ):
            absent = arrangement.absent_post
            if absent.pk in seen:
                continue
            handler = who_handles(absent, day)
            if handler.person is not None and handler.person.pk == user.pk:
                result.append(handler)
                seen.add(absent.pk)
    return result


def portfolio_units(post: Post, day: date) -> list[Unit]:
    return [p.unit for p in Portfolio.objects.on(day).filter(post=post).select_related("unit")]
