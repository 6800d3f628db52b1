"""Random and hostile values posted to the entry form, the review actions and the
filters: never a server error, a clear message, and nothing changed when refused."""

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.models import MonthlyReturn, ReturnValue

HOSTILE = [
    "<script>alert(1)</script>",
    "1e999",
    "NaN",
    "-Infinity",
    "-0",
    "9" * 60,
    "0x10",
    "１２",
    "1_000",
    " 12 ",
    "12,5",
    "1.2.3",
    "\x00",
    "'; DROP TABLE x; --",
    "%",
    "12%",
    "",
    " ",
    "-1",
    "3.14159",
    "1E+3",
    "١٢",
    "9" * 60 + ".5",
    "1e30",
    "1e-30",
    "0.000000000000000000000000000001",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def state(monthly_return):
    values = list(
        ReturnValue.objects.filter(monthly_return=monthly_return)
        .order_by("pk")
        .values_list("numerator", "denominator", "value", "commentary", "not_applicable_reason")
    )
    current = MonthlyReturn.objects.get(pk=monthly_return.pk)
    return values, current.status, current.version


@pytest.fixture
def feb_return(sample):
    return MonthlyReturn.objects.get(area__slug="first-response", month="2015-02-01")


@pytest.fixture
def manager(django_user_model, sample):
    return django_user_model.objects.get(username="manager")


@FUZZ
@given(
    typed=st.dictionaries(
        st.sampled_from(
            ["numerator", "denominator", "value", "commentary", "not_applicable_reason"]
        ),
        values,
        max_size=5,
    ),
    submit=st.booleans(),
    version=st.one_of(st.none(), values),
)
def test_the_entry_form_never_fails_and_refused_input_changes_nothing(
    client, manager, feb_return, typed, submit, version
):
    client.force_login(manager)
    measure_ids = list(feb_return.values.values_list("measure_id", flat=True))[:3]
    data = {"submit" if submit else "save": "1"}
    if version is not None:
        data["version"] = version
    else:
        data["version"] = MonthlyReturn.objects.get(pk=feb_return.pk).version
    for measure_id in measure_ids:
        for name, text in typed.items():
            data[f"m{measure_id}_{name}"] = text
    before = state(feb_return)
    response = client.post(f"/returns/{feb_return.pk}/", data)
    assert response.status_code in (302, 400, 409)
    if response.status_code != 302:
        assert "There is a problem" in response.content.decode()
        assert state(feb_return) == before


@FUZZ
@given(action=values, reason=values, version=values)
def test_the_review_actions_never_fail(client, sample, django_user_model, action, reason, version):
    officer = django_user_model.objects.get(username="officer")
    client.force_login(officer)
    monthly_return = MonthlyReturn.objects.get(area__slug="first-response", month="2015-02-01")
    before = state(monthly_return)
    response = client.post(
        f"/returns/{monthly_return.pk}/review/",
        {"action": action, "reason": reason, "version": version},
    )
    assert response.status_code in (400, 409)  # a draft cannot be reviewed, whatever is sent
    assert state(monthly_return) == before


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["year", "month", "area", "group", "rag", "headline", "sort", "export"]),
        values,
        max_size=8,
    )
)
def test_the_scorecard_filters_never_fail(client, sample, django_user_model, params):
    cache.clear()
    client.force_login(django_user_model.objects.get(username="director"))
    response = client.get("/scorecard/", params)
    assert response.status_code in (200, 404)


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000).map(lambda t: t.encode("utf-8")),
        st.sampled_from(
            [
                b"",
                b"\xff\xfe\x00",
                b"PK\x03\x04broken",
                b"Success Measure\tApr 2014\n% repeat referrals\tx",
            ]
        ),
    ),
    name=st.sampled_from(["scorecard.txt", "scorecard.csv", "scorecard.xlsx", "x.exe"]),
)
def test_the_import_never_fails_and_a_refused_file_writes_nothing(
    client, sample, django_user_model, content, name
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(django_user_model.objects.get(username="officer"))
    before = MonthlyReturn.objects.count(), ReturnValue.objects.count()
    response = client.post("/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code in (200, 400)
    assert (MonthlyReturn.objects.count(), ReturnValue.objects.count()) == before
    if response.status_code == 400:
        assert "There is a problem" in response.content.decode()
