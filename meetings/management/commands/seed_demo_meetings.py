"""`python manage.py seed_demo_meetings`: the demo district's regular meetings of the year (idempotent)."""

from meetings.demo import build_demo_meetings
from tiexi_gov.org.demo_command import AreaSeedCommand


class Command(AreaSeedCommand):
    help = "为演示区生成本年度例会（党组会议、常务会议、全体会议；可重复运行）。须先运行 seed_demo。"

    def build(self):
        return build_demo_meetings()

    def report(self, summary) -> None:
        nxt = summary["next"]
        self.stdout.write(
            f"演示会议：新排定 {summary['created']} 次（{'、'.join(map(str, summary['years']))}年例会）。"
            + (f"下一次：{nxt.title}（{nxt.date}）。" if nxt else "")
        )
