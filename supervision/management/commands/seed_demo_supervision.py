"""`python manage.py seed_demo_supervision`: the demo supervision ledger (idempotent). Run after seed_demo."""

from supervision.demo import build_demo_supervision
from tiexi_gov.org.demo_command import AreaSeedCommand


class Command(AreaSeedCommand):
    help = "为演示区生成督查督办台账演示数据（可重复运行，已有的不再生成）。须先运行 seed_demo。"

    def build(self):
        return build_demo_supervision()

    def report(self, summary) -> None:
        self.stdout.write(
            f"演示督查事项：新建 {len(summary['created'])} 件，已存在 {len(summary['skipped'])} 件，"
            f"台账共 {summary['items']} 件。"
        )
        self.stdout.write(
            "  办公室主任 bangongshi_zhuren 看督查看板 /supervision/dashboard/；"
            "各单位文书（如 zjj_wenshu）签收、报告进展。"
        )
