"""SUP-2: a filed half-year report's file opens for the unit and the office, and for nobody else (404)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from supervision_support import DAY

from supervision.models import HalfYearReport
from supervision.reports import services as report_services

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def filed(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report_services.open_half_year_round(year=2026, half=1, today=DAY)
    report = HalfYearReport.objects.get(unit=world.fin, year=2026, half=1)
    report_services.file_half_year_report(
        actor=world.fin_clerk, report=report, summary="上半年工作总结", counterpart="四平市财政局",
        files=[SimpleUploadedFile("上半年报告.pdf", PDF)], today=DAY,
    )  # fmt: skip
    return report, report.files.get()


def test_sup_2_filed_half_year_report_file_opens_for_the_unit_and_the_office(client, world, filed):
    report, f = filed
    url = reverse("supervision:half_year_download", args=[report.pk, f.pk])
    for person in (world.fin_clerk, world.staff):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
    client.force_login(world.fin_clerk)
    page = client.get(reverse("supervision:half_year_file", args=[report.pk])).content.decode()
    assert url in page


def test_sup_2_half_year_report_file_is_404_for_another_unit_and_a_wrong_file(client, world, filed):
    report, f = filed
    client.force_login(world.dev_clerk)
    assert client.get(reverse("supervision:half_year_download", args=[report.pk, f.pk])).status_code == 404
    client.force_login(world.fin_clerk)
    assert client.get(reverse("supervision:half_year_download", args=[report.pk, f.pk + 999])).status_code == 404
