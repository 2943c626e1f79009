"""`python manage.py seed_demo_coordination`: demo coordination bodies set up through CRD-1 (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from coordination.demo import build_demo_coordination
from tiexi_gov.org.models import User


class Command(BaseCommand):
    help = "为演示区按申请—审核—审批程序设立几个议事协调机构（可重复运行）。须先运行 seed_demo。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭（生产环境）时仍然运行")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("当前为生产配置（DEBUG 关闭），拒绝写入演示数据；确需运行请加 --force。")
        if not User.objects.filter(username="bangongshi").exists():
            raise CommandError("未找到演示区账号，请先运行 python manage.py seed_demo。")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            summary = build_demo_coordination()
        self.stdout.write(
            f"演示议事协调机构：新设立 {len(summary['created'])} 个，已存在 {len(summary['skipped'])} 个，"
            f"名册共 {summary['bodies']} 个。"
        )
