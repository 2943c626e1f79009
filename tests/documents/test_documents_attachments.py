"""Attachments: allowlisted types decided by content, size limit (X-2)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from documents_support import draft

from documents.models import Attachment
from documents.submissions import services
from tiexi_gov.uploads import detect_attachment
from tiexi_gov.workflow.errors import ActionRefused, NotAllowed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _zip(names) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n in names:
            zf.writestr(n, "<x/>")
    return buf.getvalue()


GOOD = {
    "a.pdf": b"%PDF-1.7\n",
    "a.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 8,
    "a.jpg": b"\xff\xd8\xff\xe0" + b"\0" * 8,
    "a.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 8,
    "a.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 8,
    "a.docx": _zip(["[Content_Types].xml", "word/document.xml"]),
    "a.xlsx": _zip(["[Content_Types].xml", "xl/workbook.xml"]),
    "a.ofd": _zip(["OFD.xml", "Doc_0/Document.xml"]),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_allowlisted_types_pass_by_content(name):
    ext, ctype = detect_attachment(io.BytesIO(GOOD[name]), name)
    assert ext == name.rsplit(".", 1)[1] and ctype


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script>"),
        ("a.docx", _zip(["[Content_Types].xml", "xl/workbook.xml"])),  # a workbook named .docx
        ("a.exe", b"MZ\x90\x00"),
        ("a.html", b"<html>"),
        ("noext", b"%PDF-1.7"),
        ("a.png", b"%PDF-1.7"),
    ],
)
def test_content_must_match_an_allowed_type(name, data):
    with pytest.raises(ValidationError):
        detect_attachment(io.BytesIO(data), name)


def test_size_limit(settings):
    settings.DOCUMENT_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        detect_attachment(io.BytesIO(b"%PDF-" + b"0" * 2000), "big.pdf")
    assert "过大" in exc.value.messages[0]


def test_add_attachment_stores_checked_type(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sub = draft(world)
    att = services.add_attachment(
        actor=world.fin_clerk, submission=sub, file=SimpleUploadedFile("测算表.xlsx", GOOD["a.xlsx"])
    )
    assert att.content_type.endswith("spreadsheetml.sheet") and att.original_name == "测算表.xlsx"
    assert "测算表" not in att.file.name  # stored under a random name
    with pytest.raises(ActionRefused):
        services.add_attachment(actor=world.fin_clerk, submission=sub, file=SimpleUploadedFile("x.pdf", b"MZ"))
    with pytest.raises(NotAllowed):
        services.add_attachment(actor=world.dev_clerk, submission=sub, file=SimpleUploadedFile("x.pdf", b"%PDF-1"))
    assert Attachment.objects.count() == 1
