"""`python manage.py seed_demo_meetings`: the demo district's regular meetings of the year and one executive meeting
already held, with its minutes signed and the work they started (idempotent)."""

from meetings.demo import build_demo_meetings
from tiexi_gov.org.demo_command import AreaSeedCommand


class Command(AreaSeedCommand):
    help = (
        "为演示区生成本年度例会，并办结一次已召开的常务会议（议题、材料、请假、签到、纪要签发；可重复运行）。"
        "须先运行 seed_demo。"
    )

    def build(self):
        return build_demo_meetings()

    def report(self, summary) -> None:
        nxt = summary["next"]
        self.stdout.write(
            f"演示会议：新排定 {summary['created']} 次（{'、'.join(map(str, summary['years']))}年例会）。"
            + (f"下一次：{nxt.title}（{nxt.date}）。" if nxt else "")
        )
        held = summary.get("held")
        if held is None:
            return
        minutes = summary["minutes"]
        self.stdout.write(
            f"已召开：{held.title}（{held.date}），议题 {summary['topics']} 个，"
            f"纪要{minutes.number}（{minutes.get_state_display()}）。"
        )
        for doc in summary["documents"]:
            self.stdout.write(
                f"  会议决定印发文件（7个工作日内印发，第五十五条）：{doc.title}（{doc.get_state_display()}）"
            )
        for item in summary["items"]:
            self.stdout.write(
                f"  列入督查台账：{item.number} {item.lead_unit.display_name}（{item.get_state_display()}）"
            )
