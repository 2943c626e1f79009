"""A day something already happened (收到, 报送上级对口部门, 征求区委办公室意见) cannot be later than today: the date
picker stops at today (`max`, as drawn) and a later day is the form's own Chinese error, next to the field, instead
of a service refusal after the whole form was filled in."""

import datetime as dt

import pytest
from django.utils import timezone

from documents.outgoing.forms import PartyOpinionForm
from supervision.public.forms import InquiryForm
from supervision.reports.forms import HalfYearFileForm

pytestmark = pytest.mark.django_db

FORMS = [(InquiryForm, "received_on"), (HalfYearFileForm, "sent_on"), (PartyOpinionForm, "on_date")]


@pytest.mark.parametrize(("form_class", "name"), FORMS)
def test_pub_1_sup_2_doc_9_a_date_that_already_happened_stops_at_today(form_class, name):
    today = timezone.localdate()
    html = str(form_class()[name])
    assert f'max="{today.isoformat()}"' in html and 'type="date"' in html
    bound = form_class(data={name: (today + dt.timedelta(days=1)).isoformat()})
    assert not bound.is_valid()
    assert bound.errors[name] == [f"{form_class.base_fields[name].label}不能晚于今天。"]
    assert name not in form_class(data={name: today.isoformat()}).errors
