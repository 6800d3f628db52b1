from datetime import date

import pytest

from scorecard import audit
from tests import factories
from workforce.models import Staffing


@pytest.mark.django_db(transaction=True)  # each change commits, as each request does
def test_staffing_changes_appear_in_the_returns_timeline_with_old_and_new(area):
    monthly_return = factories.monthly_return(area, date(2015, 2, 1))
    staffing = Staffing.objects.create(monthly_return=monthly_return, fte_in_post=27)
    staffing.fte_in_post = 31
    staffing.save()
    changes = [
        (e.subject, c.field, str(c.old), str(c.new))
        for e in audit.timeline(monthly_return)
        for c in e.changes
    ]
    label = str(Staffing._meta.get_field("fte_in_post").verbose_name)
    assert ("Staffing", label, "None", "27.00") in changes
    assert ("Staffing", label, "27.00", "31.00") in changes


def test_a_huge_staffing_figure_is_refused_with_a_message_not_an_error():
    from workforce import validation

    # (1e30 is no longer read as a number at all: issue 12, point 5)
    entry = validation.StaffingEntry({"fte_in_post": "1" + "0" * 30, "days_lost": "9" * 40 + ".5"})
    findings = validation.parse(entry)
    assert {(f.field, f.code) for f in findings} == {
        ("fte_in_post", "too_many_digits"),
        ("days_lost", "too_many_digits"),
    }
    assert entry.parsed == {}


@pytest.mark.django_db(transaction=True)
def test_the_headcount_and_the_staffing_commentary_are_audited_like_the_figures(area):
    monthly_return = factories.monthly_return(area, date(2015, 2, 1))
    staffing = Staffing.objects.create(monthly_return=monthly_return, headcount_in_post=27)
    staffing.headcount_in_post = 31
    staffing.commentary = "A further 4 social workers to meet demand."
    staffing.save()
    changes = [
        (e.subject, c.field, str(c.old), str(c.new))
        for e in audit.timeline(monthly_return)
        for c in e.changes
    ]
    assert ("Staffing", "qualified social workers in post (headcount)", "27", "31") in changes
    assert (
        "Staffing",
        "staffing commentary",
        "",
        "A further 4 social workers to meet demand.",
    ) in changes
