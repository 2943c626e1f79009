"""Issue 14.3: bench_approvals removes what it made, including the messages its approvals sent to the database's own
office staff (people told of every approval). Left behind, they grew the demo office's inbox by one per approval and
every run, and bench_pages, run on the same database, then timed an inbox of thousands."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from documents.management.commands.bench_approvals import Command
from documents.submissions import services
from tiexi_gov.notify.models import Message
from tiexi_gov.org.models import Unit, User
from tiexi_gov.org.roles import Role

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench_approvals runs on PostgreSQL"),
]


def test_x_14_bench_approvals_cleanup_leaves_no_message_in_the_databases_own_inboxes():
    office = Unit.objects.create(name="区政府办公室", code="office", kind=Unit.Kind.OFFICE)
    staff = User.objects.create_user(username="bangongshi", unit=office, full_name="办公室文书")
    staff.groups.add(Group.objects.get_or_create(name=str(Role.OFFICE_STAFF))[0])
    own = Message.objects.create(recipient=staff, subject="别的事项", url="/documents/elsewhere/")
    cmd = Command()
    cmd.today, cmd.session_keys, cmd.bench_db = timezone.localdate(), [], False
    world = cmd.build_world(1)
    item = cmd.build_items(world, 1)[0]
    deputy = world["deputies"][0][1]
    services.leader_decide(actor=deputy, submission=item, decision="approve", opinion="同意")
    assert Message.objects.filter(recipient=staff).exclude(pk=own.pk).exists()  # the office is told
    cmd.cleanup()
    assert list(Message.objects.filter(recipient=staff)) == [own]
