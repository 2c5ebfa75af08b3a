import io

import pytest
from django.core.management import call_command

from casework.models import Member, Organisation, OrgKind
from casework.validation import validate_id_number


@pytest.mark.django_db
def test_seed_demo_is_deterministic_valid_and_idempotent() -> None:
    out = io.StringIO()
    call_command("seed_demo", "--members", "60", stdout=out)
    assert "coordinator" in out.getvalue()
    assert "Lianluo@2026" in out.getvalue()
    members = Member.objects.count()
    orgs = Organisation.objects.count()
    assert members == 60
    assert Organisation.objects.filter(kind=OrgKind.BRANCH).count() == 10
    for member in Member.objects.all():
        assert validate_id_number(member.id_number) == member.id_number
    call_command("seed_demo", "--members", "60", stdout=io.StringIO())
    assert Member.objects.count() == members
    assert Organisation.objects.count() == orgs
