"""X-2: named readers of a confidential item, for both flows."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

from guardian.shortcuts import assign_perm, remove_perm

from documents.outgoing.models import OutgoingDocument, OutgoingDocumentUserObjectPermission
from documents.submissions.models import SubmissionUserObjectPermission
from tiexi_gov.org.models import User
from tiexi_gov.org.roles import is_technical_account
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed
from tiexi_gov.workflow.kernel import Step
from tiexi_gov.workflow.registry import Need
from tiexi_gov.workflow.selectors import reaches


def set_named_reader(
    s: Step, *, user, grant: bool, may_manage, is_named, perm: str, noun: str, action_prefix: str = ""
) -> None:
    """X-2, both flows: name (or take off) a reader of the step's confidential item. The drafter always stays: they
    keep the item going. `noun` is 公文 / 发文 for the messages. Leaving the step re-addresses the item's tasks."""
    obj, actor = s.obj, s.actor
    if not obj.confidential:
        raise ActionRefused(f"该{noun}未标记为限定知悉范围，无需指定阅读人。")
    if not may_manage(actor, obj):
        raise NotAllowed(f"您无权指定该{noun}的阅读人。")
    if grant:
        if user is None or not user.is_active:
            raise ActionRefused("请选择在职的阅读人。")
        if is_technical_account(user):  # 三员分立: an administrator's account does no office work and reads none
            raise ActionRefused(f"{user}是管理员账号，不办理业务，不能指定为阅读人。")
        if is_named(user, obj):  # a second tab, a double click: nothing changes, so nothing is recorded
            raise ActionRefused(f"{user}已是本件的指定阅读人。")
        assign_perm(f"documents.{perm}", user, obj)
        s.record(f"{action_prefix}grant_reader", "指定阅读人", opinion=str(user), rule_id="X-2")
        return
    if user.pk == obj.drafted_by_id:
        raise ActionRefused("拟稿人始终可以阅读本件，不能取消。")
    if not is_named(user, obj):
        raise ActionRefused(f"{user}不是本件的指定阅读人。")
    remove_perm(f"documents.{perm}", user, obj)
    s.record(f"{action_prefix}revoke_reader", "取消指定阅读人", opinion=str(user), rule_id="X-2")


def named_readers(obj) -> list:
    """X-2: the named readers of a confidential submission or outgoing document, by unit then name (one query)."""

    if isinstance(obj, OutgoingDocument):
        grants = OutgoingDocumentUserObjectPermission.objects.filter(
            content_object=obj, permission__codename="read_outgoingdocument"
        )
    else:
        grants = SubmissionUserObjectPermission.objects.filter(
            content_object=obj, permission__codename="read_submission"
        )
    return list(
        User.objects.filter(pk__in=grants.values("user_id")).select_related("unit").order_by("unit__code", "username")
    )


def narrowed_to_readers(needs: list[Need], readers, day, *, keep) -> list[Need]:
    """X-2 on a confidential item: only its named readers act, except in the steps whose permission names the
    people itself (`keep(need)`: the signers, the leaders it is routed to, the bodies that process it). Each other
    need becomes one need per named reader it would reach, addressed by name."""
    out: list[Need] = []
    for need in needs:
        if keep(need):
            out.append(need)
            continue
        probe = SimpleNamespace(
            owner_user_id=need.user_id,
            owner_post_id=need.post_id,
            owner_unit_id=need.unit_id,
            unit_scope=need.scope,
            owner_role=need.role,
            authority=need.authority,
        )
        out += [
            replace(need, post_id=None, unit_id=None, scope="", role="", user_id=r.pk)
            for r in readers
            if r.is_active and reaches(r, probe, day)
        ]
    return out
