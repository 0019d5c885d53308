"""seed_demo_cases before the demo district exists: a message, nothing written (kept apart from test_demo_cases.py,
whose module-wide seed would otherwise be visible here)."""

import io

import pytest

from grids.models import Incident
from grids.services.demo_cases import seed_demo_cases


@pytest.mark.django_db
def test_without_the_demo_district_nothing_happens():
    out = io.StringIO()
    result = seed_demo_cases(stdout=out)
    assert result["created"] == [] and not Incident.objects.exists()
    assert "run seed_demo first" in out.getvalue()
