"""`python manage.py seed_demo_documents`: demo submissions for the demo district (idempotent), so that every
role logs in to something to do. Run after seed_demo."""

from documents.demo import build_demo_documents
from documents.models import OutgoingState, SubmissionState
from tiexi_gov.org.demo_command import AreaSeedCommand


class Command(AreaSeedCommand):
    help = "为演示区生成各环节的演示公文（可重复运行，已有的不再生成）。须先运行 seed_demo。"

    def build(self):
        return build_demo_documents()

    def report(self, summary) -> None:
        out = self.stdout.write
        out(
            f"演示公文：新建 {len(summary['created'])} 件，已存在 {len(summary['skipped'])} 件"
            f"（业务日期 {summary['day']}）。"
        )
        states = "，".join(
            f"{SubmissionState(state).label} {count}"
            for state, count in sorted(summary["by_state"].items(), key=_order)
        )
        out(f"上报公文 {len(summary['submissions'])} 件：{states}。")
        if summary["outgoing"]:
            out(f"发文 1 件：{summary['outgoing'][1]}（{OutgoingState(summary['outgoing'][2]).label}）。")


def _order(pair):
    return list(SubmissionState.values).index(pair[0])
