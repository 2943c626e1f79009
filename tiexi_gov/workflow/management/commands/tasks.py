"""`manage.py tasks summary` — what waits in each login's 我的待办 (the queue's own query, so the printout and the
page agree); `manage.py tasks rebuild` — open and close every item's tasks from its state (after an upgrade, a
restore, or an org chart edited outside the portal)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tiexi_gov.org.models import User
from tiexi_gov.workflow import selectors
from tiexi_gov.workflow.registry import flows
from tiexi_gov.workflow.sync import rebuild


class Command(BaseCommand):
    help = "待办：summary 列出各账号我的待办；rebuild 按各事项当前状态重建待办。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["summary", "rebuild"])
        parser.add_argument("--users", nargs="*", default=None, help="只列出这些账号（默认：有待办的全部账号）")

    def handle(self, *args, action, users, **options):
        if action == "rebuild":
            return self.rebuild()
        return self.summary(users)

    def rebuild(self):
        today = timezone.localdate()
        total_opened = total_closed = 0
        for flow in flows():
            with transaction.atomic():
                opened, closed = rebuild(flow.model.objects.order_by("pk").iterator(), day=today)
            total_opened, total_closed = total_opened + opened, total_closed + closed
            self.stdout.write(f"{flow.model._meta.verbose_name}：新开待办 {opened} 项，关闭 {closed} 项")
        self.stdout.write(f"合计：新开 {total_opened} 项，关闭 {total_closed} 项。")

    def summary(self, usernames):
        today = timezone.localdate()
        people = User.objects.filter(is_active=True).order_by("username")
        if usernames:
            people = people.filter(username__in=usernames)
        self.stdout.write(f"登录后可见的待办（我的待办，{today}）：")
        shown = 0
        for user in people:
            sections = selectors.queue(user, today)
            if not sections:
                continue
            shown += 1
            total = sum(s.total for s in sections)
            self.stdout.write(f"  {user.username}（{user.display_name}）共 {total} 项")
            for section in sections:
                for row in section.rows[:5]:
                    due = f"，{row.remaining}{'（暂定）' if row.provisional else ''}" if row.remaining else ""
                    acting = f"（{row.capacity}）" if row.capacity else ""
                    self.stdout.write(f"      · [{section.label}] {row.action_label}{acting}：{row.subject_repr}{due}")
                if section.more:
                    self.stdout.write(f"      · [{section.label}] 另有 {section.more} 项")
        if not shown:
            self.stdout.write("  （暂无）")
