"""A board pack for the sample's January 2015, asked for on the page and made by a
real Celery worker through Redis; then read back as a board member would."""

import time
from datetime import date

import pytest
from celery.result import EagerResult
from django.utils import timezone

from boardpack import rendering, services, tasks
from boardpack.models import BoardPack
from scorecard import engine, reports
from scorecard.models import ServiceArea
from scorecard.tables import ScorecardTable
from tests.scorecard.test_tasks_worker import worker  # noqa: F401 - the real worker

from .pdf import contents_pages, flat, page_texts, rows_on_more_than_one_page

JAN = date(2015, 1, 1)
MARKING = "OFFICIAL-SENSITIVE"


def wait_until_made(pack, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pack.refresh_from_db()
        if pack.status in (BoardPack.Status.READY, BoardPack.Status.FAILED):
            return pack
        time.sleep(0.3)
    pytest.fail(f"pack {pack.pk} still {pack.status} after {timeout} s")


@pytest.fixture
def director(client, sample, django_user_model):
    client.force_login(django_user_model.objects.get(username="director"))
    return client


@pytest.mark.django_db(transaction=True)
def test_a_pack_asked_for_on_the_page_is_made_by_the_worker_and_kept(worker, director):  # noqa: F811
    authority = ServiceArea.objects.authority()
    response = director.post("/board-packs/", {"month": "2015-01", "area": authority.pk})
    pack = BoardPack.objects.get()
    assert response.status_code == 302 and response.url == f"/board-packs/{pack.pk}/"
    assert pack.filename == "board-pack-buckinghamshire-2015-01-v1.pdf"

    wait_until_made(pack)
    assert pack.status == BoardPack.Status.READY, pack.error
    run = engine.latest_successful_run()
    assert pack.run == run and pack.provisional is False and pack.marking == MARKING

    page = director.get(f"/board-packs/{pack.pk}/")
    assert "Refresh" not in page  # made: the page stops refreshing itself
    assert f"Ready: {pack.pages} pages" in page.content.decode()
    listing = director.get("/board-packs/?month=2015-01").content.decode()
    assert pack.filename in listing and "final figures" in listing

    download = director.get(f"/board-packs/{pack.pk}/download/")
    assert download["Content-Type"] == "application/pdf"
    assert pack.filename in download["Content-Disposition"]
    pdf = download.content
    assert pdf == bytes(pack.pdf)
    texts = page_texts(pdf)
    assert len(texts) == pack.pages > 8

    # every page: the marking, top and foot, and "Page N of M"
    for number, text in enumerate(texts, 1):
        assert text.count(MARKING) >= 2, f"page {number}"
        assert f"Page {number} of {len(texts)}" in text
    cover = texts[0]
    as_at = timezone.localtime(run.finished_at)
    assert f"Figures as at {as_at:%-d %B %Y, %H:%M} (calculation {run.pk}), final" in cover
    assert "Buckinghamshire Children's Services" in cover and "January 2015" in cover
    assert "Final. All 2 returns for January 2015 are approved." in cover

    # the scorecard's pages carry each measure's outturn and RAG as the scorecard shows them
    scorecard = reports.build_scorecard(area=authority, month=JAN)
    table = ScorecardTable(scorecard)
    starts = contents_pages(texts[1])
    first = starts["The scorecard, with commentary"]
    scorecard_pages = texts[first - 1 : starts["The exceptions, one page each"] - 1]
    assert "scorecard as at January 2015" in scorecard_pages[0]
    titles = [flat(row.measure.title) for row in scorecard.rows]
    for index, row in enumerate(scorecard.rows):
        title = titles[index]
        [text] = [t for t in scorecard_pages if f" {title} " in t] or [None]
        assert text is not None, f"{title} is on no scorecard page, or on more than one"
        line = text[text.index(f" {title} ") + len(title) + 2 :]
        for later in titles[index + 1 :]:
            line = line.split(f" {later} ")[0]  # up to the next measure's row
        for name in ("outturn", "target", "rag"):
            assert formatted(table, row, name) in line, (title, name, line)
    whole = " ".join(texts)
    # the sample's commentary, each in full on one page
    summary = reports.build_summary(
        area=authority, month=JAN, visible_areas=ServiceArea.objects.all()
    )
    commentary = [
        words for _, items in summary.groups for i in items for _, _, words in i.commentary
    ]
    assert len(commentary) >= 5
    for words in commentary:
        assert any(flat(words) in t for t in scorecard_pages), words[:40]
    assert "31.0%" in whole and "Red for 1 month; 6.0 points worse than the 25.0% target" in whole

    # the contents' page numbers point to the pages that carry those headings
    assert starts["RAG summary"] == 3
    assert "RAG summary, January 2015" in texts[2]
    assert "Exceptions, ranked by concern" in texts[starts["Exceptions, ranked by concern"] - 1]
    assert "Workforce, January 2015" in texts[starts["Workforce"] - 1]
    assert "1. % ICPC within 15 working days" in texts[starts["The exceptions, one page each"] - 1]

    # no table row is split over two pages
    html, _ = services.pack_html(pack)
    laid_out = rendering.render_pdf(html, base_url="http://testserver/")
    assert laid_out.pages == pack.pages
    assert rows_on_more_than_one_page(laid_out.document) == 0

    # asked for again: a new version under a new name; the first stays as it was
    first_sha = pack.sha256
    director.post("/board-packs/", {"month": "2015-01", "area": authority.pk})
    second = wait_until_made(BoardPack.objects.get(version=2))
    assert second.filename == "board-pack-buckinghamshire-2015-01-v2.pdf"
    pack.refresh_from_db()
    assert pack.sha256 == first_sha
    assert director.get(f"/board-packs/{pack.pk}/download/").content == pdf


def formatted(table, row, name):
    """A cell as the scorecard's export writes it (its words, no markup)."""
    bound = next(r for r in table.rows if r.record is row)
    return str(bound.get_cell_value(name))


@pytest.mark.django_db(transaction=True)
def test_the_minute_task_makes_a_pack_the_broker_never_heard_of(worker, sample, django_user_model):  # noqa: F811
    director = django_user_model.objects.get(username="director")
    pack = BoardPack.objects.create(
        area=ServiceArea.objects.authority(),
        month=JAN,
        version=1,
        filename="board-pack-buckinghamshire-2015-01-v1.pdf",
        requested_by=director,
        marking=MARKING,
    )  # as a request leaves it when Redis was down
    result = tasks.build_waiting.delay()
    assert not isinstance(result, EagerResult)
    assert wait_until_made(pack).status == BoardPack.Status.READY
