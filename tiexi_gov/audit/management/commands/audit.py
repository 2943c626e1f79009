"""`manage.py audit verify | purge --before DATE | grant_runtime --role NAME` (issue 12.3)."""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from tiexi_gov.audit import chain
from tiexi_gov.audit.purge import PurgeRefused, purge
from tiexi_gov.audit.roles_sql import RoleError, grant_runtime


class Command(BaseCommand):
    help = "审计记录：校验哈希链（verify）、清除保留期外的记录（purge）、为运行时数据库角色授权（grant_runtime）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="沿链校验全部审计记录，指出第一处断链；断链时退出码为 1")
        verify.add_argument("--chunk-size", type=int, default=2000)
        prune = sub.add_parser("purge", help="清除某日之前、已过保留期的记录（须以属主角色运行）")
        prune.add_argument("--before", required=True, help="YYYY-MM-DD：清除该日零时（北京时间）之前的记录")
        prune.add_argument("--dry-run", action="store_true")
        grant = sub.add_parser("grant_runtime", help="运行时角色：审计表仅 INSERT/SELECT（须以属主角色运行）")
        grant.add_argument("--role", required=True)

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    def _verify(self, *, chunk_size, **_):
        result = chain.verify(chunk_size=chunk_size)
        if not result.ok:
            raise CommandError(result.summary)
        self.stdout.write(result.summary)

    def _purge(self, *, before, dry_run, **_):
        try:
            day = datetime.strptime(before, "%Y-%m-%d").date()
        except ValueError as exc:
            raise CommandError("--before 须为 YYYY-MM-DD") from exc
        cutoff = timezone.make_aware(datetime.combine(day, time.min))
        try:
            result = purge(before=cutoff, dry_run=dry_run)
        except PurgeRefused as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:  # the runtime role may not switch the trigger off nor DELETE
            raise CommandError(f"清除须以审计表的属主角色运行（与 migrate 相同）：{exc}") from exc
        verb = "将清除" if dry_run else "已清除"
        self.stdout.write(f"{verb} {result.deleted} 条审计记录。")

    def _grant_runtime(self, *, role, **_):
        try:
            statements = grant_runtime(role)
        except RoleError as exc:
            raise CommandError(str(exc)) from exc
        for statement in statements:
            self.stdout.write(statement + ";")
        self.stdout.write(f"运行时角色 {role}：审计表仅可 INSERT/SELECT。")
