"""The shape every area's demo seed command shares: refuse in production, need the demo district, keep the mail
the services send in memory (the demo addresses are made up), then build and report."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from .models import User


class AreaSeedCommand(BaseCommand):
    """Subclasses set `help` and define `build()` (returns a summary) and `report(summary)`."""

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭（生产环境）时仍然运行")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("当前为生产配置（DEBUG 关闭），拒绝写入演示数据；确需运行请加 --force。")
        if not User.objects.filter(username="bangongshi").exists():
            raise CommandError("未找到演示区账号，请先运行 python manage.py seed_demo。")
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            summary = self.build()
        self.report(summary)

    def build(self):
        raise NotImplementedError

    def report(self, summary) -> None:
        raise NotImplementedError
