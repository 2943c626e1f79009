"""`python manage.py seed_demo`: build the demo district (idempotent) and print one login per role."""

import os
import secrets
import string

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tiexi_gov.org.demo import ROLE_LABELS, build_demo_district
from tiexi_gov.org.models import Portfolio, Post, Unit, User


def random_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "Tx-" + "".join(secrets.choice(alphabet) for _ in range(12))


class Command(BaseCommand):
    help = "建立演示用的铁西区组织机构、领导分工和各角色账号（可重复运行，不会产生重复数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="所有演示账号的密码；缺省取环境变量 DEMO_PASSWORD，否则随机生成")
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭（生产环境）时仍然运行")

    def handle(self, *args, password=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("当前为生产配置（DEBUG 关闭），拒绝写入演示数据；确需运行请加 --force。")
        password = password or os.environ.get("DEMO_PASSWORD") or random_password()
        logins = build_demo_district(password)
        names = dict(User.objects.filter(username__in=logins.values()).values_list("username", "full_name"))
        self.stdout.write(
            f"演示区已就绪：单位 {Unit.objects.count()} 个，职务 {Post.objects.count()} 个，"
            f"人员 {User.objects.count()} 人，分管 {Portfolio.objects.count()} 条。"
        )
        self.stdout.write("")
        self.stdout.write(f"{'用户名':<22}{'姓名':<8}角色")
        seen = set()
        for key, username in logins.items():
            if username in seen:
                continue
            seen.add(username)
            self.stdout.write(
                f"{username:<25}{names.get(username, ''):<{10 - len(names.get(username, ''))}}"
                f"{ROLE_LABELS.get(key, key)}"
            )
        self.stdout.write("")
        self.stdout.write("各单位另有：<代码>_juzhang / _zhuren / _xiangzhang（主要负责人）、<代码>_wenshu（文书）。")
        self.stdout.write(self.style.SUCCESS(f"以上账号的密码：{password}"))
