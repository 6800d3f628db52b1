"""A board pack: the PDF of a month's figures as the board was sent them, kept
with the calculation run it was made from.

The PDF's bytes live in the database, not in a file under MEDIA_ROOT: the web
processes of a deployment (Procfile) have no shared, lasting disk, and a file
beside the row could be lost on a redeploy or left behind by a restore; in the
database the pack and the record of what it was made from are backed up,
restored and replicated together. A pack is a few hundred kilobytes.

A pack is never made again under the same name: each request is a new version
of its area's month. A finished pack cannot be changed or deleted (a database
trigger refuses it), so what the board saw stays downloadable.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from scorecard.models import CalculationRun, ServiceArea


class BoardPack(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting to be made"
        BUILDING = "building", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month the pack reports.")
    version = models.PositiveIntegerField()
    filename = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    progress = models.PositiveSmallIntegerField(default=0)  # per cent
    step = models.CharField(max_length=300, blank=True)  # what the build is doing now
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written with each step while it is being made: a pack "Being made" whose
    # progress is long silent lost its worker, and waits to be made again.
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # What it was made from and with, as printed on its cover.
    run = models.ForeignKey(
        CalculationRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provisional = models.BooleanField(null=True)
    marking = models.CharField(max_length=80, blank=True)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    pdf = models.BinaryField(editable=False, null=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-month", "area__order", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "month", "version"], name="board_pack_version_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (Q(pdf__isnull=False) & Q(run__isnull=False)),
                name="ready_pack_has_pdf_and_run",
            ),
        ]
        triggers = [
            # What the board saw is kept: a finished pack is never changed or removed.
            pgtrigger.Protect(
                name="ready_pack_kept",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="ready"),
            ),
        ]

    def __str__(self):
        return self.filename
