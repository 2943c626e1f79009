"""Issue 15.2 — search in Chinese: one box in the navbar over documents (titles, numbers, text), ledger items,
meeting topics, coordination bodies and the public register; jieba words in a `simple` tsvector (PostgreSQL) or
icontains (SQLite); ranked, highlighted with escaping, and never showing what the user would get 404 for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.register.models import Body
from documents.models import Disclosure, DisclosureManner, SubmissionKind, Urgency
from documents.register.models import PublicRegisterEntry
from documents.register.services import publish_to_register, withdraw_from_register
from documents.submissions import services as docs
from documents.submissions.models import Submission
from meetings.meeting import services as meeting_services
from meetings.models import Meeting, MeetingKind
from meetings.schedule import services as schedule_services
from search import segment
from search.models import SearchEntry
from search.selectors import highlight, search_page
from supervision.ledger import services as ledger
from supervision.ledger.models import Source
from tests.factories import UserFactory
from tests.meetings.meetings_support import DAY, meeting_request
from tiexi_gov.http import CONTROL
from tiexi_gov.org.roles import Role
from tiexi_gov.workdays import calendar as wd

pytestmark = [pytest.mark.django_db]

TITLE = "关于申请老旧小区道路维修资金的请示"


def _draft(w, short="财政局", title=TITLE, **extra):
    fields = {
        "kind": SubmissionKind.REQUEST,
        "body": "为改善群众出行条件，拟对兴华街道三处老旧小区道路进行维修。",
        "urgency": Urgency.NORMAL,
        "disclosure": Disclosure.FULL,
        "disclosure_manner": DisclosureManner.ACTIVE,
        "decision_needed_by": wd.add_workdays(DAY, 20),
        "declares_one_matter": True,
        "not_classified": True,
        "unit_doc_number": "铁西财〔2026〕37号",
    }
    fields.update(extra)
    return docs.create_draft(actor=w.clerks[short], title=title, **fields)


def _hits(user, q, **kw):
    page = search_page(user, q, **kw)
    return [] if page is None else list(page.object_list)


def _urls(user, q):
    return {h.url for h in _hits(user, q)}


def _admin(w):
    return UserFactory(username="sysadmin", unit=w.office, full_name="系统管理员", roles=[Role.SYSTEM_ADMIN])


# --- finding things -----------------------------------------------------------------------------------------------


def test_issue15_2_finds_a_document_by_two_or_three_characters_of_its_title(world):
    w = world
    sub = _draft(w)
    url = reverse("documents:detail", args=[sub.pk])
    clerk = w.clerks["财政局"]
    assert url in _urls(clerk, "维修")  # a jieba word
    assert url in _urls(clerk, "修资金")  # three characters across jieba's word boundary
    assert url in _urls(clerk, "小区道路")
    assert url not in _urls(clerk, "拆迁补偿")


def test_issue15_2_finds_a_document_by_its_number_and_by_its_slip_number(world):
    w = world
    sub = meeting_request(w, "财政局", title="关于提请区政府常务会议研究预算调整的请示")
    slip = docs.register(actor=w.staff, submission=Submission.objects.get(pk=sub.pk), today=DAY)
    url = reverse("documents:detail", args=[sub.pk])
    assert slip.number
    assert url in _urls(w.staff, slip.number)  # the 收文编号 given at registration is found at once
    other = _draft(w, title="关于申请道路维修资金的请示", unit_doc_number="铁西财〔2026〕12号")
    other_url = reverse("documents:detail", args=[other.pk])
    assert other_url in _urls(w.clerks["财政局"], "铁西财〔2026〕12号")
    assert other_url in _urls(w.clerks["财政局"], "〔2026〕12")


def test_issue15_2_finds_ledger_items_topics_and_bodies(world):
    w = world
    item = ledger.create_item(
        actor=w.staff,
        source=Source.GOVERNMENT_DECISION,
        task="完成全区老旧小区改造资金拨付工作",
        lead_unit=w.units["财政局"],
        leader_post=w.exec_post,
        due=DAY + dt.timedelta(days=30),
        standard="拨付率达到百分之百",
        issue=True,
        today=DAY,
    )
    schedule_services.generate_year(actor=w.staff, year=2026)
    meeting = Meeting.objects.get(kind=MeetingKind.EXECUTIVE, year=2026, seq=9)
    topic = meeting_services.propose_topic(
        actor=w.clerks["财政局"],
        meeting=meeting,
        unit=w.units["财政局"],
        title="研究全区供暖补贴标准调整",
        submission=meeting_request(w, "财政局", day=DAY),
        today=DAY,
    )
    body = Body.objects.create(
        name="铁西区食品安全委员会", host_unit=w.units["发改局"], functions="统筹协调全区食品安全工作"
    )
    for user in (w.staff, w.director, w.head):
        assert reverse("supervision:item", args=[item.pk]) in _urls(user, "改造资金")
        assert reverse("meetings:topic", args=[topic.pk]) in _urls(user, "供暖补贴")
        assert reverse("coordination:body", args=[body.pk]) in _urls(user, "食品安全")
    # the lead unit's clerk finds its item and its topic; 教育局's clerk does not
    assert reverse("supervision:item", args=[item.pk]) in _urls(w.clerks["财政局"], "改造资金")
    assert reverse("meetings:topic", args=[topic.pk]) in _urls(w.clerks["财政局"], "供暖补贴")
    assert _hits(w.clerks["教育局"], "改造资金") == []
    assert _hits(w.clerks["教育局"], "供暖补贴") == []
    # bodies are a register every person of the government may open
    assert reverse("coordination:body", args=[body.pk]) in _urls(w.clerks["教育局"], "食品安全")


def test_issue15_2_finds_the_public_register_and_forgets_a_withdrawn_entry(world):
    w = world
    with transaction.atomic():
        entry = publish_to_register(
            subject=w.units["财政局"],
            kind=PublicRegisterEntry.Kind.DOCUMENT,
            title="铁西区人民政府关于促进消费的若干措施",
            number="铁西政发〔2026〕5号",
            issuer_name="铁西区人民政府",
            published_on=DAY,
            disclosure=Disclosure.FULL,
            text="为促进全区消费持续恢复，制定以下措施。",
        )
    url = reverse("documents:register_entry", args=[entry.pk])
    assert url in _urls(w.clerks["教育局"], "促进消费")
    assert url in _urls(w.clerks["教育局"], "政发〔2026〕5")
    with transaction.atomic():
        withdraw_from_register(subject=w.units["财政局"], on=DAY)  # a queryset update: no save, no signal
    assert url not in _urls(w.clerks["教育局"], "促进消费")  # the register's own selector decides, live


# --- who may see what ---------------------------------------------------------------------------------------------


def test_issue15_2_a_unit_clerk_never_sees_another_units_document_nor_its_count(world, client):
    w = world
    sub = _draft(w)
    other_clerk = w.clerks["发改局"]
    assert _hits(other_clerk, "维修资金") == []
    assert search_page(other_clerk, "维修资金").paginator.count == 0
    client.force_login(other_clerk)
    response = client.get(reverse("search:results"), {"q": "维修资金"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "共找到 0 条" in html
    assert TITLE not in html and reverse("documents:detail", args=[sub.pk]) not in html
    # and the page it would lead to is indeed a 404 for them
    assert client.get(reverse("documents:detail", args=[sub.pk])).status_code == 404
    # the office sees it only once it is submitted (its own rule): a draft stays the unit's
    assert _hits(w.staff, "维修资金") == []


def test_issue15_2_every_hit_opens_for_the_user(world, client):
    """No hit leads to a 404: every URL the search gives each user answers 200 for that user."""
    w = world
    _draft(w)
    meeting_request(w, "财政局", day=DAY, title="关于老旧小区维修资金的请示")
    meeting_request(w, "发改局", day=DAY, title="关于维修资金统筹的请示")
    for user in (w.clerks["财政局"], w.clerks["发改局"], w.staff, w.outsider, w.edu_deputy):
        hits = _hits(user, "维修资金")
        client.force_login(user)
        for hit in hits:
            assert client.get(hit.url).status_code == 200, (user.username, hit.url)
    assert len(_hits(w.clerks["财政局"], "维修资金")) == 2
    assert len(_hits(w.clerks["发改局"], "维修资金")) == 1
    assert _hits(w.outsider, "维修资金") == []


def test_issue15_2_administrators_get_nothing_from_business_areas(world, client):
    w = world
    _draft(w)
    meeting_request(w, "财政局", day=DAY, title="关于老旧小区维修资金的请示")
    Body.objects.create(name="铁西区维修资金管理委员会", host_unit=w.units["发改局"])
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.CALENDAR_ADMIN):
        admin = UserFactory(username=f"admin-{role.name}", unit=w.office, roles=[role])
        assert _hits(admin, "维修资金") == [], role
        client.force_login(admin)
        page = client.get(reverse("search:results"), {"q": "维修资金"})
        assert page.status_code == 200 and "共找到 0 条" in page.content.decode()
        assert 'data-testid="nav-search"' not in page.content.decode()  # no box offered to them at all


def test_issue15_2_navbar_has_one_search_box(world, client):
    client.force_login(world.clerks["财政局"])
    html = client.get(reverse("workflow:queue")).content.decode()
    assert html.count('data-testid="nav-search"') == 1
    assert f'action="{reverse("search:results")}"' in html


# --- highlighting -------------------------------------------------------------------------------------------------


def test_issue15_2_highlighting_escapes_html(world, client):
    w = world
    _draft(w, title="关于<script>alert(1)</script>维修资金&的请示", body="<img src=x onerror=alert(2)>维修资金用途")
    client.force_login(w.clerks["财政局"])
    html = client.get(reverse("search:results"), {"q": "维修资金"}).content.decode()
    assert "<mark>维修资金</mark>" in html or "<mark>维修</mark>" in html
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x" in html
    assert str(highlight("<b>维修</b>", None)) == "&lt;b&gt;维修&lt;/b&gt;"
    marked = str(highlight("a<维修>b", segment_pattern("维修")))
    assert marked == "a&lt;<mark>维修</mark>&gt;b"


def segment_pattern(query):
    from search.selectors import _pattern

    return _pattern(segment.highlight_terms(query))


# --- the index lives in the row's transaction ---------------------------------------------------------------------


def test_issue15_2_a_rolled_back_save_leaves_no_entry(world):
    w = world
    with pytest.raises(RuntimeError), transaction.atomic():
        sub = _draft(w, title="关于回滚测试专项资金的请示")
        assert SearchEntry.objects.filter(kind="submission", object_id=sub.pk).exists()
        raise RuntimeError("rollback")
    assert not SearchEntry.objects.filter(title__contains="回滚测试").exists()
    assert _hits(w.clerks["财政局"], "回滚测试") == []


def test_issue15_2_an_edited_title_is_found_by_its_new_words_at_once(world):
    w = world
    sub = _draft(w)
    clerk = w.clerks["财政局"]
    docs.update_draft(actor=clerk, submission=sub, title="关于申请校园安全设施改造经费的请示", today=DAY)
    url = reverse("documents:detail", args=[sub.pk])
    assert url in _urls(clerk, "校园安全")
    assert url not in _urls(clerk, "维修资金")  # the old title's words, not in the text


def test_issue15_2_a_step_that_changes_no_text_does_not_rewrite_the_entry(world):
    w = world
    sub = _draft(w)
    before = SearchEntry.objects.get(kind="submission", object_id=sub.pk).updated_at
    with CaptureQueriesContext(connection) as ctx:
        docs.send_for_signature(actor=w.clerks["财政局"], submission=sub, today=DAY)
    assert not any("search_searchentry" in q["sql"] for q in ctx.captured_queries)
    assert SearchEntry.objects.get(kind="submission", object_id=sub.pk).updated_at == before


def test_issue15_2_reindex_command_rebuilds_the_index(world):
    from django.core.management import call_command

    w = world
    sub = _draft(w)
    SearchEntry.objects.all().delete()
    assert _hits(w.clerks["财政局"], "维修资金") == []
    call_command("search", "reindex")
    assert reverse("documents:detail", args=[sub.pk]) in _urls(w.clerks["财政局"], "维修资金")


# --- backends, garbage and cost -----------------------------------------------------------------------------------


def test_issue15_2_sqlite_fallback_uses_icontains(world):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite fallback")
    w = world
    sub = _draft(w)
    entry = SearchEntry.objects.get(kind="submission", object_id=sub.pk)
    assert entry.vector is None
    url = reverse("documents:detail", args=[sub.pk])
    assert url in _urls(w.clerks["财政局"], "兴华街道")  # a substring of the text
    assert url in _urls(w.clerks["财政局"], "财〔2026〕37")
    assert url in _urls(w.clerks["财政局"], "维修 兴华")  # every term must match
    assert url not in _urls(w.clerks["财政局"], "维修 拆迁")


def test_issue15_2_postgres_ranks_title_matches_first(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search")
    w = world
    in_body = _draft(w, title="关于申请专项经费的请示", body="其中包括供暖管网维修费用。")
    in_title = _draft(w, title="关于供暖管网维修的请示", body="供暖管网维修，供暖管网老化。")
    hits = _hits(w.clerks["财政局"], "供暖管网")
    assert [h.url for h in hits][:2] == [
        reverse("documents:detail", args=[in_title.pk]),
        reverse("documents:detail", args=[in_body.pk]),
    ]
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_entry_vector_gin'")
        assert "gin" in cur.fetchone()[0].lower()


GARBAGE = [
    "x" * 5000,
    "维" * 3000,
    "\x01\x02\x1f维修",
    "！？。，、；：",
    "%",
    "%%_\\",
    "'",
    "''''",
    "a & b | !c",
    "<-> :* () !",
    "维修 & | ! <-> :*",
    "\u200b\u202e",
    "😀😀",
    "   ",
    "SELECT * FROM search_searchentry; --",
]


@pytest.mark.parametrize("q", GARBAGE)
def test_issue15_2_garbage_input_never_500s(world, client, q):
    w = world
    _draft(w)
    client.force_login(w.clerks["财政局"])
    response = client.get(reverse("search:results"), {"q": q, "page": "abc", "kind": "nope"})
    if CONTROL.search(q):  # control characters are refused everywhere, as NUL is: a Chinese 400
        assert response.status_code == 400 and "控制字符" in response.content.decode()
    else:
        assert response.status_code == 200
    assert segment.tsquery(segment.clean_query(q)) is not None


def test_issue15_2_nul_byte_is_a_chinese_400_not_a_500(world, client):
    client.force_login(world.clerks["财政局"])
    assert client.get(reverse("search:results"), {"q": "维修\x00"}).status_code == 400


def test_issue15_2_constant_number_of_queries_per_page(world, client):
    w = world
    clerk = w.clerks["财政局"]
    client.force_login(clerk)
    _draft(w, title="关于维修资金的请示一")

    def count():
        client.get(reverse("search:results"), {"q": "维修资金"})  # warm the session and the memo
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("search:results"), {"q": "维修资金"})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode().count('data-testid="search-hit"')

    few, shown_few = count()
    for i in range(25):
        _draft(w, title=f"关于维修资金的请示（{i}）")
    many, shown_many = count()
    assert (shown_few, shown_many) == (1, 20)
    assert many == few, (few, many)
    assert many <= 20


def test_issue15_2_a_page_past_the_end_shows_the_last_page(world, client):
    w = world
    for i in range(3):
        _draft(w, title=f"关于维修资金的请示（{i}）")
    client.force_login(w.clerks["财政局"])
    for page in ("7", "99999999999999999999", "-3", "0"):
        response = client.get(reverse("search:results"), {"q": "维修资金", "page": page})
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="search-hit"') == 3
