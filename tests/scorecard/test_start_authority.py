"""`manage.py start_authority`: a real installation starts with its authority,
its region and its first administrator, and nothing else."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import CommandError, call_command

from scorecard.models import Measure, MonthlyReturn, ServiceArea
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-admin-password-7"
FLAGS = [
    "--name=Anyshire Children's Services",
    "--region=London",
    "--admin-username=sysowner",
    "--admin-email=sysowner@anyshire.example",
    "--no-input",
]


@pytest.fixture
def admin_password(monkeypatch):
    monkeypatch.setenv("AUTHORITY_ADMIN_PASSWORD", PASSWORD)


def start(*flags):
    out = io.StringIO()
    call_command("start_authority", *flags, stdout=out)
    return out.getvalue()


def test_it_starts_the_authority_and_its_administrator_and_nothing_else(admin_password):
    output = start(*FLAGS)

    authority = ServiceArea.objects.get()
    assert (authority.name, authority.region, authority.parent) == (
        "Anyshire Children's Services",
        "London",
        None,
    )
    administrator = get_user_model().objects.get()
    assert administrator.username == "sysowner"
    assert administrator.is_superuser and administrator.is_staff
    assert administrator.check_password(PASSWORD)
    assert not Measure.objects.exists()
    assert not MonthlyReturn.objects.exists()
    assert "Anyshire Children's Services (London) started" in output


def test_it_asks_for_what_the_options_do_not_give(admin_password, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Anyshire\n7\nsysowner\nsys@anyshire.example\n"))
    start()
    assert ServiceArea.objects.get().region == "London"  # the 7th region
    assert get_user_model().objects.get().email == "sys@anyshire.example"


def test_it_refuses_when_an_authority_exists_and_writes_nothing(admin_password):
    factories.authority()
    with pytest.raises(CommandError, match="There is already an authority, The Authority"):
        start(*FLAGS)
    assert ServiceArea.objects.count() == 1
    assert not get_user_model().objects.exists()


def test_bad_answers_are_refused_each_with_its_reason(monkeypatch):
    monkeypatch.setenv("AUTHORITY_ADMIN_PASSWORD", "short")
    flags = ["--name=Anyshire", "--region=Wessex", "--admin-username=sys owner!"]
    with pytest.raises(CommandError) as refused:
        start(*flags, "--admin-email=nowhere", "--no-input")
    message = str(refused.value)
    assert "Nothing was written" in message
    assert "The region is one of: North East, North West" in message
    assert "Administrator's username" in message
    assert "Administrator's email" in message
    assert "Administrator's password: This password is too short" in message
    assert not ServiceArea.objects.exists()
    assert not get_user_model().objects.exists()


def test_without_input_every_answer_must_be_given(admin_password):
    with pytest.raises(CommandError, match="--region is needed with --no-input"):
        start("--name=Anyshire", "--admin-username=a", "--admin-email=a@b.example", "--no-input")
    assert not ServiceArea.objects.exists()


def test_without_input_the_password_must_be_in_the_environment(monkeypatch):
    monkeypatch.delenv("AUTHORITY_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match=r"\$AUTHORITY_ADMIN_PASSWORD is needed"):
        start(*FLAGS)
    assert not ServiceArea.objects.exists()


def test_the_scorecard_heads_the_regional_comparator_with_the_authoritys_region(
    sample, client, django_user_model
):
    cache.clear()
    ServiceArea.objects.filter(parent__isnull=True).update(region="North West")
    client.force_login(django_user_model.objects.get(username="director"))
    page = client.get("/scorecard/").content.decode()
    assert re.search(r'class="govuk-table__header col-region">\s*North West\s*<', page)
    assert "South East" not in page
