"""Write setup.xlsx: Darlington's catalogue (catalogue.csv) as the product's own
set-up file, the workbook `manage.py export_setup` writes and `manage.py
import_setup` reads.

    .venv/bin/python tests/data/darlington/make_setup.py

Offline and touching no database of yours: it migrates a throwaway in-memory
SQLite database, sets the catalogue up there with the product's own services
(the library's adoption for the 10 library measures, so they keep the library's
code, title and definition with Darlington's title as an alias; the council's
own 3 measures under their catalogue codes), and exports it with the product's
exporter, so the sheets and columns are exactly the product's. The same
catalogue.csv gives the same bytes: the workbook's timestamps are fixed.
"""

import csv
import io
import os
import re
import sys
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
OUTPUT = HERE / "setup.xlsx"

AUTHORITY = "Darlington Children's Services"
SOURCE = "Darlington Borough Council, Children and Young People Scrutiny Committee"
# Any fixed moment: the workbook says when it was written, and a new time each
# run would make a new file from the same catalogue.
WRITTEN_AT = "2020-03-31T00:00:00Z"
ZIP_TIME = (2020, 3, 31, 0, 0, 0)


def catalogue() -> list[dict]:
    with (HERE / "catalogue.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def set_up(rows: list[dict]) -> None:
    from django.db import transaction
    from django.utils.text import slugify

    from scorecard import library
    from scorecard.models import Measure, MeasureGroup, Region, ServiceArea, Target

    with transaction.atomic():
        ServiceArea.objects.create(
            name=AUTHORITY, slug=slugify(AUTHORITY), region=Region.NORTH_EAST, parent=None
        )
        library.adopt(
            {row["library_code"]: row["own_title"] for row in rows if row["library_code"]}
        )
        for row in rows:
            if row["library_code"]:
                continue
            Measure.objects.create(
                code=row["code"],
                title=row["own_title"],
                group=MeasureGroup.objects.get(code=row["group"]),
                unit=row["unit"],
                entry=Measure.Entry.RATIO,
                polarity=row["polarity"],
                level=Measure.Level.AREA,
                decimal_places=1,
                source=SOURCE,
            )
        for position, row in enumerate(rows, start=1):
            measure = Measure.objects.get(code=row["library_code"] or row["code"])
            measure.order = position  # the catalogue's order, the minutes' own
            measure.frequency = row["frequency"]
            measure.tolerance = Decimal(row["tolerance"])
            measure.tolerance_kind = row["tolerance_kind"]
            measure.green_band = Decimal(row["green_band"])
            measure.save()
            if row["target"]:
                year, month = row["target_starts"].split("-")
                Target.objects.create(
                    measure=measure,
                    kind=Target.Kind.IN_YEAR,
                    value=Decimal(row["target"]),
                    starts=date(int(year), int(month), 1),
                    note=f"As the minutes state it (agenda items {row['stated_in']})",
                )
        # The file holds Darlington's groups only, not every group the product starts with.
        MeasureGroup.objects.filter(measures__isnull=True).delete()


def fixed_timestamps(workbook: bytes) -> bytes:
    """The workbook with its written-at times (document properties, zip entries) fixed."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                    rb"\g<1>" + WRITTEN_AT.encode(),
                    content,
                )
            target.writestr(
                zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME),
                content,
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return output.getvalue()


def main() -> None:
    # A throwaway database, whatever the environment names.
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from scorecard import reference_data

    call_command("migrate", verbosity=0)
    set_up(catalogue())
    OUTPUT.write_bytes(fixed_timestamps(reference_data.export_workbook()))
    print(f"Wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
