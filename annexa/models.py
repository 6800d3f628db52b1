"""What the Annex A upload keeps: counts and where they came from, never a
child's record. The team mapping, the provenance of each value it filled, and
the data-quality findings (counts by code) carried to a team's return."""

import pghistory
from django.conf import settings
from django.db import models

from scorecard.models import MonthlyReturn, ReturnValue, ServiceArea


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class TeamMapping(models.Model):
    """An "Allocated Team" value of the lists, mapped once to a service area."""

    key = models.CharField(
        max_length=200,
        unique=True,
        help_text="The team as written, normalised (`reading.normalised`).",
    )
    label = models.CharField(max_length=200, help_text="The team as the lists write it.")
    area = models.ForeignKey(
        ServiceArea,
        on_delete=models.CASCADE,
        related_name="annex_a_teams",
        limit_choices_to={"parent__isnull": False},
    )

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return f"{self.label} -> {self.area}"


class Provenance(models.Model):
    """A value of a return filled from an Annex A workbook: when the lists were
    extracted and which file (its SHA-256)."""

    value = models.OneToOneField(ReturnValue, on_delete=models.CASCADE, related_name="annex_a")
    extracted_on = models.DateField()
    sha256 = models.CharField(max_length=64)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filled_at = models.DateTimeField()

    def __str__(self):
        return f"Annex A, extracted {self.extracted_on:%Y-%m-%d} (file {self.sha256[:12]})"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ReturnFindings(models.Model):
    """The data-quality findings of the lists for one team's return, as counts by
    code; the team explains them in `commentary` before the return is submitted."""

    monthly_return = models.OneToOneField(
        MonthlyReturn, on_delete=models.CASCADE, related_name="annex_a_findings"
    )
    extracted_on = models.DateField()
    sha256 = models.CharField(max_length=64)
    findings = models.JSONField(default=list, help_text="[[code, count]]")
    commentary = models.TextField(blank=True)

    def __str__(self):
        return f"Annex A findings for {self.monthly_return}"
