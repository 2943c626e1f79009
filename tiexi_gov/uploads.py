"""Attachment checks: an allowlist of types decided from the file's bytes, and a size limit (X-2).

The name's extension must agree with the content; a renamed executable or HTML page is refused.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from tiexi_gov.workflow.errors import ActionRefused

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
EXTENSION_ALIASES = {"jpeg": "jpg"}
ALLOWED_LABEL = "PDF、OFD、DOC、DOCX、XLS、XLSX、JPG、PNG"


def max_attachment_bytes() -> int:
    return int(getattr(settings, "DOCUMENT_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _zip_names(fileobj) -> set[str]:
    try:
        with zipfile.ZipFile(fileobj) as zf:
            return set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()


def sniff_type(fileobj) -> str | None:
    """The allowlisted type the bytes really are (pdf/ofd/docx/xlsx/ole2/jpg/png), or None."""
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(OLE2_MAGIC):
        return "ole2"  # .doc and .xls share the container; the extension decides which
    if head.startswith(ZIP_MAGIC):
        names = _zip_names(fileobj)
        fileobj.seek(0)
        if "OFD.xml" in names:
            return "ofd"
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
    return None


def detect_attachment(fileobj, name: str) -> tuple[str, str]:
    """Check one upload; return (extension, content type). Raises ValidationError in Chinese."""
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, 2)
        size = fileobj.tell()
        fileobj.seek(0)
    limit = max_attachment_bytes()
    if size > limit:
        raise ValidationError(f"附件过大：不能超过 {limit // (1024 * 1024)} MB。", code="too_large")
    if size == 0:
        raise ValidationError("附件是空文件。", code="empty")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    ext = EXTENSION_ALIASES.get(ext, ext)
    if ext not in CONTENT_TYPES:
        raise ValidationError(f"不支持的附件类型，只接受 {ALLOWED_LABEL}。", code="type")
    sniffed = sniff_type(fileobj)
    expected = "ole2" if ext in ("doc", "xls") else ext
    if sniffed != expected:
        raise ValidationError(f"附件内容与扩展名“.{ext}”不符，只接受真实的 {ALLOWED_LABEL} 文件。", code="content")
    return ext, CONTENT_TYPES[ext]


def validate_attachment_file(value) -> None:
    """Model/form field validator."""
    f = getattr(value, "file", value)
    detect_attachment(f, getattr(value, "name", "") or "")


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # the client's file name, for display only (files are stored under a random name)
    content_type: str
    size: int


def checked_upload(fileobj) -> CheckedUpload:
    """Check one upload for a service; a refusal is the user's message (ActionRefused), never a 500."""
    name = getattr(fileobj, "name", "") or "附件"
    try:
        _ext, content_type = detect_attachment(fileobj, name)
    except ValidationError as exc:
        raise ActionRefused(exc.messages[0]) from exc
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, 2)
        size = fileobj.tell()
        fileobj.seek(0)
    return CheckedUpload(name=name.rsplit("/", 1)[-1][:200], content_type=content_type, size=size)
