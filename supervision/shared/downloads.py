"""Streaming a stored attachment after the caller's permission check; media is never served directly (X-2)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from tiexi_gov.uploads import CONTENT_TYPES


def file_response(f) -> FileResponse:
    """A `SupervisionFile` as a download with a content type from its extension (never sniffed); 404 when it is gone."""
    if f is None:
        raise Http404("没有找到该附件。")
    try:
        handle = f.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("附件文件已不存在。") from exc
    ext = f.name.rsplit(".", 1)[-1].lower() if "." in f.name else ""
    content_type = CONTENT_TYPES.get("jpg" if ext == "jpeg" else ext, "application/octet-stream")
    response = FileResponse(handle, as_attachment=True, filename=f.name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
