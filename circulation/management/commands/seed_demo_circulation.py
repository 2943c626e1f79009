"""`python manage.py seed_demo_circulation`: one issued 发文 circulated to three leaders — read, annotated and still
unread (idempotent). Run after seed_demo."""

from circulation.demo import build_demo_circulation
from tiexi_gov.org.demo_command import AreaSeedCommand


class Command(AreaSeedCommand):
    help = "为演示区生成一份已印发并送区领导传阅的发文（已读、已阅并批注、未读各一）。可重复运行；须先运行 seed_demo。"

    def build(self):
        return build_demo_circulation()

    def report(self, summary) -> None:
        c = summary["circulation"]
        made = "、".join(summary["created"]) or "无（已存在）"
        self.stdout.write(f"演示传阅：新建 {made}（业务日期 {summary['day']}）。")
        states = "，".join(f"{name}{state}" for name, state in summary["receipts"])
        self.stdout.write(f"{c.title}：送{c.sent_on}传阅，{states}（送阅状态见 /circulation/{c.pk}/）。")
        for post, username in summary["unread"]:
            self.stdout.write(f"待阅（见我的待办）：{post} {username}")
