"""The issued document as GB/T 9704-2012 layout and .docx."""

from __future__ import annotations

from documents.outgoing.models import Issuer, OutgoingAttachment, OutgoingDocument, OutgoingKind
from documents.outgoing.services import issuer_name, issuer_name_for_office
from documents.shared.choices import Disclosure, DisclosureManner
from tiexi_gov.gbt9704 import IssuedLayout, render_issued_document
from tiexi_gov.workflow.errors import ActionRefused

DISCLOSURE_NOTE = {
    (Disclosure.FULL, DisclosureManner.ACTIVE): "（此件公开发布）",
    (Disclosure.FULL, DisclosureManner.ON_REQUEST): "（此件依申请公开）",
    (Disclosure.PARTIAL, DisclosureManner.ACTIVE): "（此件删减后公开）",
    (Disclosure.PARTIAL, DisclosureManner.ON_REQUEST): "（此件删减后依申请公开）",
}


UPWARD_KINDS = (OutgoingKind.UPWARD, OutgoingKind.CONGRESS)


def issued_layout(doc: OutgoingDocument) -> dict:
    """The GB/T 9704-2012 elements of a signed document as the keyword arguments of
    tiexi_gov.gbt9704.IssuedLayout: masthead (发文机关标志), doc_number (发文字号), signer (签发人, upward
    documents only), title, main_recipients (主送机关), body (正文 paragraphs), attachments (附件说明), issuer_signature
    (发文机关署名), date (成文日期), note (附注), cc (抄送机关), printer and print_date (印发机关和印发日期)."""
    name = issuer_name(doc)
    attachments = tuple(
        a.title or a.original_name.rsplit(".", 1)[0]
        for a in doc.attachments.filter(purpose=OutgoingAttachment.Purpose.ATTACHMENT).order_by("id")
    )
    signer = doc.signed_by.display_name if doc.kind in UPWARD_KINDS and doc.signed_by_id else None
    default_printer = doc.drafting_unit.name if doc.issuer == Issuer.DEPARTMENT else issuer_name_for_office()
    return {
        "masthead": f"{name}文件",
        "doc_number": doc.number,
        "signer": signer,
        "title": doc.title,
        "main_recipients": doc.main_recipients,
        "body": tuple(p.strip() for p in doc.body.splitlines() if p.strip()),
        "attachments": attachments,
        "issuer_signature": name,
        "date": doc.signed_on,
        "note": DISCLOSURE_NOTE.get((doc.disclosure, doc.disclosure_manner)) or None,
        "cc": doc.copy_to or None,
        "printer": doc.printing_office or default_printer,
        "print_date": doc.issued_on or doc.signed_on,
    }


def issued_docx(doc: OutgoingDocument) -> bytes:
    """The signed document as a GB/T 9704-2012 .docx (red masthead and line, 版记)."""

    if not doc.number:
        raise ActionRefused("该发文尚未签发编号，不能生成正式文件。")
    return render_issued_document(IssuedLayout(**issued_layout(doc)))
