"""The reference scorecard (January 2015) as sample data: `manage.py load_sample`.

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

from . import extensions
from .aggregation import add_months
from .models import (
    Baseline,
    Benchmark,
    Measure,
    MonthlyReturn,
    Population,
    ReturnValue,
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
                "group": spec["group"],
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
                {"measure": measure, "comparator": comparator, "year": data["benchmark_year"]},
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
