"""Numbers are read exactly as a person reads them, or refused: the one parser
behind the entry form, the staffing section and the importer's text cells."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard import numbers
from scorecard import validation as v
from scorecard.importing import layout
from scorecard.models import MonthlyReturn, ReturnValue
from tests import factories
from workforce import validation as staffing_validation

FEB = date(2015, 2, 1)
MESSAGE = "Enter the numerator as a number, like 12"
PERCENT = v.MeasureRules(
    title="% seen",
    entry="ratio",
    unit="percent",
    decimal_places=1,
    polarity="higher",
    tolerance=Decimal(5),
    tolerance_kind="points",
    change_threshold_percent=Decimal(25),
)
VALUE_PERCENT = v.MeasureRules(
    title="% value",
    entry="value",
    unit="percent",
    decimal_places=1,
    polarity="higher",
    tolerance=Decimal(5),
    tolerance_kind="points",
    change_threshold_percent=Decimal(25),
)
VALUE_COUNT = v.MeasureRules(
    title="Caseload",
    entry="value",
    unit="count",
    decimal_places=1,
    polarity="none",
    tolerance=Decimal(5),
    tolerance_kind="points",
    change_threshold_percent=Decimal(25),
)

# Each defect named in issue 12, point 5.
DEFECTS = [
    "12,5",
    "1,2,3",
    "1234,567",
    "1e3",
    "1E3",
    "1_000",
    "٣",
    "١٢",
    "１２",
    "0e-1000000",
    "12,",
    ",123",
    "1,234,56",
    "1.2.3",
    "+5",
    "NaN",
    "Infinity",
    "0x10",
    "1 000",
    "12%",
]


@st.composite
def typed_numbers(draw):
    """(what a person types, what they mean), the meaning built from the digits."""
    whole = draw(st.integers(min_value=0, max_value=10**12))
    grouped = draw(st.booleans())
    whole_text = f"{whole:,}" if grouped else str(whole)
    fraction = draw(st.text(alphabet="0123456789", max_size=6))
    meant = Decimal(whole)
    text = whole_text
    if fraction:
        text += "." + fraction
        meant += Decimal(int(fraction)) / Decimal(10) ** len(fraction)
    space = st.sampled_from(["", " ", "  ", "\t"])
    return draw(space) + text + draw(space), meant


@st.composite
def misgrouped(draw):
    """Thousands separators with a group after the first that is not three digits."""
    groups = draw(st.lists(st.integers(min_value=1, max_value=6), min_size=2, max_size=5))
    bad = draw(st.integers(min_value=1, max_value=len(groups) - 1))
    if groups[bad] == 3:
        groups[bad] = draw(st.sampled_from([1, 2, 4, 5]))
    return ",".join("1" * size for size in groups)


@given(typed_numbers())
def test_a_plain_number_is_read_as_a_person_reads_it(typed):
    text, meant = typed
    assert numbers.read(text) == meant


@given(typed_numbers())
def test_a_percentage_sign_is_read_only_where_the_measure_is_a_percentage(typed):
    text, meant = typed
    assert numbers.read(text + "%", percent=True) == meant
    assert numbers.read(text + "%") is None


@given(misgrouped())
def test_thousands_separators_out_of_their_groups_of_three_are_refused(text):
    assert numbers.read(text) is None


@pytest.mark.parametrize("typed", DEFECTS)
def test_each_misreading_of_issue_12_is_refused(typed):
    assert numbers.read(typed) is None
    findings = v.check(v.Entry(PERCENT, numerator=typed, denominator="10"), submitting=False)
    assert [(f.code, f.message) for f in findings] == [("not_a_number", MESSAGE)]


def test_a_leading_minus_is_still_told_it_cannot_be_negative():
    assert numbers.read("-1,234.5") == Decimal("-1234.5")
    findings = v.check(v.Entry(PERCENT, numerator="-1", denominator="10"), submitting=False)
    assert [f.message for f in findings] == ["The numerator cannot be negative"]


def test_a_percentage_value_may_end_in_a_percent_sign_and_other_values_may_not():
    entry = v.Entry(VALUE_PERCENT, value="35.5%")
    assert v.check(entry, submitting=False) == []
    assert entry.parsed[v.VALUE] == Decimal("35.5")
    findings = v.check(v.Entry(VALUE_COUNT, value="35.5%"), submitting=False)
    assert [f.message for f in findings] == ["Enter the figure as a number, like 12 or 12.5"]


@pytest.mark.parametrize("typed", ["12,5", "1e3", "1_000", "١٢", "0e-1000000"])
def test_the_staffing_section_refuses_them_too(typed):
    entry = staffing_validation.StaffingEntry({"fte_in_post": typed})
    findings = staffing_validation.parse(entry)
    assert [f.code for f in findings] == ["not_a_number"]
    assert entry.parsed == {}


@pytest.mark.parametrize(
    "typed, read", [("1,234", Decimal(1234)), ("31.5%", Decimal("31.5")), (" 7 ", Decimal(7))]
)
def test_the_importer_reads_text_cells_with_the_same_parser(typed, read):
    assert layout.parse_number(typed).value == read


@pytest.mark.parametrize("typed", ["12,5", "1,2,3", "1e3", "1_000", "١٢", "１２", "0e-1000000"])
def test_the_importer_refuses_them_too(typed):
    with pytest.raises(layout.CellError) as error:
        layout.parse_number(typed)
    assert error.value.code == "not_a_number"


HOSTILE = st.text(alphabet=st.sampled_from("0123456789,._eE+-% ١٢１２\t\u00a0"), max_size=14)


def person_reads(text: str, *, percent: bool = False) -> Decimal | None:
    """What a person reads in `text`, worked out another way than `numbers.read`:
    split at the point and at the commas, check each group, add the digits up."""
    text = text.strip()
    if percent and text.endswith("%"):
        text = text[:-1].strip()
    negative = text.startswith("-")
    whole, point, fraction = text.removeprefix("-").partition(".")
    groups = whole.split(",")
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:])
    ):
        return None
    digits = "".join(groups)
    if not digits and not fraction:
        return None
    if any(c not in "0123456789" for c in digits + fraction):
        return None
    number = Decimal(sum(int(c) * 10**i for i, c in enumerate(reversed(digits))))
    for place, c in enumerate(fraction, start=1):
        number += Decimal(int(c)) / Decimal(10) ** place
    return -number if negative and number else number


@settings(max_examples=500)
@given(HOSTILE)
def test_whatever_is_typed_the_parser_reads_what_a_person_reads_or_nothing(text):
    assert numbers.read(text) == person_reads(text)
    assert numbers.read(text, percent=True) == person_reads(text, percent=True)


@settings(max_examples=300)
@given(HOSTILE)
def test_the_importer_reads_a_cell_as_the_parser_does_or_refuses_it(text):
    read = numbers.read(text, percent=True)
    if not text.strip():
        assert layout.parse_number(text).blank
    elif read is None:
        with pytest.raises(layout.CellError) as error:
            layout.parse_number(text)
        assert error.value.code == "not_a_number"
    elif abs(read) < 10**10:
        assert layout.parse_number(text).value == read


# --- through the real return page, with the database -----------------------


@pytest.fixture
def page(db, area, team_manager):
    measure = factories.measure(title="% children seen", polarity="none")
    monthly_return = factories.monthly_return(area, FEB)
    factories.value(monthly_return, measure, numerator=3, denominator=7)
    return monthly_return, measure


def post(client, monthly_return, measure, **typed):
    data = {"version": MonthlyReturn.objects.get(pk=monthly_return.pk).version, "save": "1"}
    data.update({f"m{measure.pk}_{name}": value for name, value in typed.items()})
    return client.post(reverse("return-detail", args=[monthly_return.pk]), data)


def stored(monthly_return):
    value = ReturnValue.objects.get(monthly_return=monthly_return)
    return (
        value.numerator,
        value.denominator,
        MonthlyReturn.objects.get(pk=monthly_return.pk).version,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("typed", DEFECTS)
def test_the_return_page_refuses_each_misreading_and_writes_nothing(
    client, team_manager, page, typed
):
    monthly_return, measure = page
    client.force_login(team_manager)
    before = stored(monthly_return)
    response = post(client, monthly_return, measure, numerator=typed, denominator="10")
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert stored(monthly_return) == before


PAGE_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
@PAGE_SETTINGS
@given(text=st.text(alphabet=st.sampled_from("0123456789,._eE+- %١１\t"), max_size=12))
def test_whatever_is_typed_the_page_stores_what_the_parser_read_or_nothing(
    client, team_manager, page, text
):
    monthly_return, measure = page
    client.force_login(team_manager)
    before = stored(monthly_return)
    read = numbers.read(text)
    response = post(client, monthly_return, measure, numerator=text, denominator="10")
    assert response.status_code in (302, 400)
    numerator, denominator, _ = stored(monthly_return)
    if response.status_code == 302:
        assert read is not None or not text.strip()
        assert (numerator, denominator) == (read, 10)
        ReturnValue.objects.filter(monthly_return=monthly_return).update(numerator=3, denominator=7)
    else:
        assert stored(monthly_return) == before


@pytest.mark.django_db
@PAGE_SETTINGS
@given(typed=typed_numbers())
def test_an_accepted_number_is_stored_as_a_person_reads_it(client, team_manager, page, typed):
    monthly_return, measure = page
    client.force_login(team_manager)
    text, meant = typed
    response = post(client, monthly_return, measure, numerator=text, denominator="9,999,999,999")
    if meant >= 10**10 or meant != meant.to_integral_value():
        assert response.status_code == 400  # too large, or part of a child
        return
    assert response.status_code == 302
    assert ReturnValue.objects.get(monthly_return=monthly_return).numerator == meant


@pytest.mark.django_db
def test_the_importer_reads_a_percent_sign_only_where_the_measure_is_a_percentage():
    from scorecard import importing
    from scorecard.sample import load_sample

    from .test_import import empty_the_figures, seed_text

    load_sample()
    empty_the_figures()
    rate_row = "29.1\t34.3\t38.1\t42.1"  # the seed's rate per 10,000 block
    assert rate_row in seed_text()
    assert importing.plan_import(seed_text().encode(), "seed.txt").errors == []
    with_percent = seed_text().replace(rate_row, "29.1%\t34.3\t38.1\t42.1", 1)
    errors = importing.plan_import(with_percent.encode(), "seed.txt").errors
    assert [(f.code, f.row) for f in errors] == [("not_a_number", 13)]
    assert "'29.1%' is not a number" in errors[0].message
