"""The import page as a performance officer uses it: upload, preview, confirm;
bad files get their message at the field; other roles are refused."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from scorecard.models import CalculationRun, MonthlyReturn, ReturnValue
from scorecard.views_import import SESSION_KEY
from tests.scorecard.test_import import SEED_NAME, counts, seed_bytes, seed_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def measures_only(db):
    from tests import snapshot
    from tests.scorecard.test_import import sample_measures_only

    snapshot.load("measures only", sample_measures_only)


def upload(client, content: bytes, name=SEED_NAME):
    return client.post(reverse("import"), {"file": SimpleUploadedFile(name, content)})


def confirm(client, token=None):
    token = token if token is not None else client.session[SESSION_KEY]["token"]
    return client.post(reverse("import-confirm"), {"token": token})


def test_the_page_shows_the_upload_component(client, officer):
    client.force_login(officer)
    response = client.get(reverse("import"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<input class="govuk-file-upload" id="id_file" name="file" type="file"' in html
    assert '<label class="govuk-label govuk-label--m" for="id_file">' in html
    assert 'href="/import/"' in html  # the navigation entry


@pytest.mark.parametrize("role", ["team_manager", "director"])
def test_team_managers_and_directors_are_refused(client, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("import")).status_code == 403
    assert upload(client, b"anything").status_code == 403
    assert client.post(reverse("import-confirm"), {"token": "x"}).status_code == 403
    assert 'href="/import/"' not in client.get(reverse("scorecard")).content.decode()


def test_upload_then_preview_then_confirm_then_a_second_officer_approves_writes_and_audits(
    client, officer, second_officer, measures_only, django_capture_on_commit_callbacks
):
    from scorecard.models import ImportChangeSet

    client.force_login(officer)
    response = upload(client, seed_bytes())
    assert response.status_code == 200
    html = response.content.decode()
    assert "To create" in html and "101" in html
    assert "% repeat referrals" in html and "Monthly figure, April 2014" in html
    assert "12 cells instead of 20" in html  # the shifted rows' warning, at their row
    assert 'id="row-61"' in html
    assert counts()["ReturnValue"] == 0  # nothing written on upload

    response = confirm(client)
    change_set = ImportChangeSet.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import-change-set", args=[change_set.pk])
    assert SESSION_KEY not in client.session
    followed = client.get(response.url).content.decode()
    assert "waiting for another performance officer" in followed
    assert "You imported this file, so another performance officer must approve it" in followed
    assert counts()["ReturnValue"] == 0  # nothing written until a second officer approves
    refused = client.post(response.url, {"action": "approve"})
    assert refused.status_code == 409 and counts()["ReturnValue"] == 0

    client.force_login(second_officer)
    review = client.get(response.url).content.decode()
    assert "% repeat referrals" in review and "Monthly figure, April 2014" in review
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(response.url, {"action": "approve"})
    assert approved.status_code == 302
    assert (
        f"Imported {SEED_NAME}: 101 created, 0 changed."
        in client.get(approved.url).content.decode()
    )
    change_set.refresh_from_db()
    assert (change_set.status, change_set.reviewed_by) == ("applied", second_officer)

    january = MonthlyReturn.objects.get(month=date(2015, 1, 1))
    assert (january.status, january.source, january.approved_by) == (
        "approved",
        SEED_NAME,
        second_officer,
    )
    value = ReturnValue.objects.get(monthly_return=january, measure__code="icpc-15-days")
    assert value.value == Decimal("44.0")
    event = ReturnValue.pgh_event_model.objects.get(pgh_obj_id=value.pk)
    assert event.pgh_context.metadata["action"] == "import"
    assert event.pgh_context.metadata["source"] == SEED_NAME
    assert event.pgh_context.metadata["user"] == second_officer.pk
    assert event.pgh_context.metadata["proposed_by"] == officer.pk  # both names
    assert CalculationRun.objects.filter(trigger="import", outcome="succeeded").exists()


def approve_pending(user):
    from scorecard.models import ImportChangeSet

    other = client_for(user)
    change_set = ImportChangeSet.objects.get(status="pending")
    return other.post(reverse("import-change-set", args=[change_set.pk]), {"action": "approve"})


def test_the_preview_shows_old_and_new_values(client, officer, second_officer, sample):
    client.force_login(officer)
    text = seed_text().replace("% repeat referrals\t30%\t35.0%", "% repeat referrals\t30%\t36.5%")
    html = upload(client, text.encode(), "bucks-corrected.txt").content.decode()
    assert "To change" in html
    row = html[html.index('id="row-57"') :]
    row = row[: row.index("</section>")]
    assert "Monthly figure, April 2014" in row
    assert '<td class="govuk-table__cell">35.0</td>' in row
    assert "<strong>36.5</strong>" in row
    assert "Changed" in row
    confirm(client)
    approve_pending(second_officer)
    assert ReturnValue.objects.get(
        monthly_return__month=date(2014, 4, 1), measure__code="repeat-referrals"
    ).value == Decimal("36.5")


def test_the_same_file_again_has_nothing_to_import(client, officer, sample):
    client.force_login(officer)
    response = upload(client, seed_bytes())
    html = response.content.decode()
    assert "Nothing to import: every figure in this file is already stored." in html
    assert 'action="/import/confirm/"' not in html
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"", "empty.txt", "The file is empty: it has no rows to import."),
        (
            bytes(range(256)) * 4,
            "photo.txt",
            "The file is not a spreadsheet: it contains binary data",
        ),
        (
            "Measure\tApr 2014\tMay 2014\n% repeat referrals\t31 – 32\t1\n".encode("cp1252"),
            "ansi.txt",
            "The file is not UTF-8 text: line 2 has the byte 0x96",
        ),
    ],
)
def test_a_bad_file_gets_its_message_at_the_field(client, officer, content, name, message):
    client.force_login(officer)
    response = upload(client, content, name)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_file">' in html
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert 'id="id_file-error"' in html
    assert message in html.replace("&#x27;", "'")
    assert "<title>Error: " in html


def test_a_file_over_the_limit_is_refused_at_the_field(client, officer):
    client.force_login(officer)
    with override_settings(IMPORT_MAX_BYTES=100):
        response = upload(client, seed_bytes())
    assert response.status_code == 400
    assert "the largest file that can be imported is 100 bytes" in response.content.decode()


def test_nothing_selected(client, officer):
    client.force_login(officer)
    response = client.post(reverse("import"), {})
    assert response.status_code == 400
    assert "Select a spreadsheet to import" in response.content.decode()


def test_a_file_with_errors_shows_them_and_offers_no_confirmation(client, officer, measures_only):
    client.force_login(officer)
    text = seed_text().replace("\t29.0%\t33.0%", "\tabout 29\t33.0%", 1)
    response = upload(client, text.encode())
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert "<a href=\"#row-57\">Row 57, column D (May 2014): 'about 29' is not a number</a>" in html
    assert "Nothing can be imported from this file until the errors are fixed." in html
    assert 'action="/import/confirm/"' not in html
    assert SESSION_KEY not in client.session
    assert confirm(client, token="made-up").status_code == 409
    assert counts()["ReturnValue"] == 0


def test_confirming_after_the_data_changed_shows_the_new_plan_and_writes_nothing(
    client, officer, second_officer, measures_only
):
    client.force_login(officer)
    upload(client, seed_bytes())
    token = client.session[SESSION_KEY]["token"]
    # Meanwhile another officer imports a different figure for April.
    other = client_for(second_officer)
    upload(other, seed_text().replace("\t30%\t35.0%", "\t30%\t34.0%", 1).encode(), "other.txt")
    confirm(other)
    approve_pending(officer)
    response = confirm(client, token)
    assert response.status_code == 409
    html = response.content.decode()
    assert "The stored figures changed after your preview, so nothing has been imported." in html
    value = ReturnValue.objects.get(
        monthly_return__month=date(2014, 4, 1), measure__code="repeat-referrals"
    )
    assert value.value == Decimal("34.0")
    assert MonthlyReturn.objects.get(month=date(2014, 4, 1)).source == "other.txt"


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_stale_token_is_refused(client, officer, measures_only):
    client.force_login(officer)
    upload(client, seed_bytes())
    first = client.session[SESSION_KEY]["token"]
    upload(client, seed_bytes())
    response = confirm(client, first)
    assert response.status_code == 409
    assert "This preview has expired or was replaced" in response.content.decode()
    assert counts()["ReturnValue"] == 0
