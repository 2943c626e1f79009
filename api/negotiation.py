"""Content negotiation of the API: an unknown `?format=` is refused as such (406), not as a missing item."""

from __future__ import annotations

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class FormatNotAcceptable(NotAcceptable):
    worded = True  # api.exceptions keeps this detail instead of its general 406 words


class ContentNegotiation(DefaultContentNegotiation):
    """DRF answers a `?format=` no renderer has with Http404, which the API's handler words as 没有找到该事项: a
    client asking /api/v1/outgoing/?format=csv read that the list did not exist."""

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            known = "、".join(sorted({renderer.format for renderer in renderers}))
            raise FormatNotAcceptable(f"不支持按 format={format[:20]} 返回，可用的格式：{known}。")
        return chosen
