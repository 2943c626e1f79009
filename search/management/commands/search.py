"""`manage.py search reindex [--kind …]`: (re)build the search index from the rows (issue 15.2) — after loaddata,
after a jieba upgrade, or by hand. Saves keep it current by themselves (search.signals), and `migrate` fills an
empty index over existing rows once (search.apps)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from search import services
from search.sources import KIND_CHOICES


class Command(BaseCommand):
    help = "全站搜索索引：reindex 重建（存量数据、演示数据）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("reindex", help="重建索引")
        rebuild.add_argument(
            "--kind", action="append", choices=[k for k, _ in KIND_CHOICES], help="只重建这一类（可重复）"
        )

    def handle(self, *args, **opts):
        counts = services.reindex(opts.get("kind"), stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"索引已重建：共 {sum(counts.values())} 条"))
