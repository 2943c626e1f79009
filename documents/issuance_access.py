"""Flow B's permissions now live in documents.permissions (one place per app, DESIGN). This module keeps the
names it had so that older imports keep working; new code imports documents.permissions."""

from __future__ import annotations

from .permissions import (  # noqa: F401
    HEAD_SIGNED_KINDS,
    JUSTICE_UNIT_CODE,
    SIGNER_KINDS,
    SIGNER_TEXT,
    SIGNING_VISIBLE_STATES,
    _carries_authority,
    _processing_visible,
    _reached_leader,
    can_advance,
    can_countersign,
    can_decide_one_off,
    can_issue,
    can_legality_review,
    can_office_check,
    can_record_filing,
    can_request_one_off,
    can_review,
    can_send_back,
    can_send_to_party,
    can_withdraw,
    countersigned_units,
    get_visible_outgoing,
    handled_post_ids,
    is_justice_staff,
    is_office_staff,
    justice_unit,
    pending_reviews_for,
    posts_handled_by,
    signer_post_kinds,
    signing_handler,
    visible_outgoing,
    visible_outgoing_q,
)
from .permissions import OUTGOING_READ_PERM as READ_PERM  # noqa: F401
from .permissions import can_edit_outgoing as can_edit  # noqa: F401
from .permissions import can_sign_outgoing as can_sign  # noqa: F401
from .permissions import can_view_outgoing as can_view  # noqa: F401
from .permissions import is_named_outgoing_reader as is_named_reader  # noqa: F401
