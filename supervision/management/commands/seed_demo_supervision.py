"""`python manage.py seed_demo_supervision`: the demo supervision ledger (idempotent). Run after seed_demo."""

from django.utils import timezone

from supervision.demo import build_demo_supervision
from tiexi_gov.org.demo_command import AreaSeedCommand
from tiexi_gov.org.models import User
from tiexi_gov.workflow.models import Area
from tiexi_gov.workflow.selectors import open_tasks_for


class Command(AreaSeedCommand):
    help = "为演示区生成督查督办台账演示数据（可重复运行，已有的不再生成）。须先运行 seed_demo。"

    def build(self):
        return build_demo_supervision()

    def report(self, summary) -> None:
        self.stdout.write(
            f"演示督查事项：新建 {len(summary['created'])} 件，已存在 {len(summary['skipped'])} 件，"
            f"台账共 {summary['items']} 件。"
        )
        # Name only logins whose 我的待办 really holds ledger work today (the queue's own query).
        today = timezone.localdate()
        clerks = User.objects.filter(username__endswith="_wenshu", is_active=True).order_by("unit__order", "pk")
        waiting = [u.username for u in clerks if open_tasks_for(u, today).filter(area=Area.SUPERVISION).exists()]
        line = "  办公室主任 bangongshi_zhuren 看督查看板 /supervision/dashboard/"
        if waiting:
            line += f"；牵头、协办单位文书（如 {'、'.join(waiting[:3])}）在我的待办中签收、报告进展"
        self.stdout.write(line + "。")
