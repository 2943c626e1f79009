"""X-2 for flow B: who sees and who acts on an outgoing document, as a matrix of roles × states, and the SQL twin
(visible_outgoing) agreeing with can_view row for row. Everyone else gets nothing (the view answers 404)."""

import pytest
from documents_support import DAY

from documents.models import OutgoingDocument, OutgoingState
from documents.outgoing import permissions as access
from documents.outgoing import services as issuance
from documents.shared.normative import required_normative_steps
from tests.factories import justice_bureau, outgoing_draft

pytestmark = pytest.mark.django_db
OS = OutgoingState

STATES = ["drafting", "office_check", "deputy_review", "awaiting_signature", "signed", "issued"]
ROLES = ["fin_clerk", "fin_other", "dev_clerk", "staff", "dep_a", "dep_b", "head", "exec_deputy", "outsider"]


def fresh(doc) -> OutgoingDocument:
    doc = OutgoingDocument.objects.get(pk=doc.pk)
    doc._day = DAY
    return doc


def progress(w, target: str, **fields) -> OutgoingDocument:
    """A government-name draft by 财政局 with 发改局 countersigning, moved to `target`."""
    doc = outgoing_draft(w.fin_clerk, title=f"权限测试：{target}", countersign=[w.dev], **fields)
    steps = [
        ("office_check", lambda d: issuance.submit_outgoing(actor=w.fin_clerk, document=d, today=DAY)),
        (
            "deputy_review",
            lambda d: (
                issuance.countersign_outgoing(actor=w.dev_head, document=d, today=DAY),
                issuance.office_check_outgoing(actor=w.staff, document=fresh(d), opinion="核稿", today=DAY),
            ),
        ),
        (
            "awaiting_signature",
            lambda d: (
                issuance.review_outgoing(actor=w.dep_a, document=d, opinion="同意", today=DAY),
                issuance.review_outgoing(actor=w.dep_b, document=fresh(d), opinion="同意", today=DAY),
            ),
        ),
        ("signed", lambda d: issuance.sign_outgoing(actor=w.head, document=d, today=DAY)),
        ("issued", lambda d: issuance.issue_outgoing(actor=w.staff, document=d, today=DAY)),
    ]
    for state, step in steps:
        if fresh(doc).state == target:
            break
        step(fresh(doc))
        assert fresh(doc).state == state
    return fresh(doc)


# Who may see the document in each state (X-2).
VIEW = {
    "fin_clerk": set(STATES),
    "fin_other": set(STATES),  # drafting unit's staff
    "dev_clerk": set(STATES),  # a countersigning unit's staff
    "staff": set(STATES) - {"drafting"},  # the office sees what it processes
    "dep_a": {"deputy_review", "awaiting_signature", "signed", "issued"},
    "dep_b": {"deputy_review", "awaiting_signature", "signed", "issued"},
    "head": {"awaiting_signature", "signed", "issued"},
    "exec_deputy": set(),
    "outsider": set(),
}

# (check, state) → the roles allowed; every other role × state is denied.
ACTIONS = {
    "can_edit_outgoing": {"drafting": {"fin_clerk"}},  # the drafter and the unit's clerks, not every member
    "can_office_check": {"office_check": {"staff"}},
    "can_review": {"deputy_review": {"dep_a", "dep_b"}},
    "can_sign_outgoing": {"awaiting_signature": {"head"}},
    "can_send_back": {
        "office_check": {"staff"},
        "deputy_review": {"staff", "dep_a", "dep_b"},
        "awaiting_signature": {"staff", "head"},
    },
    "can_issue": {"signed": {"staff"}},
    "can_withdraw": {"signed": {"staff"}, "issued": {"staff"}},
    "can_countersign": {"drafting": {"dev_clerk"}, "office_check": {"dev_clerk"}},
}


@pytest.fixture
def docs(world):
    return {state: progress(world, state) for state in STATES}


def test_x_2_view_matrix_roles_by_states(world, docs):
    w = world
    for role in ROLES:
        user = getattr(w, role)
        visible = set(access.visible_outgoing(user, DAY).values_list("pk", flat=True))
        for state, doc in docs.items():
            expected = state in VIEW[role]
            assert access.can_view_outgoing(user, doc) is expected, (role, state)
            assert (doc.pk in visible) is expected, (role, state, "visible_outgoing")
            found = access.get_visible_outgoing(user, doc.pk, DAY)
            assert (found is not None) is expected, (role, state)


def test_x_2_action_matrix_roles_by_states(world, docs):
    w = world
    for check, allowed in ACTIONS.items():
        fn = getattr(access, check)
        for role in ROLES:
            user = getattr(w, role)
            for state, doc in docs.items():
                expected = role in allowed.get(state, set())
                assert bool(fn(user, doc)) is expected, (check, role, state)


def test_x_2_justice_bureau_sees_a_normative_draft_only_from_its_legality_review(world):
    w = world
    _unit, justice = justice_bureau()
    doc = outgoing_draft(w.fin_clerk, title="规范性文件", normative=True)
    assert not access.can_view_outgoing(justice, fresh(doc))
    for step in required_normative_steps(doc):
        issuance.record_checklist_step(actor=w.fin_clerk, document=doc, step=step, done=True, evidence="已履行")
    issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY)
    assert not access.can_view_outgoing(justice, fresh(doc))
    issuance.office_check_outgoing(actor=w.staff, document=fresh(doc), opinion="核稿", today=DAY)
    assert access.can_view_outgoing(justice, fresh(doc)) and access.can_legality_review(justice, fresh(doc))
    assert [d.pk for d in access.visible_outgoing(justice, DAY)] == [doc.pk]
    plain = progress(w, "office_check")
    assert not access.can_view_outgoing(justice, plain)


def test_x_2_confidential_draft_only_named_readers_in_the_units(world):
    w = world
    doc = outgoing_draft(
        w.fin_clerk,
        title="限定知悉范围的发文",
        countersign=[w.dev],
        confidential=True,
        disclosure="none",
        disclosure_manner="",
        disclosure_reason="限定知悉范围",
    )
    assert access.can_view_outgoing(w.fin_clerk, fresh(doc))  # the drafter is named on creation
    assert not access.can_view_outgoing(w.fin_other, fresh(doc))
    assert not access.can_view_outgoing(w.dev_clerk, fresh(doc))
    issuance.grant_outgoing_reader(actor=w.fin_clerk, document=doc, user=w.fin_other, today=DAY)
    assert access.can_view_outgoing(w.fin_other, fresh(doc))
    issuance.submit_outgoing(actor=w.fin_clerk, document=fresh(doc), today=DAY)
    assert access.can_view_outgoing(w.staff, fresh(doc))  # the office processes it
    for role in ("dev_clerk", "outsider", "head", "dep_b"):
        user = getattr(w, role)
        assert not access.can_view_outgoing(user, fresh(doc)), role
        assert not access.visible_outgoing(user, DAY).filter(pk=doc.pk).exists(), role
    assert access.visible_outgoing(w.fin_other, DAY).filter(pk=doc.pk).exists()


def test_x_2_a_global_permission_grants_nothing(world, docs):
    from django.contrib.auth.models import Permission

    w = world
    perm = Permission.objects.get(codename="read_outgoingdocument")
    w.outsider.user_permissions.add(perm)
    for doc in docs.values():
        assert not access.can_view_outgoing(w.outsider, doc)
    assert not access.visible_outgoing(w.outsider, DAY).exists()


def test_x_2_list_query_count_is_constant(world, django_assert_max_num_queries):
    w = world
    for i in range(6):
        outgoing_draft(w.fin_clerk, title=f"列表{i}")
    access.visible_outgoing(w.staff, DAY)  # warm the role cache
    with django_assert_max_num_queries(8):
        rows = [
            (d.title, d.drafting_unit.name, d.drafted_by.display_name)
            for d in access.visible_outgoing(w.fin_clerk, DAY)
        ]
    assert len(rows) == 6
