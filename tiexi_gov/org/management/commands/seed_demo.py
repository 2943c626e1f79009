"""`python manage.py seed_demo`: build the demo district (idempotent) and print one login per role;
`seed_demo --queues`: print the same logins with what waits in each one's 我的待办 now (writes nothing)."""

import os
import secrets
import string

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tiexi_gov.org.demo import DEMO_LOGINS, ROLE_LABELS, build_demo_district, login_queues
from tiexi_gov.org.models import Portfolio, Post, Unit, User

QUEUE_ROWS = 3  # rows of each login's 我的待办 shown under it


def random_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "Tx-" + "".join(secrets.choice(alphabet) for _ in range(12))


def _cell(text: str, width: int) -> str:
    """Pad to `width` display columns (a Chinese character takes two)."""
    shown = sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
    return text + " " * max(1, width - shown)


class Command(BaseCommand):
    help = "建立演示用的铁西区组织机构、领导分工和各角色账号（可重复运行，不会产生重复数据）。"

    def add_arguments(self, parser):
        parser.add_argument("--password", help="所有演示账号的密码；缺省取环境变量 DEMO_PASSWORD，否则随机生成")
        parser.add_argument("--force", action="store_true", help="DEBUG 关闭（生产环境）时仍然运行")
        parser.add_argument(
            "--queues",
            action="store_true",
            help="不写入数据，只列出各演示账号及其“我的待办”（与待办页面同一查询）",
        )

    def handle(self, *args, password=None, force=False, queues=False, **options):
        if queues:
            return self.queues()
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
        self.stdout.write(f"{_cell('用户名', 25)}{_cell('姓名', 10)}角色")
        seen = set()
        for key, username in logins.items():
            if username in seen:
                continue
            seen.add(username)
            self.stdout.write(f"{_cell(username, 25)}{_cell(names.get(username, ''), 10)}{ROLE_LABELS.get(key, key)}")
        self.stdout.write("")
        self.stdout.write("各单位另有：<代码>_juzhang / _zhuren / _xiangzhang（主要负责人）、<代码>_wenshu（文书）。")
        self.stdout.write(self.style.SUCCESS(f"以上账号的密码：{password}"))

    def queues(self):
        """The logins' table with each one's 我的待办: total and the first rows of each area, as the page lists them."""
        today = timezone.localdate()
        rows = login_queues(DEMO_LOGINS, today)
        if not rows:
            raise CommandError("未找到演示区账号，请先运行 python manage.py seed_demo。")
        self.stdout.write(f"演示账号及其“我的待办”（{today}，与 /todo/ 页面同一查询）：")
        self.stdout.write("")
        self.stdout.write(f"{_cell('用户名', 25)}{_cell('姓名', 10)}{_cell('角色', 34)}我的待办")
        for row in rows:
            total = f"{row['total']} 项" if row["total"] else "无"
            self.stdout.write(f"{_cell(row['username'], 25)}{_cell(row['name'], 10)}{_cell(row['role'], 34)}{total}")
            for section in row["sections"]:
                for item in section.rows[:QUEUE_ROWS]:
                    due = f"，{item.remaining}{'（暂定）' if item.provisional else ''}" if item.remaining else ""
                    acting = f"（{item.capacity}）" if item.capacity else ""
                    self.stdout.write(
                        f"      · [{section.label}] {item.action_label}{acting}：{item.subject_repr}{due}"
                    )
                if section.total > QUEUE_ROWS:
                    self.stdout.write(f"      · [{section.label}] 另有 {section.total - QUEUE_ROWS} 项")
        self.stdout.write("")
        self.stdout.write("其他账号（各单位负责人、文书等）的待办：python manage.py tasks summary。")
