"""A real second authority (issue 14, point 8): Darlington Borough Council's
children's social care performance indicators, as its Children and Young People
Scrutiny Committee's minutes state them (tests/data/darlington/README.md), set up
from an empty database the way a newcomer would, imported, recalculated, and every
figure and rating the minutes give compared with what the product computes."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from scorecard import change_sets, engine, library, roles
from scorecard.importing import layout
from scorecard.models import (
    Benchmark,
    ImportChangeSet,
    Measure,
    ScorecardResult,
    ServiceArea,
    Target,
)
from scorecard.views_import import SESSION_KEY
from tests import factories

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "darlington"
ADMIN_PASSWORD = "quarterly-scrutiny-7"
AUTHORITY = "Darlington Children's Services"

# The minutes' words, read as the product rates: "above / better than / below the
# target" says on or off target; they never say Amber or Red, so an off-target
# figure is checked to be Amber or Red, whichever the tolerance makes it.
EXPECTED = {"on target": {"green"}, "off target": {"amber", "red"}}

# Ratings the minutes give that the product cannot reproduce, with the reason.
EXPECTED_DIFFERENCES = {
    ("Referrals screened and completed within one day", "2020-03"): (
        "the stored minutes are cut off before the figure ('slightly below the target of "
        "90 per cent at'): no figure, so the product gives no rating"
    ),
    ("Assessments completed within 45 working days", "2019-03"): (
        "the minutes say 'slightly below the target of 90 per cent' without the figure: "
        "no figure, so the product gives no rating"
    ),
}


def rows(name):
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def month(text) -> date:
    year, number = text.split("-")
    return date(int(year), int(number), 1)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def started(monkeypatch):
    monkeypatch.setenv("AUTHORITY_ADMIN_PASSWORD", ADMIN_PASSWORD)
    call_command(
        "start_authority",
        "--no-input",
        f"--name={AUTHORITY}",
        "--region=North East",
        "--admin-username=darlington-admin",
        "--admin-email=sysowner@darlington.example",
    )
    return ServiceArea.objects.authority()


def set_up_catalogue(officer):
    """The catalogue from catalogue.csv: library measures adopted on the Measure
    library page (their own titles become aliases), the council's own measures added
    on the Set-up page for a measure of one's own, then each measure's frequency
    (quarterly), tolerances and targets on its set-up page. No admin form."""
    catalogue = rows("catalogue.csv")
    officer_client = logged_in(officer)

    adopted = [row for row in catalogue if row["library_code"]]
    choices = {}
    for row in adopted:
        choices[f"use-{row['library_code']}"] = "1"
        choices[f"title-{row['library_code']}"] = row["own_title"]
    response = officer_client.post(reverse("measure-library"), choices, follow=True)
    assert f"{len(adopted)} measures added" in response.content.decode()

    for row in catalogue:
        if row["library_code"]:
            continue
        response = officer_client.post(
            reverse("setup-new-measure"),
            {
                "action": "add_measure",
                "measure-title": row["own_title"],
                "measure-group": row["group"],
                "measure-unit": row["unit"],
                "measure-entry": Measure.Entry.RATIO,
                "measure-polarity": row["polarity"],
                "measure-level": Measure.Level.AREA,
                "measure-frequency": row["frequency"],
                "measure-decimal_places": "1",
                "measure-source": "Darlington Borough Council, Children and Young People "
                "Scrutiny Committee",
            },
            follow=True,
        )
        assert "added: set its targets next" in response.content.decode()

    for row in catalogue:
        measure = (
            Measure.objects.get(code=row["library_code"])
            if row["library_code"]
            else Measure.objects.get(title=row["own_title"])
        )
        page = reverse("setup-measure", kwargs={"code": measure.code})
        settings = {
            "action": "save_settings",
            "settings-frequency": row["frequency"],
            "settings-group": measure.group_id,
            "settings-order": measure.order,
            "settings-tolerance": row["tolerance"],
            "settings-tolerance_kind": row["tolerance_kind"],
            "settings-green_band": row["green_band"],
            "settings-min_denominator": measure.min_denominator,
            "settings-change_threshold_percent": measure.change_threshold_percent,
            "settings-active": "on",
        }
        assert (
            "Settings saved." in officer_client.post(page, settings, follow=True).content.decode()
        )
        if row["target"]:
            response = officer_client.post(
                page,
                {
                    "action": "add_target",
                    "target-kind": "in_year",
                    "target-value": row["target"],
                    "target-starts": row["target_starts"],
                    "target-note": f"As the minutes state it (agenda items {row['stated_in']})",
                },
                follow=True,
            )
            assert "Target added." in response.content.decode()
        if row["stat_neighbours"] or row["england"]:
            # The minutes give these benchmarks with no period; the product keeps a
            # benchmark only with the period it belongs to, and says so.
            refused = officer_client.post(
                page,
                {
                    "action": "add_benchmark",
                    "benchmark-comparator": "stat_neighbours",
                    "benchmark-period": row["benchmark_period"],
                    "benchmark-value": row["stat_neighbours"],
                },
            )
            assert refused.status_code == 400
            assert "This field is required" in refused.content.decode()
    assert not Benchmark.objects.exists()
    assert set(Measure.objects.values_list("frequency", flat=True)) == {"quarterly"}
    assert (
        "Re-referrals within 12 months"
        in Measure.objects.get(code="re-referrals-12-months").aliases.splitlines()
    )


def import_figures(officer, second_officer, django_capture_on_commit_callbacks):
    """figures.csv through the Import page: upload, preview, confirm; a second
    officer approves the change set."""
    client = logged_in(officer)
    content = (DATA / "figures.csv").read_bytes()
    preview = client.post(
        reverse("import"), {"file": SimpleUploadedFile("figures.csv", content)}
    ).content.decode()
    assert "To create" in preview, preview[:3000]
    token = client.session[SESSION_KEY]["token"]
    response = client.post(reverse("import-confirm"), {"token": token})
    change_set = ImportChangeSet.objects.get()
    assert response.url == reverse("import-change-set", args=[change_set.pk])
    with django_capture_on_commit_callbacks(execute=True):
        approved = logged_in(second_officer).post(response.url, {"action": "approve"})
    assert approved.status_code == 302
    change_set.refresh_from_db()
    assert change_set.status == "applied"


def assert_rated_as_the_minutes_say():
    """Recalculate the quarters figures.csv gives; then every figure is the one the
    minutes give and every rating the one they state, but for EXPECTED_DIFFERENCES."""
    table = rows("figures.csv")
    months = {
        heading: layout.read_quarter_heading(heading)
        for heading in table[0]
        if heading != "Indicator"
    }
    engine.recalculate(months=sorted(months.values()), trigger="test")
    authority = ServiceArea.objects.authority()

    def result(title, when):
        [measure] = layout.Catalogue(Measure.objects.all()).match(title)
        return ScorecardResult.objects.get(measure=measure, area=authority, month=when)

    figures_checked = 0
    for row in table:
        for heading, when in months.items():
            if not row[heading]:
                continue
            assert result(row["Indicator"], when).value == Decimal(row[heading]), (
                row["Indicator"],
                heading,
            )
            figures_checked += 1
    assert figures_checked == 30

    matched, differences = [], {}
    for claim in rows("ratings.csv"):
        computed = result(claim["own_title"], month(claim["month"])).rating
        key = (claim["own_title"], claim["month"])
        if computed in EXPECTED[claim["expected"]]:
            matched.append(key)
        else:
            differences[key] = computed
    assert set(differences) == set(EXPECTED_DIFFERENCES), differences
    assert set(differences.values()) == {"none"}
    assert len(matched) == 13

    # The targets the minutes state are the ones the product rated against.
    referrals = result("Referrals screened and completed within one day", date(2019, 6, 1))
    assert (referrals.target, referrals.rating) == (Decimal("90"), "green")
    visits = result(
        "Statutory looked after children visits completed within timescale", date(2019, 3, 1)
    )
    assert (visits.value, visits.target, visits.rating) == (Decimal("82.6"), Decimal("90"), "red")
    assert Target.objects.count() == 6


def test_darlington_is_set_up_imported_and_rated_as_its_minutes_say(
    started, django_capture_on_commit_callbacks
):
    """The Set-up pages' route: the measure library, a measure of one's own, each
    measure's settings and targets, then the Import page with a second officer."""
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.get(username="darlington-admin").is_superuser
    officer = factories.user("darlington-po", roles.PERFORMANCE_OFFICERS)
    second_officer = factories.user("darlington-po2", roles.PERFORMANCE_OFFICERS)

    set_up_catalogue(officer)
    import_figures(officer, second_officer, django_capture_on_commit_callbacks)

    assert_rated_as_the_minutes_say()


def assert_catalogue_is_the_minutes(catalogue):
    """Exactly catalogue.csv's 13 measures: library measures under the library's code
    and title with Darlington's title as an alias, the council's own under its own;
    quarterly, with their tolerances, and exactly the targets the minutes state."""
    entries = library.by_code()
    expected = {row["library_code"] or row["code"]: row for row in catalogue}
    measures = {measure.code: measure for measure in Measure.objects.all()}
    assert set(measures) == set(expected)
    for code, row in expected.items():
        measure = measures[code]
        if row["library_code"]:
            assert measure.title == entries[code].title
            assert measure.definition == entries[code].definition
            assert row["own_title"] in measure.aliases.splitlines()
        else:
            assert measure.title == row["own_title"]
        assert (
            measure.frequency,
            measure.polarity,
            measure.tolerance,
            measure.tolerance_kind,
            measure.green_band,
        ) == (
            row["frequency"],
            row["polarity"],
            Decimal(row["tolerance"]),
            row["tolerance_kind"],
            Decimal(row["green_band"]),
        ), code
    assert set(Target.objects.values_list("measure__code", "kind", "value", "starts")) == {
        (code, Target.Kind.IN_YEAR, Decimal(row["target"]), month(row["target_starts"]))
        for code, row in expected.items()
        if row["target"]
    }
    assert not Benchmark.objects.exists()
    assert list(ServiceArea.objects.values_list("name", flat=True)) == [AUTHORITY]


def test_darlington_is_set_up_from_its_set_up_file_with_the_commands(
    started, django_capture_on_commit_callbacks
):
    """The commands' route: start_authority, import_setup with setup.xlsx (made from
    catalogue.csv by make_setup.py), import_scorecard, a second officer's approval."""
    officer = factories.user("darlington-po", roles.PERFORMANCE_OFFICERS)
    second_officer = factories.user("darlington-po2", roles.PERFORMANCE_OFFICERS)

    output = io.StringIO()
    call_command("import_setup", str(DATA / "setup.xlsx"), user=officer.username, stdout=output)
    assert "0 changed, 0 removed" in output.getvalue(), output.getvalue()
    assert_catalogue_is_the_minutes(rows("catalogue.csv"))

    output = io.StringIO()
    call_command(
        "import_scorecard", str(DATA / "figures.csv"), user=officer.username, stdout=output
    )
    change_set = ImportChangeSet.objects.get()
    assert f"/import/changes/{change_set.pk}/" in output.getvalue()  # maker-checker
    assert not ScorecardResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        change_sets.approve(user=second_officer, change_set=change_set)
    change_set.refresh_from_db()
    assert change_set.status == "applied"

    assert_rated_as_the_minutes_say()
