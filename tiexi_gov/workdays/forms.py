from django import forms

MAX_CSV_BYTES = 1024 * 1024  # a year's notice is a few dozen rows


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV 文件", help_text="列：日期,是否工作日,事由[,依据通知]；UTF-8 或 GBK 编码")
    source_notice = forms.CharField(
        label="依据通知", max_length=200, required=False, help_text="如：国办发明电〔2026〕X号（行内未填时使用）"
    )
    mark_official = forms.BooleanField(
        label="将文件涉及的年度标记为正式日历",
        required=False,
        initial=False,  # a correction file of a few rows must not make its year official unasked (CAL-2)
        help_text="仅当文件已包含该年度国务院办公厅通知的全部放假和调休安排时勾选；标记后该年度不再按暂定计算",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError("文件过大（最大 1 MB）")
        return upload
