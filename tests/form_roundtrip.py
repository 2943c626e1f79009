"""Read a rendered form back as a browser would submit it untouched: every input with its shown value (checked
boxes only), each select's selected options, each textarea's text with its line breaks sent as CR LF (the HTML
standard's form encoding, whatever the page held). Used to post an edit page back unchanged."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, match: tuple[str, str] | None):
        super().__init__(convert_charrefs=True)
        self.match, self.inside = match, match is None
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.match is not None and a.get(self.match[0]) == self.match[1]:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name and "disabled" not in a:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            text = text[1:] if text.startswith("\n") else text
            text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
            self.data.setdefault(self._textarea, []).append(text)
            self._textarea = None
        elif tag == "form" and self.match is not None and self.inside:
            self.inside = False

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(html: str, match: tuple[str, str] | None = None) -> dict[str, list[str]]:
    """{field name: [values]} of the form whose attribute `match` = (name, value) — or of every field of the page —
    as the browser would post it untouched."""
    reader = _FormReader(match)
    reader.feed(html)
    return reader.data
