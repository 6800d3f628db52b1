"""No child's record is kept: a workbook whose identifiers, names and workers
are unique strings is uploaded, previewed and confirmed; then every row of
every table (as text), the sessions, the cache, the log output, the e-mails,
the pages shown and any new temporary file are searched for them."""

import json
import logging
import os
import tempfile
import uuid
from pathlib import Path

from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from annexa import reading
from scorecard.models import ReturnValue
from tests.annexa.test_derivations import HAND_COUNTED
from tests.annexa.workbooks import workbook


def secret(kind):
    return f"{kind}-{uuid.uuid4().hex}"


def the_workbook():
    """HAND_COUNTED's lists with unique identifiers, and columns of names and
    workers the export carries too; one date no one can read."""
    secrets, sheets = [], {}
    for number, rows in HAND_COUNTED.items():
        columns = reading.LISTS[number][1]
        table = [[c.headings[0] for c in columns] + ["Child Name", "Allocated Worker"]]
        for row in rows:
            child, name, worker = secret("CHILD"), secret("NAME"), secret("WORKER")
            secrets += [child, name, worker]
            cells = {**row, "child_id": child}
            table.append([cells.get(c.field) for c in columns] + [name, worker])
        sheets[f"List {number}"] = table
    unreadable = secret("DATE")
    secrets.append(unreadable)
    sheets["List 3"][1][1] = unreadable  # the first referral's date
    return workbook(sheets), secrets


def database_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' "
            "AND table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        tables = cursor.fetchall()
        texts = []
        for schema, table in tables:
            cursor.execute(f'SELECT t::text FROM "{schema}"."{table}" t')
            texts += [row[0] for row in cursor.fetchall()]
    sessions = [json.dumps(s.get_decoded(), default=str) for s in Session.objects.all()]
    return "\n".join(texts + sessions)


def cache_bytes() -> bytes:
    cache = caches["default"]
    return b"".join(value for value in getattr(cache, "_cache", {}).values())


def files_in(directory) -> set[str]:
    found = set()
    for root, _, names in os.walk(directory):
        found |= {os.path.join(root, name) for name in names}
    return found


def test_no_identifier_name_or_worker_is_kept_anywhere(
    client, annex_a_authority, officer, caplog, mailoutbox, settings
):
    caplog.set_level(logging.DEBUG)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # Django would write the upload to a file
    content, secrets = the_workbook()
    before = files_in(tempfile.gettempdir())
    client.force_login(officer)
    preview = client.post(
        reverse("annexa-upload"),
        {"file": SimpleUploadedFile("annex-a.xlsx", content), "extracted_on": "2026-11-03"},
    )
    assert preview.status_code == 200
    assert isinstance(preview.wsgi_request.FILES["file"], InMemoryUploadedFile)
    assert "could not be read" in preview.content.decode()  # said, as a count
    done = client.post(reverse("annexa-confirm"), {"token": preview.context["token"]}, follow=True)
    assert done.status_code == 200
    assert ReturnValue.objects.filter(numerator__isnull=False).count() > 50  # counts were kept

    database = database_text()
    cached = cache_bytes()
    logs = caplog.text + "".join(str(r.exc_info) for r in caplog.records if r.exc_info)
    mails = "".join(m.subject + m.body for m in mailoutbox)
    pages = preview.content.decode() + done.content.decode()
    new_files = files_in(tempfile.gettempdir()) - before
    new_content = b"".join(Path(p).read_bytes() for p in new_files if os.path.isfile(p))
    assert secrets
    for text in secrets:
        assert text not in database
        assert text.encode() not in cached
        assert text not in logs
        assert text not in mails
        assert text not in pages
        assert text.encode() not in new_content
    # nor the workbook itself, in any form
    assert content[200:264].hex() not in database
    assert content[200:264] not in cached
