"""`python manage.py seed_demo_meetings`: the demo district's regular meetings of the year (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from meetings.demo import build_demo_meetings
from tiexi_gov.org.models import User


class Command(BaseCommand):
    help = "为演示区生成本年度例会（党组会议、常务会议、全体会议；可重复运行）。须先运行 seed_demo。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭（生产环境）时仍然运行")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("当前为生产配置（DEBUG 关闭），拒绝写入演示数据；确需运行请加 --force。")
        if not User.objects.filter(username="bangongshi").exists():
            raise CommandError("未找到演示区账号，请先运行 python manage.py seed_demo。")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            summary = build_demo_meetings()
        nxt = summary["next"]
        self.stdout.write(
            f"演示会议：新排定 {summary['created']} 次（{'、'.join(map(str, summary['years']))}年例会）。"
            + (f"下一次：{nxt.title}（{nxt.date}）。" if nxt else "")
        )
