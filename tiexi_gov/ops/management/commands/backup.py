"""manage.py backup: the database and every uploaded file in one archive, with its SHA-256 (issue 13.5)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tiexi_gov.ops.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库与全部附件（MEDIA_ROOT）为一个归档文件，并生成 SHA-256 校验和文件。"

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, help="归档存放目录（默认 BACKUP_DIR，即 var/backups）")
        parser.add_argument("--media-root", type=Path, help="附件目录（默认 MEDIA_ROOT）")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, **options):
        try:
            result = create_backup(options["output_dir"], using=options["database"], media_root=options["media_root"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"备份文件：{result.archive}")
        self.stdout.write(f"校验和：  {result.archive}.sha256  ({result.checksum})")
        self.stdout.write(
            f"数据库转储 {result.database_bytes} 字节；附件 {result.media_files} 个，共 {result.media_bytes} 字节。"
        )
