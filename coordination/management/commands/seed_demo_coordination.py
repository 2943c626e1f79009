"""`python manage.py seed_demo_coordination`: demo coordination bodies set up through CRD-1 (idempotent)."""

from coordination.demo import build_demo_coordination
from tiexi_gov.org.demo_command import AreaSeedCommand


class Command(AreaSeedCommand):
    help = "为演示区按申请—审核—审批程序设立几个议事协调机构（可重复运行）。须先运行 seed_demo。"

    def build(self):
        return build_demo_coordination()

    def report(self, summary) -> None:
        self.stdout.write(
            f"演示议事协调机构：新设立 {len(summary['created'])} 个，已存在 {len(summary['skipped'])} 个，"
            f"名册共 {summary['bodies']} 个。"
        )
        for what in summary.get("in_flight", []):
            self.stdout.write(f"办理中（见我的待办）：{what}")
