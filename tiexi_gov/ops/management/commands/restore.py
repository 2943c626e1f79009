"""manage.py restore ARCHIVE: checks the archive's SHA-256 and every file in it, then restores (issue 13.5)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tiexi_gov.ops.backup import BackupError, restore_archive, verify_archive


class Command(BaseCommand):
    help = (
        "从 manage.py backup 生成的归档恢复数据库与附件。先核对 SHA-256 校验和与清单，不符即拒绝，不作任何改动。"
        "默认目标为当前配置的数据库与 MEDIA_ROOT，且须为空；覆盖现有数据须加 --replace。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="备份文件（同目录须有同名 .sha256 文件）")
        parser.add_argument("--database-url", help="恢复到此数据库（默认 DATABASE_URL 所指的数据库）")
        parser.add_argument("--media-root", type=Path, help="恢复附件到此目录（默认 MEDIA_ROOT）")
        parser.add_argument("--replace", action="store_true", help="覆盖非空的目标数据库；原附件目录改名保留")
        parser.add_argument("--verify-only", action="store_true", help="只核对备份文件，不恢复")

    def handle(self, *args, **options):
        archive = options["archive"]
        try:
            if options["verify_only"]:
                manifest = verify_archive(archive)
                self.stdout.write(f"校验通过：{archive}（{manifest['created_at']}，{len(manifest['files'])} 个文件）")
                return
            result = restore_archive(
                archive,
                database_url=options["database_url"],
                media_root=options["media_root"],
                replace=options["replace"],
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"校验通过，已恢复数据库 {result.database}。")
        self.stdout.write(f"已恢复附件 {result.media_files} 个到 {result.media_root}。")
        if result.previous_media:
            self.stdout.write(f"原附件目录保留为 {result.previous_media}。")
        self.stdout.write("如数据库由 PostgreSQL 运行角色使用，请再以属主角色运行 migrate（或 audit grant_runtime）。")
