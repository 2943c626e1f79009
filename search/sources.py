"""What the search covers (issue 15.2) and who may see each hit. Each kind names its model, the text it
contributes (title, number, body, owning unit) and — the point of this module — the visibility of its rows, asked
of the owning app's own permission functions, so a hit never leads to a page that answers 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

ALL = "all"


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    model: str  # "app_label.ModelName"
    fields: tuple[str, ...]  # the columns the indexed text comes from (a save touching none of them is skipped)
    extract: Callable  # instance -> (title, number, body, unit_id)
    url_name: str
    visible: Callable  # user -> ALL | QuerySet of the model (its pks are the visible ones) | None


def _join(*parts) -> str:
    return "\n".join(str(p) for p in parts if p)


# --- documents: submissions (flow A) -----------------------------------------------------------------------------


def _submission(obj):
    slip_number = ""
    if obj.current_slip_id and "current_slip" in obj._state.fields_cache:
        slip_number = obj.current_slip.number
    elif obj.current_slip_id:
        from documents.submissions.models import ProcessingSlip

        slip_number = ProcessingSlip.objects.filter(pk=obj.current_slip_id).values_list("number", flat=True).first()
    number = " ".join(n for n in (slip_number, obj.unit_doc_number) if n)
    return obj.title, number, obj.body, obj.unit_id


def _submissions_visible(user):
    from documents.submissions.selectors import visible_submissions

    return visible_submissions(user)


# --- documents: outgoing (flow B) ------------------------------------------------------------------------------


def _outgoing(obj):
    return obj.title, obj.number, _join(obj.main_recipients, obj.body), obj.drafting_unit_id


def _outgoing_visible(user):
    from documents.outgoing.permissions import visible_outgoing

    return visible_outgoing(user)


# --- the public register (公开目录, PUB-2) ------------------------------------------------------------------------


def _register(obj):
    if obj.withdrawn:
        return None  # never listed again: its entry goes
    return (
        obj.title,
        obj.number,
        _join(obj.issuer_name, obj.text, obj.interpretation_title, obj.interpretation_text),
        None,
    )


def _register_visible(user):
    from documents.register.selectors import register_entries
    from tiexi_gov.org.roles import TECHNICAL_ROLES, has_role

    if has_role(user, *TECHNICAL_ROLES):
        return None  # the navbar offers administrators no business pages, the register included
    return register_entries(user)


# --- supervision: the ledger -----------------------------------------------------------------------------------


def _item(obj):
    return obj.task[:300], _join(obj.number, obj.source_ref), _join(obj.standard, obj.progress_text), obj.lead_unit_id


def _items_visible(user):
    from supervision.ledger.permissions import visible_items

    return visible_items(user)


# --- meetings: topics ------------------------------------------------------------------------------------------


def _topic(obj):
    return obj.title, "", _join(obj.summary, obj.agreement_text), obj.unit_id


def _topics_visible(user):
    """The topic page answers 404 unless the topic's meeting is visible (meetings.meeting.selectors.topic_page);
    can_view_topic's other grounds all imply that, so the meeting's visibility decides."""
    from meetings.meeting.models import Topic
    from meetings.meeting.permissions import visible_meetings

    meetings = visible_meetings(user)
    if not meetings.query.where:
        return Topic.objects.all()
    return Topic.objects.filter(Exists(meetings.order_by().filter(pk=OuterRef("meeting_id")).values("pk")))


# --- coordination: the register of bodies ----------------------------------------------------------------------


def _body(obj):
    return (
        obj.name,
        obj.founding_document,
        _join(obj.counterpart_name, obj.office_name, obj.functions),
        obj.host_unit_id,
    )


def _bodies_visible(user):
    from coordination.register.permissions import can_view_register

    return ALL if can_view_register(user) else None


SOURCES: tuple[Source, ...] = (
    Source(
        "submission",
        "来文",
        "documents.Submission",
        ("title", "body", "unit_doc_number", "current_slip", "unit"),
        _submission,
        "documents:detail",
        _submissions_visible,
    ),
    Source(
        "outgoing",
        "发文",
        "documents.OutgoingDocument",
        ("title", "number", "body", "main_recipients", "drafting_unit"),
        _outgoing,
        "documents:outgoing_detail",
        _outgoing_visible,
    ),
    Source(
        "item",
        "督查事项",
        "supervision.SupervisionItem",
        ("task", "number", "source_ref", "standard", "progress_text", "lead_unit"),
        _item,
        "supervision:item",
        _items_visible,
    ),
    Source(
        "topic",
        "会议议题",
        "meetings.Topic",
        ("title", "summary", "agreement_text", "unit"),
        _topic,
        "meetings:topic",
        _topics_visible,
    ),
    Source(
        "body",
        "议事协调机构",
        "coordination.Body",
        ("name", "founding_document", "counterpart_name", "office_name", "functions", "host_unit"),
        _body,
        "coordination:body",
        _bodies_visible,
    ),
    Source(
        "register",
        "公开目录",
        "documents.PublicRegisterEntry",
        ("title", "number", "issuer_name", "text", "interpretation_title", "interpretation_text", "withdrawn"),
        _register,
        "documents:register_entry",
        _register_visible,
    ),
)

BY_KIND = {s.kind: s for s in SOURCES}
KIND_CHOICES = [(s.kind, s.label) for s in SOURCES]


def url_of(kind: str, object_id: int) -> str:
    return reverse(BY_KIND[kind].url_name, args=[object_id])


def visibility_q(user, kinds=None) -> Q | None:
    """One Q on SearchEntry: the hits `user` may open, kind by kind; None when nothing at all. The subqueries are
    the apps' own visibility querysets, so this costs the queries they cost (constant), never one per hit."""
    q = None
    for source in SOURCES:
        if kinds and source.kind not in kinds:
            continue
        vis = source.visible(user)
        if vis is None:
            continue
        if isinstance(vis, QuerySet):
            if not vis.query.where:  # sees every row: no subquery
                part = Q(kind=source.kind)
            else:
                # Correlated, per matching entry (a primary-key probe): the GIN index narrows the entries first, so
                # the app's visibility is asked of those few rows, never computed over a whole table.
                part = Q(kind=source.kind) & Q(Exists(vis.order_by().filter(pk=OuterRef("object_id")).values("pk")))
        else:
            part = Q(kind=source.kind)
        q = part if q is None else q | part
    return q
