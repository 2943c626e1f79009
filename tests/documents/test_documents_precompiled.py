"""An approval's statements are compiled once per process (issue 14.3): a leader's 同意 and the click that lost the
race read the user's posts, the item, its pending step, its clocks and tasks, the people told and the navbar's badge
without building them through the ORM again — and nothing falls back to the ORM on the way."""

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import Instruction, Submission, SubmissionState
from documents.shared import people
from documents.submissions import selectors, services
from tests.documents.documents_support import in_leader_review
from tiexi_gov.deadlines import services as deadline_services
from tiexi_gov.org import backends
from tiexi_gov.org import selectors as org_selectors
from tiexi_gov.precompiled import Statement
from tiexi_gov.workflow import kernel, sync

pytestmark = pytest.mark.django_db


def _statements() -> dict[str, Statement]:
    found = {
        "user and roles": backends._USER_WITH_ROLES,
        "appointments": org_selectors._APPOINTMENTS_OF,
        "arrangements": org_selectors._ARRANGEMENTS_ON,
        "reached item": selectors._REACHED,
        "pending step": services._PENDING_STEP,
        "open tasks": sync._OPEN_TASKS,
        "people told": people._MEMBERSHIPS,
    }
    found.update({f"lock {key[0].__name__}": s for key, s in kernel._LOCKS.items()})
    found.update({f"person {model.__name__}": s for model, s in kernel._PEOPLE.items()})
    found.update({f"clocks {rule}": s for rule, s in deadline_services._RUNNING.items()})
    return found


def test_x_14_an_approval_and_the_click_that_lost_run_precompiled_statements(world, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sub = in_leader_review(world, timezone.localdate())
    payload = {"seen_state": SubmissionState.LEADER_REVIEW, "decide-decision": "approve", "decide-opinion": "同意"}
    url = reverse("documents:act", args=[sub.pk, "decide"])
    client.force_login(world.dep_a)
    assert client.post(url, payload).status_code == 302
    late = client.__class__()
    late.force_login(world.dep_a)
    refused = late.post(url, payload)
    assert refused.status_code == 409 and "已由" in refused.content.decode()
    assert Submission.objects.get(pk=sub.pk).state == SubmissionState.APPROVED
    assert Instruction.objects.filter(submission=sub, step=Instruction.Step.LEADER).count() == 1
    statements = _statements()
    assert {"lock Submission", "person User", "clocks DOC-13"} <= set(statements)
    for name, statement in statements.items():
        assert statement._shapes, f"{name}: not used by the approval"
        # An empty id list (a user who handles no post) is answered by the ORM without SQL: not a fall-back.
        fallen = [shape for shape, compiled in statement._shapes.items() if compiled is None and 0 not in shape]
        assert not fallen, f"{name}: shapes {fallen} run through the ORM"
