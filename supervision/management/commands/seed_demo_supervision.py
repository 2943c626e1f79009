"""`python manage.py seed_demo_supervision`: the demo supervision ledger (idempotent). Run after seed_demo."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from supervision.demo import build_demo_supervision
from tiexi_gov.org.models import User


class Command(BaseCommand):
    help = "为演示区生成督查督办台账演示数据（可重复运行，已有的不再生成）。须先运行 seed_demo。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭（生产环境）时仍然运行")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("当前为生产配置（DEBUG 关闭），拒绝写入演示数据；确需运行请加 --force。")
        if not User.objects.filter(username="bangongshi").exists():
            raise CommandError("未找到演示区账号，请先运行 python manage.py seed_demo。")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            summary = build_demo_supervision()
        self.stdout.write(
            f"演示督查事项：新建 {len(summary['created'])} 件，已存在 {len(summary['skipped'])} 件，"
            f"台账共 {summary['items']} 件。"
        )
        self.stdout.write(
            "  办公室主任 bangongshi_zhuren 看督查看板 /supervision/dashboard/；"
            "各单位文书（如 zjj_wenshu）签收、报告进展。"
        )
