"""`manage.py workdays add|between|before|import|status`: the working-day clock for the office and scripts.

Answers go to stdout alone (one value a line) so scripts can use them; a provisional answer (CAL-2) adds one
Chinese line on stderr and still exits 0; bad input exits 1 with one Chinese line on stderr.
"""

import datetime as dt
import re

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone

from tiexi_gov.workdays import calendar
from tiexi_gov.workdays.models import CalendarYear, WorkdayOverride
from tiexi_gov.workdays.services import CalendarImportError, import_overrides_csv, parse_date


def _date(text: str) -> dt.date:
    day = parse_date(text)
    if day is None:
        raise CommandError(f"日期无效：“{text}”，应为 YYYY-MM-DD 格式的有效日期")
    return day


def _count(text: str) -> int:
    if not re.fullmatch(r"\+?\d{1,7}", text.strip()):
        raise CommandError(f"工作日数无效：“{text}”，应为非负整数")
    return int(text.strip())


def _years(years) -> str:
    return "、".join(f"{y}年" for y in years)


class Command(BaseCommand):
    help = "工作日计算：add 日期 N / between 日期 日期 / before 日期 N / import 文件.csv / status"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{add,between,before,import,status}")
        p = sub.add_parser("add", help="日期之后第 N 个工作日（当日不计，“N个工作日内”不含起算当日）")
        p.add_argument("date")
        p.add_argument("n")
        p = sub.add_parser("between", help="两日期之间的工作日数（不含起日，含止日）")
        p.add_argument("start")
        p.add_argument("end")
        p = sub.add_parser("before", help="日期之前第 N 个工作日（“至少提前 N 个工作日”的最晚日期）")
        p.add_argument("date")
        p.add_argument("n")
        p = sub.add_parser("import", help="导入国务院办公厅节假日安排 CSV：日期,是否工作日,事由[,依据通知]")
        p.add_argument("file")
        p.add_argument("--source-notice", default="", help="依据通知文号，如：国办发明电〔2026〕X号")
        p.add_argument("--no-official", action="store_true", help="只导入调整，不把年度标记为正式日历")
        sub.add_parser("status", help="列出 chinesecalendar 覆盖、已录入调整和暂定的年度")

    def handle(self, *args, action, **options):
        try:
            return getattr(self, f"do_{action}")(**options)
        except OverflowError as exc:
            raise CommandError("结果超出可计算的日期范围") from exc

    # ------------------------------------------------------------------------------------------------ answers

    def _provisional_note(self, a: dt.date, b: dt.date) -> None:
        years = calendar.provisional_years(a, b)
        if years:
            self.stderr.write(f"注意：{_years(years)}尚无正式日历，按周一至周五暂定计算")

    def do_add(self, *, date, n, **_):
        day, count = _date(date), _count(n)
        result = calendar.add_workdays(day, count)
        self.stdout.write(result.isoformat())
        self._provisional_note(day, result)

    def do_between(self, *, start, end, **_):
        a, b = _date(start), _date(end)
        self.stdout.write(str(calendar.workdays_between(a, b)))
        self._provisional_note(a, b)

    def do_before(self, *, date, n, **_):
        day, count = _date(date), _count(n)
        result = calendar.subtract_workdays(day, count)
        self.stdout.write(result.isoformat())
        self._provisional_note(result, day)

    # ------------------------------------------------------------------------------------------------ office

    def do_import(self, *, file, source_notice, no_official, **_):
        try:
            result = import_overrides_csv(file=file, source_notice=source_notice, mark_years_official=not no_official)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{file}") from exc
        except (IsADirectoryError, PermissionError) as exc:
            raise CommandError(f"无法读取文件：{file}") from exc
        except CalendarImportError as exc:
            raise CommandError(f"导入失败，未写入任何数据。{exc}") from exc
        self.stdout.write(result.summary())

    def do_status(self, **_):
        today = timezone.localdate()
        covered = sorted(calendar.COVERED_YEARS)
        self.stdout.write(f"工作日历状态（今天 {today:%Y-%m-%d}）")
        if covered:
            self.stdout.write(f"chinesecalendar 覆盖：{covered[0]}–{covered[-1]}年（{len(covered)}个年度）")
        entered = list(CalendarYear.objects.order_by("year"))
        if entered:
            parts = [f"{e.year}年" + (f"（{e.source_notice}）" if e.source_notice else "") for e in entered]
            self.stdout.write("已录入正式日历：" + "、".join(parts))
        else:
            self.stdout.write("已录入正式日历：无")
        counts = (
            WorkdayOverride.objects.annotate(y=ExtractYear("date")).values("y").annotate(n=Count("id")).order_by("y")
        )
        if counts:
            self.stdout.write("调整记录：" + "；".join(f"{c['y']}年 {c['n']}条" for c in counts))
        else:
            self.stdout.write("调整记录：无")
        official = set(covered) | {e.year for e in entered}
        around = range(today.year - 1, today.year + 3)
        provisional = [y for y in around if y not in official]
        if provisional:
            self.stdout.write(
                f"暂定年度（{around[0]}–{around[-1]}年中无正式日历，按周一至周五计算）：{_years(provisional)}"
            )
        else:
            self.stdout.write(f"暂定年度：无（{around[0]}–{around[-1]}年均有正式日历）")
        if official:
            self.stdout.write(f"注：{max(official) + 1}年及以后、{min(official) - 1}年及以前的年度均无正式日历")
