"""The reference scorecard (January 2015) as sample data: `manage.py load_sample`,
and `manage.py remove_sample` to take it out again before real use.

Reads `data/sample.json` inside the project. Running it again changes nothing:
every row is looked up by its natural key and written only when it differs.
"""

import json
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q

from . import audit, extensions, library, periods
from .aggregation import add_months
from .models import (
    Baseline,
    Benchmark,
    ImportChangeSet,
    Measure,
    MonthlyReturn,
    Population,
    Publication,
    ReturnValue,
    ScorecardResult,
    ServiceArea,
    Target,
    TeamMembership,
)
from .opening import open_returns
from .services import save_changed

SAMPLE_FILE = Path(__file__).parent / "data" / "sample.json"
LONDON = ZoneInfo("Europe/London")


def _month(text: str) -> date:
    year, month = text.split("-")[:2]
    return date(int(year), int(month), 1)


def _sync(model, lookup: dict, values: dict):
    """get_or_create, then save only the fields that differ: a second load writes nothing."""
    instance, created = model.objects.get_or_create(**lookup, defaults=values)
    if not created:
        save_changed(instance, values)
    return instance


@transaction.atomic
def load_sample(path: Path = SAMPLE_FILE) -> list[dict]:
    """Load the sample; returns the demo logins (label, username, password)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    authority = _sync(
        ServiceArea,
        {"slug": data["authority"]["slug"]},
        {
            "name": data["authority"]["name"],
            "region": data["authority"]["region"],
            "parent": None,
            "order": 0,
        },
    )
    areas = {authority.slug: authority}
    for order, area in enumerate(data["areas"], start=1):
        areas[area["slug"]] = _sync(
            ServiceArea,
            {"slug": area["slug"]},
            {"name": area["name"], "parent": authority, "order": order},
        )

    for spec in data["populations"]:
        _sync(
            Population,
            {"area": authority, "year": spec["year"]},
            {"children_0_17": spec["children_0_17"], "source": spec["source"]},
        )
    logins = _load_users(data, areas)
    officer = get_user_model().objects.get(username="officer")

    months = [_month(m) for m in data["months"]]
    library.ensure_groups(spec["group"] for spec in data["measures"])
    for order, spec in enumerate(data["measures"], start=1):
        extra = {"tolerance": Decimal(spec["tolerance"])} if "tolerance" in spec else {}
        measure = _sync(
            Measure,
            {"code": spec["code"]},
            {
                **extra,
                "title": spec["title"],
                "definition": spec.get("definition", ""),
                "numerator_label": spec.get("numerator_label", ""),
                "denominator_label": spec.get("denominator_label", ""),
                "group_id": spec["group"],
                "unit": spec["unit"],
                "polarity": spec["polarity"],
                "entry": spec["entry"],
                "decimal_places": spec.get("decimal_places", 1),
                "level": spec["level"],
                "aliases": "\n".join(spec.get("aliases", [])),
                "order": order * 10,
                "is_headline": spec.get("headline", False),
            },
        )
        if spec.get("areas") is not None:
            wanted = {areas[slug] for slug in spec["areas"]}
            if set(measure.reporting_areas.all()) != wanted:
                measure.reporting_areas.set(wanted)
        if "baseline" in spec:
            baseline_date = date.fromisoformat(data["baseline"]["date"])
            _sync(
                Baseline,
                {"measure": measure, "date": baseline_date},
                {"value": Decimal(spec["baseline"]), "label": data["baseline"]["label"]},
            )
        for comparator, value in spec.get("benchmarks", {}).items():
            _sync(
                Benchmark,
                {
                    "measure": measure,
                    "comparator": comparator,
                    # the sample's benchmarks are 2014 figures, compared from January 2014
                    "period_kind": Benchmark.PeriodKind.CALENDAR_YEAR,
                    "period_start": periods.calendar_year(data["benchmark_year"]).starts,
                },
                {"value": Decimal(value), "source": data["source"]},
            )
        starts = date.fromisoformat(data["target_starts"])
        if "target" in spec:
            _sync(
                Target,
                {"measure": measure, "kind": Target.Kind.IN_YEAR, "starts": starts},
                {
                    "value": Decimal(spec["target"]),
                    "due": None,
                    "note": spec.get("target_note", ""),
                },
            )
        if "long_term_target" in spec:
            _sync(
                Target,
                {"measure": measure, "kind": Target.Kind.LONG_TERM, "starts": starts},
                {
                    "value": Decimal(spec["long_term_target"]),
                    "due": date.fromisoformat(data["long_term_target_due"]),
                },
            )
        for month, figure in zip(months, spec.get("monthly", []), strict=False):
            if figure is None:
                continue
            monthly_return = _authority_return(authority, month, officer, data["source"])
            not_applicable = figure == "n/a"
            _sync(
                ReturnValue,
                {"monthly_return": monthly_return, "measure": measure},
                {
                    "value": None if not_applicable else Decimal(figure),
                    "not_applicable_reason": data["not_applicable_reason"]
                    if not_applicable
                    else "",
                },
            )
        # A service area's figure where the source gives only the area's value.
        for slug, figures in spec.get("area_monthly", {}).items():
            for month, figure in zip(months, figures, strict=False):
                if figure is None:
                    continue
                monthly_return = approved_history_return(
                    areas[slug], month, officer, data["source"]
                )
                _sync(
                    ReturnValue,
                    {"monthly_return": monthly_return, "measure": measure},
                    {"value": Decimal(figure)},
                )

    commentary_return = _authority_return(
        authority, _month(data["commentary_month"]), officer, data["source"]
    )
    for code, text in data["commentary"].items():
        _sync(
            ReturnValue,
            {"monthly_return": commentary_return, "measure": Measure.objects.get(code=code)},
            {"commentary": text},
        )
    # Other apps' parts of the sample (the workforce app's staffing figures), in the
    # same transaction, after the measures and before the next month is opened.
    for part in extensions.parts():
        if part.sample_loader:
            part.sample_loader(data=data, areas=areas, months=months, officer=officer)
    # The month after the sample is open for entry, as on the 1st of March 2015.
    open_returns(_month(data["open_month"]))
    return logins


def _authority_return(authority, month, officer, source) -> MonthlyReturn:
    """The authority's approved return for a month of imported history."""
    return approved_history_return(authority, month, officer, source)


def approved_history_return(area, month, officer, source) -> MonthlyReturn:
    """An area's (or the authority's) approved return for a month of imported history."""
    approved_at = datetime.combine(add_months(month, 1).replace(day=10), time(12), LONDON)
    return _sync(
        MonthlyReturn,
        {"area": area, "month": month},
        {
            "status": MonthlyReturn.Status.APPROVED,
            "approved_by": officer,
            "approved_at": approved_at,
            "source": source,
        },
    )


def _load_users(data, areas) -> list[dict]:
    User = get_user_model()
    logins = []
    for spec in data["users"]:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "first_name": spec["first_name"],
                "last_name": spec["last_name"],
                "email": f"{spec['username']}@example.org",
                "is_staff": spec.get("staff", False) or spec.get("superuser", False),
                "is_superuser": spec.get("superuser", False),
            },
        )
        if created:
            user.set_password(data["demo_password"])
            user.save(update_fields=["password"])
        if "role" in spec:
            user.groups.add(Group.objects.get(name=spec["role"]))
        for slug in spec.get("areas", []):
            TeamMembership.objects.get_or_create(user=user, area=areas[slug])
        logins.append(
            {
                "label": spec["label"],
                "username": spec["username"],
                "password": data["demo_password"],
            }
        )
    return logins


class SampleKept(Exception):
    """Why the sample cannot be removed, one sentence per reason: nothing was."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def _sample_users(data):
    """The demo accounts as `load_sample` made them (their username and address)."""
    users = get_user_model().objects.none()
    for spec in data["users"]:
        users = users | get_user_model().objects.filter(
            username=spec["username"], email=f"{spec['username']}@example.org"
        )
    return users


def _what_else_would_go(data, areas, users) -> list[str]:
    """What is not the sample's but would be removed with it: areas of the
    authority, and figures shaped or proposed by anyone but the demo accounts."""
    problems = []
    sample_slugs = {data["authority"]["slug"], *(a["slug"] for a in data["areas"])}
    others = ServiceArea.objects.exclude(slug__in=sample_slugs).order_by("name")
    if others.exists():
        names = ", ".join(a.name for a in others)
        problems.append(f"These service areas are not the sample's: {names}.")
    returns = MonthlyReturn.objects.filter(area__in=areas)
    people = get_user_model().objects.exclude(pk__in=users.values("pk"))
    shaped = returns.filter(
        Q(submitted_by__in=people)
        | Q(approved_by__in=people)
        | Q(updated_by__in=people)
        | Q(contributions__user__in=people)
    ).distinct()
    if shaped.exists():
        listed = ", ".join(str(r) for r in shaped.select_related("area")[:5])
        problems.append(
            f"{shaped.count()} returns have figures entered or approved by people other "
            f"than the demo accounts (e.g. {listed})."
        )
    codes = [spec["code"] for spec in data["measures"]]
    foreign = (
        ReturnValue.objects.filter(monthly_return__in=returns)
        .exclude(measure__code__in=codes)
        .values_list("measure__title", flat=True)
        .distinct()
    )
    if foreign:
        problems.append(
            f"Returns carry figures of measures not from the sample: {', '.join(sorted(foreign))}."
        )
    proposals = ImportChangeSet.objects.filter(
        Q(proposed_by__in=people) | Q(reviewed_by__in=people)
    )
    if proposals.exists():
        problems.append(
            f"{proposals.count()} imports were proposed or reviewed by people other than "
            "the demo accounts."
        )
    return problems


def remove_sample(path: Path = SAMPLE_FILE) -> dict[str, int]:
    """Remove the sample, with its results and demo accounts, in one transaction,
    or raise SampleKept naming what else would go (nothing is then removed).
    Every removed row the audit tracks is recorded as removed by "remove sample".
    Returns how many of each were removed."""
    data = json.loads(path.read_text(encoding="utf-8"))
    with (
        transaction.atomic(),
        audit.context(user=None, action="remove sample", source=data["source"]),
    ):
        authority = ServiceArea.objects.filter(slug=data["authority"]["slug"]).first()
        if authority is None:
            raise SampleKept(
                [f"There is no sample to remove: {data['authority']['name']} is not here."]
            )
        areas = ServiceArea.objects.filter(Q(pk=authority.pk) | Q(parent=authority))
        users = _sample_users(data)
        if problems := _what_else_would_go(data, areas, users):
            raise SampleKept(problems)
        removed = {
            "results": ScorecardResult.objects.filter(area__in=areas).delete()[0],
            "returns": MonthlyReturn.objects.filter(area__in=areas).count(),
        }
        MonthlyReturn.objects.filter(area__in=areas).delete()
        measures = Measure.objects.filter(code__in=[spec["code"] for spec in data["measures"]])
        removed["measures"] = measures.count()
        measures.delete()
        # what the board was shown of the sample's months went with its figures
        Publication.objects.filter(figures__isnull=True).delete()
        ImportChangeSet.objects.filter(proposed_by__in=users).delete()
        removed["service areas"] = areas.count()
        ServiceArea.objects.filter(parent=authority).delete()
        authority.delete()
        removed["demo accounts"] = users.count()
        get_user_model().objects.filter(pk__in=list(users.values_list("pk", flat=True))).delete()
    return removed
