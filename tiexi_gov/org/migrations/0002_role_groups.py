"""Create the role groups (X-2). Permissions are granted by roles.ensure_roles() once every app is migrated."""

from django.db import migrations

ROLE_NAMES = [
    "文书",
    "单位负责人",
    "办公室工作人员",
    "办公室主任",
    "副区长",
    "区长",
    "日历管理员",
    "系统管理员",
    "安全管理员",
    "审计管理员",
]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
