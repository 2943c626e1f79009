"""The agenda's 汇报人 and 时长 (DESIGN.md 会议通知/议程) on a topic filed under MTG-5 (第五十五条): typed on the topic
form, kept when the form is refused, shown on the meeting's agenda and the topic page, and filed the same way through
the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from meetings_support import meeting_request
from rest_framework.test import APIClient
from test_meetings_intake import _form_data, _near_meetings

from meetings.meeting import services as meeting_services
from meetings.models import Topic
from meetings.shared.errors import MeetingError

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def today():
    return timezone.localdate()


def test_mtg_5_a_topic_is_filed_with_its_reporter_and_time_and_the_agenda_shows_them(world, client, today):
    w = world
    _soon, later = _near_meetings(w, today)
    sub = meeting_request(w, day=today)
    client.force_login(w.clerks["财政局"])
    url = reverse("meetings:topic_new", args=[later.pk])
    form = client.get(url).content.decode()
    assert 'name="reporter"' in form and 'name="duration_minutes"' in form
    data = _form_data(sub, w.units["财政局"], reporter="  王明（局长）  ", duration_minutes="25")
    assert client.post(url, data).status_code == 302
    topic = Topic.objects.get()
    assert (topic.reporter, topic.duration_minutes) == ("王明（局长）", 25)

    client.force_login(w.staff)
    agenda = client.get(reverse("meetings:meeting", args=[later.pk])).content.decode()
    assert "汇报人：王明（局长）" in agenda and "25分钟" in agenda
    page = client.get(reverse("meetings:topic", args=[topic.pk])).content.decode()
    assert 'data-testid="topic-reporter">王明（局长）<' in page
    assert 'data-testid="topic-duration">25分钟<' in page


@pytest.mark.parametrize(
    ("typed", "error"),
    [("0", "汇报时长至少1分钟。"), ("241", "汇报时长不能超过240分钟。"), ("半小时", "汇报时长请填写分钟数（整数）。")],
)
def test_mtg_5_a_time_out_of_range_is_refused_and_what_was_typed_is_kept(world, client, today, typed, error):
    w = world
    _soon, later = _near_meetings(w, today)
    sub = meeting_request(w, day=today)
    client.force_login(w.clerks["财政局"])
    data = _form_data(sub, w.units["财政局"], reporter="王明", duration_minutes=typed)
    response = client.post(reverse("meetings:topic_new", args=[later.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400 and error in html
    assert 'value="王明"' in html and f'value="{typed}"' in html
    assert not Topic.objects.exists()


def test_mtg_5_the_service_refuses_a_time_the_form_would_refuse(world, today):
    w = world
    _soon, later = _near_meetings(w, today)
    with pytest.raises(MeetingError, match="汇报时长须在1至240分钟之间"):
        meeting_services.propose_topic(
            actor=w.clerks["财政局"],
            meeting=later,
            unit=w.units["财政局"],
            title="预算调整",
            submission=meeting_request(w, day=today),
            duration_minutes=0,
            today=today,
        )
    assert not Topic.objects.exists()


def test_mtg_5_the_api_files_and_reads_the_reporter_and_time(world, today):
    w = world
    _soon, later = _near_meetings(w, today)
    sub = meeting_request(w, day=today)
    clerk = APIClient()
    clerk.force_authenticate(w.clerks["财政局"])
    url = f"/api/v1/meetings/{later.pk}/topics/"
    data = {**_form_data(sub, w.units["财政局"]), "reporter": "王明", "duration_minutes": 300}
    refused = clerk.post(url, data, format="json")
    assert refused.status_code == 400 and "duration_minutes" in refused.json()["errors"]
    filed = clerk.post(url, {**data, "duration_minutes": 30}, format="json")
    assert filed.status_code == 201, filed.content
    topic = Topic.objects.get()
    assert (topic.reporter, topic.duration_minutes) == ("王明", 30)
    detail = clerk.get(f"/api/v1/topics/{topic.pk}/").json()
    assert (detail["reporter"], detail["duration_minutes"]) == ("王明", 30)


def _accepted(w, meeting, title, minutes, day):
    topic = meeting_services.propose_topic(
        actor=w.clerks["财政局"],
        meeting=meeting,
        unit=w.units["财政局"],
        title=title,
        submission=meeting_request(w, day=day, title=f"关于提请区政府会议研究{title}的请示"),
        duration_minutes=minutes,
        today=day,
    )
    meeting_services.record_proposer(actor=w.head, topic=topic, today=day)
    meeting_services.record_checklist(actor=w.staff, topic=topic, significance=True, substance=True, procedure=True)
    return meeting_services.decide_topic(actor=w.head, topic=topic, accept=True, today=day)


def test_mtg_5_the_agenda_adds_up_its_topics_time_and_counts_those_without(world, client, today):
    """The office plans the meeting's length from the agenda: the accepted topics' 时长 added up, and how many still
    have none. A topic not (yet) on the agenda does not count."""
    w = world
    _soon, later = _near_meetings(w, today)
    _accepted(w, later, "预算调整", 25, today)
    _accepted(w, later, "债务化解", 20, today)
    _accepted(w, later, "资产盘活", None, today)
    meeting_services.propose_topic(
        actor=w.clerks["财政局"],
        meeting=later,
        unit=w.units["财政局"],
        title="尚待审核",
        submission=meeting_request(w, day=today, title="关于提请区政府会议研究尚待审核事项的请示"),
        duration_minutes=90,
        today=today,
    )
    client.force_login(w.staff)
    page = client.get(reverse("meetings:meeting", args=[later.pk])).content.decode()
    assert 'data-testid="agenda-minutes">汇报时长合计约45分钟（另有1项未填时长）<' in page
