"""What happens on its own when a documents clock runs out (called by the deadline sweep)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from documents.shared.people import unit_people
from tiexi_gov.deadlines.handlers import Busy, Settled, register
from tiexi_gov.workflow.kernel import RowBusy, lock_row, step

from .models import ConsultationRequest, Submission


@register("DOC-7")
def countersign_silence_is_consent(deadline) -> Settled | None:
    """DOC-7: a unit that has not answered by the end of the limit has no differing opinion. Recorded
    once, dated the first day after the limit (the same date whenever the sweep catches up). Silence is not a
    failure under this rule, so the deadline is settled rather than escalated. Rows a person is acting on right
    now are skipped (skip_locked) and retried at the next sweep: the sweep never waits on a user's lock. The step
    is the kernel's, so the unit's reply task closes (and the drafter's opens) in the same transaction."""

    req = deadline.subject
    if not isinstance(req, ConsultationRequest):
        return None
    try:
        # Parent first, then the party's row — the same order as reply_to_consultation.
        with step(req.submission_id, model=Submission, actor=None, skip_locked=True) as s:
            req = lock_row(ConsultationRequest.objects.select_related("unit"), req.pk, skip_locked=True)
            if req is None:
                raise RowBusy
            if req.state != ConsultationRequest.State.OPEN:
                return Settled(f"已于期限内答复（{req.get_reply_display()}）")
            if deadline.due < req.effective_due:
                return Settled("已商定延期，按新时限计算")
            deemed_on = deadline.due + dt.timedelta(days=1)
            req.state = ConsultationRequest.State.DEEMED
            req.reply = ConsultationRequest.Reply.DEEMED_NO_OBJECTION
            req.reply_text = ConsultationRequest.DEEMED_TEXT
            req.deemed_on = deemed_on
            req.replied_at = timezone.now()
            req.save(update_fields=["state", "reply", "reply_text", "deemed_on", "replied_at"])
            note = f"{ConsultationRequest.DEEMED_TEXT}（{deemed_on}）"
            s.record(
                "consultation_deemed", "逾期视为无不同意见", opinion=f"{req.unit.display_name}：{note}", rule_id="DOC-7"
            )
            s.tell(unit_people(s.obj.unit), f"【逾期视为无不同意见】{req.unit.display_name}：{s.obj.title}", note)
    except RowBusy:
        raise Busy from None
    return Settled(note)
