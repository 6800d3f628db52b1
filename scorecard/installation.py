"""A real installation's start: the authority, its region and its first
administrator, and nothing else (`manage.py start_authority`).

Everything is checked before anything is written, and written in one
transaction: a refusal leaves the database as it was.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from . import audit
from .models import Region, ServiceArea


class Refused(Exception):
    """What cannot be started, one sentence per problem."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Started:
    authority: ServiceArea
    administrator: object


def problems_with(
    *, name: str, region: str, admin_username: str, admin_email: str, admin_password: str
) -> list[str]:
    """Why these answers cannot start an authority (none: they can)."""
    User = get_user_model()
    existing = ServiceArea.objects.authority()
    if existing is not None:
        return [f"There is already an authority, {existing}: an installation has exactly one."]
    problems = []
    name = name.strip()
    name_field = ServiceArea._meta.get_field("name")
    if not name or not slugify(name):
        problems.append("Give the authority's name (letters or digits).")
    elif len(name) > name_field.max_length:
        problems.append(f"The authority's name is at most {name_field.max_length} characters.")
    if region not in Region.values:
        problems.append(f"The region is one of: {', '.join(Region.values)}.")
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    try:
        username_field.clean(admin_username, None)
    except ValidationError as error:
        problems.extend(f"Administrator's username: {m}" for m in error.messages)
    else:
        if User.objects.filter(**{User.USERNAME_FIELD: admin_username}).exists():
            problems.append(f"Administrator's username: {admin_username} is taken.")
    try:
        validate_email(admin_email)
    except ValidationError:
        problems.append("Administrator's email: enter an email address (name@example.org).")
    try:
        validate_password(admin_password, User(username=admin_username, email=admin_email))
    except ValidationError as error:
        problems.extend(f"Administrator's password: {m}" for m in error.messages)
    return problems


def start_authority(
    *, name: str, region: str, admin_username: str, admin_email: str, admin_password: str
) -> Started:
    """Create the authority and its first administrator, or raise Refused."""
    answers = {
        "name": name,
        "region": region,
        "admin_username": admin_username,
        "admin_email": admin_email,
        "admin_password": admin_password,
    }
    with transaction.atomic(), audit.context(user=None, action="start authority"):
        # a second start at the same moment passes this check too, then meets the
        # one_authority constraint and rolls back whole
        if problems := problems_with(**answers):
            raise Refused(problems)
        name = name.strip()
        authority = ServiceArea.objects.create(
            name=name, slug=slugify(name)[:60], region=region, parent=None, order=0
        )
        administrator = get_user_model().objects.create_superuser(
            username=admin_username, email=admin_email, password=admin_password
        )
    return Started(authority, administrator)
