"""Writes of the public register (PUB-2): publish and withdraw entries; other areas publish through here."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from documents.register.models import PublicRegisterEntry


def publish_to_register(
    *,
    subject,
    kind: str,
    title: str,
    number: str,
    issuer_name: str,
    published_on: dt.date,
    disclosure: str,
    text: str = "",
    interpretation_title: str = "",
    interpretation_text: str = "",
    url: str = "",
) -> PublicRegisterEntry:
    """PUB-2: list a published item in the public register. Call inside the transaction that publishes it
    (the meetings app calls this for published meeting decisions with kind=meeting_decision)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("publish_to_register must run inside the publishing transaction")
    ct = ContentType.objects.get_for_model(subject)
    entry, _created = PublicRegisterEntry.objects.update_or_create(
        source_type=ct,
        source_id=str(subject.pk),
        defaults={
            "kind": kind,
            "title": title[:200],
            "number": number,
            "issuer_name": issuer_name,
            "published_on": published_on,
            "disclosure": disclosure,
            "text": text,
            "interpretation_title": interpretation_title,
            "interpretation_text": interpretation_text,
            "url": url,
            "withdrawn": False,
            "withdrawn_on": None,
        },
    )
    return entry


def withdraw_from_register(*, subject, on: dt.date) -> int:
    """PUB-2: a withdrawn item is never listed again (the row is kept, marked withdrawn)."""
    ct = ContentType.objects.get_for_model(subject)
    return PublicRegisterEntry.objects.filter(source_type=ct, source_id=str(subject.pk), withdrawn=False).update(
        withdrawn=True, withdrawn_on=on
    )
