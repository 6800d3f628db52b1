"""The set-up as one spreadsheet, both ways: download it, upload it back (here or
into a fresh installation), with the preview → confirm → one transaction → audit
flow; bad cells refused with their sheet, row and column; nothing half-written."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from scorecard import reference_data, roles
from scorecard.models import (
    Benchmark,
    Measure,
    MeasureGroup,
    Population,
    RecalculationRequest,
    ServiceArea,
    Target,
    TeamMembership,
    UserEvent,
)
from scorecard.reference_data import findings as codes
from scorecard.reference_data.layout import BENCHMARKS, MEASURES, TARGETS
from scorecard.views_setup_file import SESSION_KEY

pytestmark = pytest.mark.django_db

ADMIN_PASSWORD = "a-long-admin-password-7"


# --- the workbook, as a person edits it ----------------------------------------


def contents(content: bytes) -> dict[str, list[list]]:
    """Every sheet's cells, as values: what the file says, not how it is stored."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def edited(content: bytes, sheet: str, find: dict, changes: dict) -> bytes:
    """The workbook with the cells of `changes` (by heading) set in the first row of
    `sheet` whose cells match `find`."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    worksheet = workbook[sheet]
    headings = [cell.value for cell in worksheet[1]]
    for row in worksheet.iter_rows(min_row=2):
        if all(row[headings.index(h)].value == v for h, v in find.items()):
            for heading, value in changes.items():
                row[headings.index(heading)].value = value
            break
    else:
        raise AssertionError(f"no row of {sheet} has {find}")
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def appended(content: bytes, sheet: str, cells: dict) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    worksheet = workbook[sheet]
    headings = [cell.value for cell in worksheet[1]]
    worksheet.append([cells.get(heading) for heading in headings])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def row_of(content: bytes, sheet: str, find: dict) -> int:
    rows = contents(content)[sheet]
    headings = rows[0]
    for number, row in enumerate(rows[1:], start=2):
        if all(row[headings.index(h)] == v for h, v in find.items()):
            return number
    raise AssertionError(f"no row of {sheet} has {find}")


def officer_user():
    return get_user_model().objects.get(username="officer")


def upload(content: bytes, user, name="set-up.xlsx"):
    plan = reference_data.plan_upload(content, name)
    assert not plan.errors, [str(e) for e in plan.errors]
    reference_data.apply_upload(
        content=content, filename=name, user=user, sha256=plan.sha256, fingerprint=plan.fingerprint
    )
    return plan


def snapshot_of_reference_data():
    return (
        list(ServiceArea.objects.values_list("slug", "name", "parent__slug", "region", "order")),
        list(Measure.objects.values_list("code", "title", "tolerance", "group_id")),
        list(Target.objects.values_list("measure__code", "kind", "starts", "value", "due")),
        list(Benchmark.objects.values_list("measure__code", "comparator", "period_start", "value")),
        list(Population.objects.values_list("area__slug", "year", "children_0_17")),
        list(TeamMembership.objects.values_list("user__username", "area__slug")),
        list(get_user_model().objects.order_by("username").values_list("username", "email")),
    )


# --- both ways --------------------------------------------------------------------


def test_the_sample_goes_into_a_fresh_installation_and_comes_out_the_same(sample, monkeypatch):
    exported = reference_data.export_workbook()
    call_command("remove_sample", stdout=io.StringIO())
    monkeypatch.setenv("AUTHORITY_ADMIN_PASSWORD", ADMIN_PASSWORD)
    call_command(
        "start_authority",
        "--name=Anyshire Children's Services",
        "--region=London",
        "--admin-username=sysowner",
        "--admin-email=sysowner@anyshire.example",
        "--no-input",
        stdout=io.StringIO(),
    )
    administrator = get_user_model().objects.get(username="sysowner")

    plan = upload(exported, administrator)

    assert {w.code for w in plan.warnings} >= {codes.AUTHORITY_RENAMED, codes.NEW_ACCOUNTS}
    assert contents(reference_data.export_workbook()) == contents(exported)
    authority = ServiceArea.objects.authority()
    assert (authority.name, authority.region) == (
        "Buckinghamshire Children's Services",
        "South East",
    )
    assert ServiceArea.objects.count() == 7
    # the team managers are new accounts without a password: they use the reset
    manager = get_user_model().objects.get(username="manager")
    assert not manager.has_usable_password() and manager.is_active
    assert manager.groups.filter(name=roles.TEAM_MANAGERS).exists()
    assert list(manager.memberships.values_list("area__slug", flat=True)) == ["first-response"]
    response = Client().post(reverse("password_reset"), {"email": manager.email})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[manager.email]]


def test_a_file_of_the_set_up_as_it_is_changes_nothing(sample):
    plan = reference_data.plan_upload(reference_data.export_workbook(), "set-up.xlsx")
    assert not plan.errors
    assert plan.changes == []
    assert not plan.can_apply


def test_the_download_has_every_sheet_and_no_password(sample, client):
    client.force_login(officer_user())
    response = client.get(reverse("setup-download"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="set-up-')
    sheets = contents(response.content)
    assert list(sheets) == [
        "Areas",
        "Measure groups",
        "Measures",
        "Targets",
        "Baselines",
        "Benchmarks",
        "Populations",
        "Staff",
    ]
    assert sheets["Staff"][0] == ["Username", "First name", "Last name", "Email", "Manages"]
    manager = get_user_model().objects.get(username="manager")
    assert ["manager", "Fran", "Reid", manager.email or None, "first-response"] in sheets["Staff"]
    assert "pbkdf2" not in response.content.decode("latin-1")
    assert {row[2] for row in sheets["Benchmarks"][1:]} == {"2014"}


# --- a changed target: previewed, then written and audited ---------------------------


def test_a_changed_target_is_previewed_then_written_and_audited_with_the_officer(
    sample, client, django_capture_on_commit_callbacks
):
    officer = officer_user()
    client.force_login(officer)
    target = Target.objects.get(measure__code="repeat-referrals", kind="in_year")
    content = edited(
        reference_data.export_workbook(),
        TARGETS,
        {"Measure": "repeat-referrals", "Kind": "In-year target"},
        {"Value": 22.5},
    )
    row = row_of(content, TARGETS, {"Measure": "repeat-referrals", "Kind": "In-year target"})

    response = client.post(
        reverse("setup-upload"), {"file": SimpleUploadedFile("set-up.xlsx", content)}
    )

    assert response.status_code == 200
    plan = response.context["plan"]
    assert [(c.sheet, c.row, c.action) for c in plan.changes] == [(TARGETS, row, "change")]
    assert [(d.heading, d.old, d.new) for d in plan.changes[0].differences] == [
        ("Value", "25", "22.5")
    ]
    html = response.content.decode()
    assert "repeat-referrals: In-year target from April 2014" in html
    assert "Write the set-up: create 0, change 1, remove 0" in html
    assert Target.objects.get(pk=target.pk).value == Decimal("25")  # nothing written yet

    RecalculationRequest.objects.all().delete()
    with django_capture_on_commit_callbacks():
        response = client.post(
            reverse("setup-upload-confirm"), {"token": client.session[SESSION_KEY]["token"]}
        )

    assert response.status_code == 302
    assert Target.objects.get(pk=target.pk).value == Decimal("22.5")
    event = Target.pgh_event_model.objects.filter(pgh_obj_id=target.pk).latest("pgh_id")
    assert event.pgh_label == "update" and event.value == Decimal("22.5")
    assert event.pgh_context.metadata["user"] == officer.pk
    assert event.pgh_context.metadata["action"] == "set-up upload"
    assert event.pgh_context.metadata["source"] == "set-up.xlsx"
    assert RecalculationRequest.objects.filter(trigger="reference data").exists()


def test_targets_and_benchmarks_a_measure_on_the_sheet_no_longer_has_are_removed(sample):
    exported = reference_data.export_workbook()
    workbook = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = workbook[TARGETS]
    removed_row = row_of(exported, TARGETS, {"Measure": "icpc-15-days", "Kind": "Long-term target"})
    sheet.delete_rows(removed_row)
    # a measure no longer on the Measures sheet keeps its benchmarks, though they are gone too
    measures_row = row_of(exported, MEASURES, {"Code": "cp-plan-rate"})
    workbook[MEASURES].delete_rows(measures_row)
    benchmarks = workbook[BENCHMARKS]
    for number in reversed(range(2, benchmarks.max_row + 1)):
        if benchmarks.cell(number, 1).value == "cp-plan-rate":
            benchmarks.delete_rows(number)
    output = io.BytesIO()
    workbook.save(output)

    plan = upload(output.getvalue(), officer_user())

    assert [(c.sheet, c.action, c.subject) for c in plan.changes] == [
        (TARGETS, "remove", "icpc-15-days: Long-term target from April 2014")
    ]
    title = Measure.objects.get(code="cp-plan-rate").title
    assert plan.not_in_file[MEASURES] == [f"{title} (cp-plan-rate)"]
    assert not Target.objects.filter(measure__code="icpc-15-days", kind="long_term").exists()
    assert Benchmark.objects.filter(measure__code="cp-plan-rate").count() == 3
    assert Measure.objects.filter(code="cp-plan-rate").exists()


# --- bad cells: named by sheet, row and column; nothing written -----------------------


def bad_files(exported):
    target = {"Measure": "repeat-referrals", "Kind": "In-year target"}
    return {
        "a target of 1e3": (
            edited(exported, TARGETS, target, {"Value": "1e3"}),
            codes.NOT_A_NUMBER,
            TARGETS,
            row_of(exported, TARGETS, target),
            "Value",
        ),
        "an unknown unit": (
            edited(exported, MEASURES, {"Code": "referrals"}, {"Unit": "Bananas"}),
            codes.NOT_A_CHOICE,
            MEASURES,
            row_of(exported, MEASURES, {"Code": "referrals"}),
            "Unit",
        ),
        "a benchmark period 2021/22/23": (
            edited(exported, BENCHMARKS, {"Measure": "cp-plan-rate"}, {"Period": "2021/22/23"}),
            codes.NOT_A_PERIOD,
            BENCHMARKS,
            row_of(exported, BENCHMARKS, {"Measure": "cp-plan-rate"}),
            "Period",
        ),
        "a duplicate measure code": (
            edited(exported, MEASURES, {"Code": "referrals"}, {"Code": "repeat-referrals"}),
            codes.DUPLICATE_ROW,
            MEASURES,
            max(
                row_of(exported, MEASURES, {"Code": "referrals"}),
                row_of(exported, MEASURES, {"Code": "repeat-referrals"}),
            ),
            "Code",
        ),
        "a second authority row": (
            edited(exported, "Areas", {"Code": "first-response"}, {"Parent": None}),
            codes.SECOND_AUTHORITY,
            "Areas",
            row_of(exported, "Areas", {"Code": "first-response"}),
            "Parent",
        ),
        "a third tier": (
            edited(exported, "Areas", {"Code": "cin-north"}, {"Parent": "cin-south"}),
            codes.NOT_UNDER_AUTHORITY,
            "Areas",
            row_of(exported, "Areas", {"Code": "cin-north"}),
            "Parent",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "a target of 1e3",
        "an unknown unit",
        "a benchmark period 2021/22/23",
        "a duplicate measure code",
        "a second authority row",
        "a third tier",
    ],
)
def test_a_bad_cell_is_refused_naming_its_sheet_row_and_column_and_nothing_is_written(
    sample, client, case
):
    content, code, sheet, row, column = bad_files(reference_data.export_workbook())[case]
    before = snapshot_of_reference_data()
    client.force_login(officer_user())

    response = client.post(
        reverse("setup-upload"), {"file": SimpleUploadedFile("set-up.xlsx", content)}
    )

    assert response.status_code == 400
    plan = response.context["plan"]
    assert (code, sheet, row, column) in [(e.code, e.sheet, e.row, e.column) for e in plan.errors]
    assert f"{sheet}, row {row}, column {column}: " in response.content.decode()
    assert SESSION_KEY not in client.session  # nothing to confirm
    with pytest.raises(reference_data.SetupRefused) as refused:
        reference_data.apply_upload(
            content=content,
            filename="set-up.xlsx",
            user=officer_user(),
            sha256=plan.sha256,
            fingerprint=plan.fingerprint,
        )
    assert refused.value.code == codes.PLAN_HAS_ERRORS
    assert snapshot_of_reference_data() == before


def test_a_file_with_a_good_change_and_a_bad_cell_writes_nothing(sample):
    exported = reference_data.export_workbook()
    content = edited(
        edited(
            exported,
            TARGETS,
            {"Measure": "repeat-referrals", "Kind": "In-year target"},
            {"Value": 20},
        ),
        MEASURES,
        {"Code": "referrals"},
        {"Unit": "Bananas"},
    )
    plan = reference_data.plan_upload(content, "set-up.xlsx")
    assert [e.code for e in plan.errors] == [codes.NOT_A_CHOICE]
    assert "'Bananas' is not one of: 'Percentage'" in plan.errors[0].message
    assert Target.objects.get(measure__code="repeat-referrals", kind="in_year").value == 25


def test_another_installations_authority_is_refused_where_there_are_service_areas(sample):
    content = edited(
        reference_data.export_workbook(),
        "Areas",
        {"Parent": None},
        {"Code": "anyshire", "Name": "Anyshire Children's Services"},
    )
    plan = reference_data.plan_upload(content, "set-up.xlsx")
    assert codes.OTHER_AUTHORITY in [e.code for e in plan.errors]


def test_a_new_team_manager_gets_an_account_without_a_password_and_the_preview_says_so(
    sample,
):
    content = appended(
        reference_data.export_workbook(),
        "Staff",
        {
            "Username": "newmanager",
            "First name": "Nia",
            "Last name": "Bello",
            "Email": "nia.bello@example.org",
            "Manages": "care-services",
        },
    )
    plan = upload(content, officer_user())
    [warning] = [w for w in plan.warnings if w.code == codes.NEW_ACCOUNTS]
    assert "newmanager (Nia Bello)" in warning.message
    assert "Forgotten your password?" in warning.message
    user = get_user_model().objects.get(username="newmanager")
    assert not user.has_usable_password()
    assert list(user.memberships.values_list("area__slug", flat=True)) == ["care-services"]
    created = UserEvent.objects.get(pgh_obj_id=user.pk, pgh_label="insert")
    assert created.pgh_context.metadata["user"] == officer_user().pk


def test_the_staff_sheet_cannot_change_an_officers_account(sample):
    content = appended(
        reference_data.export_workbook(),
        "Staff",
        {"Username": "officer", "Email": "attacker@example.org", "Manages": "care-services"},
    )
    plan = reference_data.plan_upload(content, "set-up.xlsx")
    assert codes.NOT_A_TEAM_MANAGER in [e.code for e in plan.errors]
    assert get_user_model().objects.get(username="officer").email != "attacker@example.org"


# --- changed since the preview -------------------------------------------------------


def test_a_file_other_than_the_one_previewed_is_refused(sample):
    exported = reference_data.export_workbook()
    previewed = edited(
        exported, TARGETS, {"Measure": "repeat-referrals", "Kind": "In-year target"}, {"Value": 20}
    )
    other = edited(
        exported, TARGETS, {"Measure": "repeat-referrals", "Kind": "In-year target"}, {"Value": 2}
    )
    plan = reference_data.plan_upload(previewed, "set-up.xlsx")

    with pytest.raises(reference_data.SetupRefused) as refused:
        reference_data.apply_upload(
            content=other,
            filename="set-up.xlsx",
            user=officer_user(),
            sha256=plan.sha256,
            fingerprint=plan.fingerprint,
        )

    assert refused.value.code == codes.FILE_CHANGED
    assert Target.objects.get(measure__code="repeat-referrals", kind="in_year").value == 25


def test_a_set_up_changed_between_preview_and_confirm_is_refused_and_shown_again(sample, client):
    client.force_login(officer_user())
    content = edited(
        reference_data.export_workbook(),
        TARGETS,
        {"Measure": "repeat-referrals", "Kind": "In-year target"},
        {"Value": 20},
    )
    client.post(reverse("setup-upload"), {"file": SimpleUploadedFile("set-up.xlsx", content)})
    token = client.session[SESSION_KEY]["token"]
    # meanwhile another officer changes the same target on its set-up page
    Target.objects.filter(measure__code="repeat-referrals", kind="in_year").update(value=24)

    response = client.post(reverse("setup-upload-confirm"), {"token": token})

    assert response.status_code == 409
    assert "The stored set-up changed after the preview" in response.content.decode()
    assert Target.objects.get(measure__code="repeat-referrals", kind="in_year").value == 24
    # the new preview shows the change from the value stored now
    [change] = response.context["plan"].changes
    assert [(d.old, d.new) for d in change.differences] == [("24", "20")]


def test_a_preview_replaced_by_another_cannot_be_confirmed(sample, client):
    client.force_login(officer_user())
    exported = reference_data.export_workbook()
    target = {"Measure": "repeat-referrals", "Kind": "In-year target"}
    client.post(
        reverse("setup-upload"),
        {"file": SimpleUploadedFile("a.xlsx", edited(exported, TARGETS, target, {"Value": 20}))},
    )
    first_token = client.session[SESSION_KEY]["token"]
    client.post(
        reverse("setup-upload"),
        {"file": SimpleUploadedFile("b.xlsx", edited(exported, TARGETS, target, {"Value": 2}))},
    )

    response = client.post(reverse("setup-upload-confirm"), {"token": first_token})

    assert response.status_code == 409
    assert "expired or was replaced" in response.content.decode()
    assert Target.objects.get(measure__code="repeat-referrals", kind="in_year").value == 25


# --- who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["manager", "director"])
def test_only_performance_officers_download_and_upload_the_set_up(sample, client, username):
    client.force_login(get_user_model().objects.get(username=username))
    content = reference_data.export_workbook()
    assert client.get(reverse("setup-download")).status_code == 403
    assert client.get(reverse("setup-upload")).status_code == 403
    assert (
        client.post(
            reverse("setup-upload"), {"file": SimpleUploadedFile("set-up.xlsx", content)}
        ).status_code
        == 403
    )
    assert client.post(reverse("setup-upload-confirm"), {"token": "x"}).status_code == 403


def test_the_set_up_page_links_to_the_download_and_the_upload(sample, client):
    client.force_login(officer_user())
    html = client.get(reverse("setup")).content.decode()
    assert 'href="/setup/download/">Download the set-up</a>' in html
    assert 'href="/setup/upload/">Upload a set-up</a>' in html


def test_a_file_that_is_not_a_workbook_is_refused_at_the_field(sample, client):
    client.force_login(officer_user())
    response = client.post(
        reverse("setup-upload"), {"file": SimpleUploadedFile("set-up.csv", b"Code,Name\nx,y\n")}
    )
    assert response.status_code == 400
    assert "not an Excel workbook (.xlsx)" in response.content.decode()


# --- the commands ------------------------------------------------------------------------


def test_the_commands_export_then_import_with_a_dry_run_first(sample, tmp_path):
    path = tmp_path / "set-up.xlsx"
    call_command("export_setup", str(path), stdout=io.StringIO())
    path.write_bytes(
        edited(
            path.read_bytes(),
            "Measure groups",
            {"Code": "referrals"},
            {"Name": "Referrals and contacts"},
        )
    )

    out = io.StringIO()
    call_command("import_setup", str(path), "--dry-run", "--user=officer", stdout=out)
    assert "Dry run: nothing written." in out.getvalue()
    assert "Name: Referrals -> Referrals and contacts" in out.getvalue()
    assert MeasureGroup.objects.get(code="referrals").name == "Referrals"

    call_command("import_setup", str(path), "--user=officer", stdout=io.StringIO())
    assert MeasureGroup.objects.get(code="referrals").name == "Referrals and contacts"


def test_the_import_command_refuses_a_bad_file_and_a_user_who_may_not(sample, tmp_path):
    path = tmp_path / "set-up.xlsx"
    path.write_bytes(
        edited(
            reference_data.export_workbook(),
            TARGETS,
            {"Measure": "repeat-referrals", "Kind": "In-year target"},
            {"Value": "1e3"},
        )
    )
    with pytest.raises(CommandError, match="1 error: nothing written"):
        call_command("import_setup", str(path), "--user=officer", stdout=io.StringIO())
    with pytest.raises(CommandError, match="may not change the set-up"):
        call_command("import_setup", str(path), "--user=director", stdout=io.StringIO())


def test_a_sheet_without_a_required_column_is_refused_by_its_heading(sample):
    workbook = openpyxl.load_workbook(io.BytesIO(reference_data.export_workbook()))
    workbook[TARGETS].delete_cols(3)  # Starts
    output = io.BytesIO()
    workbook.save(output)
    plan = reference_data.plan_upload(output.getvalue(), "set-up.xlsx")
    assert [(e.code, e.sheet, e.row, e.column) for e in plan.errors] == [
        (codes.MISSING_COLUMN, TARGETS, 1, "Starts")
    ]


def test_a_benchmark_period_outside_1990_to_2100_is_refused_not_stored(sample):
    content = edited(
        reference_data.export_workbook(),
        BENCHMARKS,
        {"Measure": "cp-plan-rate"},
        {"Period": "1850"},
    )
    plan = reference_data.plan_upload(content, "set-up.xlsx")
    assert [(e.code, e.column) for e in plan.errors] == [(codes.OUT_OF_RANGE, "Period")]


def test_an_empty_installation_takes_its_authority_and_areas_from_the_file(sample):
    exported = reference_data.export_workbook()
    call_command("remove_sample", stdout=io.StringIO())
    uploader = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 20)

    upload(exported, uploader)

    assert ServiceArea.objects.authority().slug == "buckinghamshire"
    assert contents(reference_data.export_workbook()) == contents(exported)
