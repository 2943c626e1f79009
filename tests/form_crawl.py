"""Find the forms people use, as a browser sees them: walk the pages a login reaches (我的待办, the navbar and the
links on each page), and read every <form> — its method, where it goes, whether htmx sends it, and each control
with its type, shown value and choices. Used by the garbage crawl (tests/ops/test_bad_input.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from django.urls import Resolver404, resolve

SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/accounts/")
DOWNLOADS = (".docx", ".xlsx", ".ics", ".pdf")


@dataclass
class Control:
    name: str
    kind: str  # input type (text, hidden, date, number, checkbox, radio, file, submit …), "select", "textarea"
    value: str = ""
    checked: bool = False
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # a select's (value, selected)


@dataclass
class Form:
    method: str
    action: str
    htmx: bool
    controls: list[Control] = field(default_factory=list)

    def names(self) -> list[str]:
        return sorted({c.name for c in self.controls})


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Control | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text: list[str] = []
        self._textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            hx = a.get("hx-post") or a.get("hx-get")
            method = "post" if a.get("hx-post") else (a.get("method") or "get").lower()
            self._form = Form(method=method, action=a.get("action") or hx or "", htmx=bool(hx))
            self.forms.append(self._form)
        if self._form is None or "disabled" in a or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option, self._option_text = (a.get("value"), "selected" in a), []
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            self._form.controls.append(Control(name, kind, a.get("value", ""), checked="checked" in a))
        elif tag == "button" and (a.get("type") or "submit").lower() == "submit":
            self._form.controls.append(Control(name, "submit", a.get("value", "")))
        elif tag == "select":
            self._select = Control(name, "select", multiple="multiple" in a)
            self._form.controls.append(self._select)
        elif tag == "textarea":
            self._textarea = Control(name, "textarea")
            self._form.controls.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected = self._option
            self._select.options.append((value if value is not None else "".join(self._option_text).strip(), selected))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option_text.append(data)


def read(html: str) -> tuple[list[Form], list[str]]:
    """The page's forms and its portal links."""
    reader = _Reader()
    reader.feed(html)
    return reader.forms, reader.links


def view_of(url: str) -> tuple[str, str] | None:
    """(view name, the action/op in the URL) of a portal URL, or None for what is not a page of the portal."""
    path = urlsplit(url).path
    if path.startswith(SKIP_PREFIXES) or path.endswith(DOWNLOADS):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name, str(match.kwargs.get("action") or match.kwargs.get("op") or "")


def query_names(url: str) -> set[str]:
    return {k for k, _v in parse_qsl(urlsplit(url).query, keep_blank_values=True)}


def walk(client, start: list[str], *, max_pages: int = 40, visits: dict | None = None, shared: int = 3):
    """Yield (url, html) of the HTML pages reached from `start`: the start URLs (a person's 我的待办 items) first,
    then the links found, a page of a view nobody has read yet before one others have (breadth first otherwise); one
    URL of each view in this walk, `shared` reads of a view over the walks that share `visits` (0: only views nobody
    has read), and `max_pages` pages in all."""
    queue: list[str] = list(dict.fromkeys(start))
    seen: set[str] = set(queue)
    mine: set[tuple[str, str]] = set()
    visits = {} if visits is None else visits
    pages = 0
    while queue and pages < max_pages:
        fresh = next((i for i, u in enumerate(queue) if u in start or not visits.get(view_of(u))), 0)
        url = queue.pop(fresh)
        view = view_of(url)
        if view is None:
            continue
        if url not in start and (view in mine or visits.get(view, 0) >= max(shared, 1)):
            continue
        mine.add(view)
        visits[view] = visits.get(view, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = response.content.decode()
        yield url, html
        for link in read(html)[1]:
            link = link.split("#")[0]
            if link and link not in seen:
                seen.add(link)
                queue.append(link)
