"""The board packs' pages: asking, progress, what is kept, who may; and what a
request does when the broker or WeasyPrint's libraries are missing."""

from datetime import date, timedelta

import pytest
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boardpack import rendering, services
from boardpack.models import BoardPack
from config import celery_app
from scorecard import engine
from scorecard.models import ServiceArea
from tests.scorecard.test_faults import _forget_broker_connections

from .pdf import rows_on_more_than_one_page

JAN = date(2015, 1, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def director(sample, django_user_model):
    return django_user_model.objects.get(username="director")


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


def ready_pack(user, version=1, month=JAN):
    """A made pack as the worker leaves it (its PDF's contents are the worker test's)."""
    area = ServiceArea.objects.authority()
    return BoardPack.objects.create(
        area=area,
        month=month,
        version=version,
        filename=services.pack_filename(area, month, version),
        requested_by=user,
        status=BoardPack.Status.READY,
        run=engine.latest_successful_run(),
        provisional=False,
        marking="OFFICIAL-SENSITIVE",
        pdf=b"%PDF-1.7 a pack",
        size=15,
        pages=14,
        progress=100,
        finished_at=timezone.now(),
    )


def test_the_page_lists_the_months_packs_and_offers_one_button(director_client, director):
    pack = ready_pack(director)
    html = director_client.get("/board-packs/?month=2015-01").content.decode()
    assert "Board packs for January 2015" in html
    assert "Make a board pack for January 2015" in html
    assert f'href="/board-packs/{pack.pk}/download/">{pack.filename}</a>' in html
    assert "Ready: final figures" in html and "(calculation " in html
    assert "OFFICIAL-SENSITIVE" in html
    # the summary links to it, for the month it shows
    summary = director_client.get("/summary/?month=2015-01").content.decode()
    assert 'href="/board-packs/?month=2015-01">Board pack for January 2015 (PDF)</a>' in summary


def test_a_download_needs_the_right_role(client, director, django_user_model):
    pack = ready_pack(director)
    assert client.get(f"/board-packs/{pack.pk}/download/").status_code == 302  # to sign in
    client.force_login(django_user_model.objects.get(username="manager"))
    assert client.get(f"/board-packs/{pack.pk}/download/").status_code == 403
    summary = client.get("/summary/?month=2015-01").content.decode()
    assert "Board pack for" not in summary  # no link a team manager cannot follow
    client.force_login(django_user_model.objects.get(username="officer"))
    response = client.get(f"/board-packs/{pack.pk}/download/")
    assert response.status_code == 200 and response.content == b"%PDF-1.7 a pack"


def test_each_request_is_a_new_version_under_a_new_name(director_client, director):
    ready_pack(director)
    authority = ServiceArea.objects.authority()
    response = director_client.post("/board-packs/", {"month": "2015-01", "area": authority.pk})
    new = BoardPack.objects.get(version=2)
    assert response.url == f"/board-packs/{new.pk}/"
    assert new.filename == "board-pack-buckinghamshire-2015-01-v2.pdf"
    assert new.status == BoardPack.Status.WAITING and new.requested_by == director


def test_progress_is_shown_and_the_page_refreshes_itself_until_made(director_client, director):
    pack = services.request_pack(user=director, area=ServiceArea.objects.authority(), month=JAN)
    waiting = director_client.get(f"/board-packs/{pack.pk}/")
    assert waiting["Refresh"] == "3" and "Waiting to be made." in waiting.content.decode()
    services.take_up(pack_id=pack.pk)
    services.progress(pack, 40, "Laying out the pages")
    building = director_client.get(f"/board-packs/{pack.pk}/")
    assert building["Refresh"] == "3"
    html = building.content.decode()
    assert "Being made: 40% done. Laying out the pages." in html
    assert f'href="/board-packs/{pack.pk}/">Refresh now</a>' in html  # without the header too


def test_a_request_while_the_broker_is_down_is_kept_and_made_later(
    director_client, django_capture_on_commit_callbacks
):
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:9/0")
    _forget_broker_connections()  # no connection to the real broker kept from before
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = director_client.post(
                "/board-packs/", {"month": "2015-01", "area": ServiceArea.objects.authority().pk}
            )
    finally:
        celery_app.conf.update(saved)
        _forget_broker_connections()
    pack = BoardPack.objects.get()
    assert response.status_code == 302  # no error page
    assert pack.status == BoardPack.Status.WAITING and pack.step == services.QUEUED
    html = director_client.get(response.url).content.decode()
    assert "Waiting to be made. Queued: the background worker could not be reached" in html
    # the worker's minute task, once it runs again
    assert services.build_waiting() == pack
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.READY and pack.pages > 8 and pack.pdf[:5] == b"%PDF-"


def test_the_page_says_plainly_when_pdfs_cannot_be_made_here(director_client, monkeypatch):
    # A machine without Pango: the probe's answer there (the import fails with OSError).
    monkeypatch.setattr(rendering, "unavailable", lambda: rendering.MISSING_LIBRARIES)
    page = director_client.get("/board-packs/?month=2015-01")
    html = page.content.decode()
    assert page.status_code == 200 and "Board packs cannot be made on this server" in html
    assert "Make a board pack" not in html
    refused = director_client.post(
        "/board-packs/", {"month": "2015-01", "area": ServiceArea.objects.authority().pk}
    )
    assert refused.status_code == 400 and "There is a problem" in refused.content.decode()
    assert not BoardPack.objects.exists()


def test_a_request_without_a_month_with_figures_is_refused_with_a_message(director_client):
    response = director_client.post(
        "/board-packs/", {"month": "2016-07", "area": ServiceArea.objects.authority().pk}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#month">Choose a month with calculated figures.</a>' in html or (
        "Choose a month with calculated figures." in html
    )
    assert not BoardPack.objects.exists()


def test_a_made_pack_is_never_changed_or_removed(director):
    pack = ready_pack(director)
    for attempt in (
        lambda: BoardPack.objects.filter(pk=pack.pk).update(pdf=b"%PDF- another"),
        lambda: BoardPack.objects.filter(pk=pack.pk).delete(),
    ):
        with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
            attempt()
    assert bytes(BoardPack.objects.get(pk=pack.pk).pdf) == b"%PDF-1.7 a pack"


def test_a_pack_whose_worker_died_is_made_again_then_given_up(director):
    area = ServiceArea.objects.authority()
    pack = services.request_pack(user=director, area=area, month=JAN)
    services.take_up(pack_id=pack.pk)
    BoardPack.objects.filter(pk=pack.pk).update(
        progress_at=timezone.now() - services.LOST_AFTER - timedelta(seconds=1)
    )
    assert services.requeue_lost() == 1
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.WAITING
    BoardPack.objects.filter(pk=pack.pk).update(
        status=BoardPack.Status.BUILDING,
        attempts=services.MAX_ATTEMPTS,
        progress_at=timezone.now() - services.LOST_AFTER - timedelta(seconds=1),
    )
    services.requeue_lost()
    pack.refresh_from_db()
    assert pack.status == BoardPack.Status.FAILED and "stopped before it finished" in pack.error


def test_the_list_costs_the_same_statements_for_one_pack_or_many(director_client, director):
    def statements():
        with CaptureQueriesContext(connection) as queries:
            assert director_client.get("/board-packs/?month=2015-01").status_code == 200
        return len(queries)

    ready_pack(director)
    statements()  # the months with figures are cached per run from the first request on
    one = statements()
    for version in range(2, 8):
        ready_pack(director, version=version)
    assert statements() == one


def test_the_split_row_check_finds_a_row_split_over_pages():
    """The check the worker test relies on can fail: a row taller than a page,
    allowed to break, is found on two pages."""
    tall = "<br>".join(["a line"] * 120)
    html = (
        "<style>@page { size: A4 landscape }</style><table><thead><tr><th>H</th></tr></thead>"
        f"<tbody><tr><td>{tall}</td></tr><tr><td>short</td></tr></tbody></table>"
    )
    document = rendering.render_pdf(html, base_url="http://testserver/").document
    assert rows_on_more_than_one_page(document) == 1
