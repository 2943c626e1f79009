"""Forms of the ledger page (督查督办台账): the filter bar and the Excel upload. They parse input only; the
selectors filter and the import module validates the sheet."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms

from .models import ItemState, Kind, Light, Source
from .selectors import DEFAULT_SORT, LedgerFilters

SORT_LABELS = {
    "due": "完成时限（由近及远）",
    "-due": "完成时限（由远及近）",
    "number": "督办编号（正序）",
    "-number": "督办编号（倒序）",
    "unit": "牵头单位",
    "percent": "完成进度（由低到高）",
    "-percent": "完成进度（由高到低）",
    "created": "最新登记",
}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _blank(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *list(choices)]


class LedgerFilterForm(forms.Form):
    """The ledger's GET filters. A bad value is dropped (and shown as a field error), never a 500: `filters()`
    keeps only what validated."""

    q = forms.CharField(
        label="搜索",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "督办编号、督办事项或来源依据"}),
    )
    unit = forms.TypedChoiceField(label="单位", required=False, coerce=int, empty_value=None)
    leader_post = forms.TypedChoiceField(label="责任领导", required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(label="事项来源", required=False, choices=_blank("全部来源", Source.choices))
    kind = forms.ChoiceField(label="督查方式", required=False, choices=_blank("全部方式", Kind.choices))
    state = forms.ChoiceField(label="状态", required=False, choices=_blank("全部状态", ItemState.choices))
    light = forms.ChoiceField(label="红黄绿灯", required=False, choices=_blank("全部红黄绿灯", Light.choices))
    due_from = forms.DateField(label="完成时限自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label="排序", required=False, choices=list(SORT_LABELS.items()))
    report_missing = forms.BooleanField(label="进展报告逾期", required=False)
    # The dashboard's per-unit figures link to the items a unit *leads*; kept as a hidden field and shown as a chip.
    lead_unit = forms.TypedChoiceField(
        label="仅牵头单位", required=False, coerce=int, empty_value=None, widget=forms.HiddenInput
    )

    def __init__(self, data=None, *, units=(), leaders=()):
        """`units` and `leaders` are the lists the page already shows (no query here): [(pk, label), …]."""
        super().__init__(data)
        self.fields["unit"].choices = _blank("全部单位", units)
        self.fields["leader_post"].choices = _blank("全部领导", leaders)
        self.fields["lead_unit"].choices = _blank("", units)
        for name, f in self.fields.items():
            if isinstance(f.widget, forms.HiddenInput):
                continue
            if isinstance(f.widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(f.widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            f.widget.attrs.update({"class": css, "aria-label": f.label})

    def clean(self):
        data = super().clean()
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and start > end:
            self.add_error("due_to", "结束日期不能早于开始日期。")
            data.pop("due_to", None)
        return data

    def filters(self) -> LedgerFilters:
        """The filters that validated; an invalid one is ignored."""
        if not self.is_bound:
            return LedgerFilters()
        self.is_valid()
        d = self.cleaned_data
        return LedgerFilters(
            unit=d.get("unit"),
            leader_post=d.get("leader_post"),
            source=d.get("source") or "",
            kind=d.get("kind") or "",
            state=d.get("state") or "",
            light=d.get("light") or "",
            q=(d.get("q") or "").strip(),
            due_from=d.get("due_from"),
            due_to=d.get("due_to"),
            sort=d.get("sort") or DEFAULT_SORT,
            lead_unit=d.get("lead_unit"),
            report_missing=bool(d.get("report_missing")),
        )


def filter_query(filters: LedgerFilters, **changes) -> str:
    """The GET query string of `filters` (with `changes`), for links that keep the current filter."""
    values = {
        "q": filters.q,
        "unit": filters.unit or "",
        "leader_post": filters.leader_post or "",
        "source": filters.source,
        "kind": filters.kind,
        "state": filters.state,
        "light": filters.light,
        "due_from": filters.due_from.isoformat() if filters.due_from else "",
        "due_to": filters.due_to.isoformat() if filters.due_to else "",
        "sort": filters.sort if filters.sort != DEFAULT_SORT else "",
        "lead_unit": filters.lead_unit or "",
        "report_missing": 1 if filters.report_missing else "",
    }
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v not in ("", None)})


class LedgerImportForm(forms.Form):
    file = forms.FileField(
        label="台账文件（.xlsx）",
        help_text="第一行（或标题行下）为表头：序号、事项来源、督办事项……",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("只接受 Excel .xlsx 文件。")
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 10 MB，请分批导入。")
        head = f.read(4)
        f.seek(0)
        if head != b"PK\x03\x04":
            raise forms.ValidationError("文件不是有效的 .xlsx 文件。")
        return f
