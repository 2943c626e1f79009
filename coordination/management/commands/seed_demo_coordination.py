"""`python manage.py seed_demo_coordination`: demo coordination bodies set up through CRD-1 (idempotent)."""

from coordination.demo import build_demo_coordination
from tiexi_gov.org.demo_command import AreaSeedCommand
from tiexi_gov.org.selectors import who_handles


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
        away = summary.get("away")
        if away is not None:
            acting = away.arrangement.acting_post if away.arrangement_id else None
            holder = who_handles(acting, away.start).person if acting else None
            self.stdout.write(
                f"领导外出：{away.post.title}{away.person.display_name}，{away.start}至{away.end}在{away.place}，"
                + (f"由{acting.title}{holder.display_name}代理（谁在外出）。" if holder else "（未安排代理）。")
            )
