"""The navbar's links are reversed once per process (issue 14): base.html's seventeen `{% url %}` became
`{% nav_url %}`. The cached link is what `reverse` gives under the current script prefix and URLconf; a route that
does not exist is "" (the navbar leaves its link out); a swapped URLconf gets its own links."""

from django.template import Context, Template
from django.test import override_settings
from django.urls import get_script_prefix, reverse, set_script_prefix

from tiexi_gov.audit.templatetags.portal_tags import nav_url

urlpatterns = []  # this module is also a URLconf without the portal's routes

LINKS = Template("{% load portal_tags %}{% nav_url 'documents:index' %}|{% nav_url 'no:such' as x %}[{{ x }}]")


def test_x_14_nav_url_gives_what_reverse_gives_and_nothing_for_a_missing_route():
    assert nav_url("documents:index") == reverse("documents:index")
    assert nav_url("documents:index") == reverse("documents:index"), "the second, cached answer is the same"
    assert LINKS.render(Context()) == f"{reverse('documents:index')}|[]"


def test_x_14_nav_url_follows_the_script_prefix():
    saved = get_script_prefix()
    plain = nav_url("workflow:queue")
    try:
        set_script_prefix("/gov/")
        assert nav_url("workflow:queue") == "/gov" + plain == reverse("workflow:queue")
    finally:
        set_script_prefix(saved)
    assert nav_url("workflow:queue") == plain


def test_x_14_a_swapped_urlconf_gets_its_own_links():
    assert nav_url("documents:index")
    with override_settings(ROOT_URLCONF="tests.test_nav_url"):
        assert nav_url("documents:index") == "", "the portal's routes are not in this URLconf"
    assert nav_url("documents:index") == reverse("documents:index")
