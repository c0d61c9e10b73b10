"""A service's prefetch keys are one set whatever the terminology: the hook body's decoder is chosen by them once per
service, so a site's value sets may change the queries but never the keys."""

from __future__ import annotations

import pytest

from cds_service.site_codes import load_site_codes
from hooks.services import SERVICES, ServiceDeclaration
from tests.conftest import FIXTURES

SITE_CODES = FIXTURES / "examples" / "site-codes.example.yaml"


@pytest.mark.parametrize("service", SERVICES, ids=[s.id for s in SERVICES])
def test_a_site_terminology_changes_the_queries_not_the_keys(service: ServiceDeclaration) -> None:
    site = service.prefetch_with(load_site_codes(SITE_CODES))
    assert frozenset(site) == service.prefetch_keys == frozenset(service.prefetch)


def test_the_example_site_codes_change_some_query() -> None:
    """Otherwise the test above would compare a service's templates with themselves."""
    site = load_site_codes(SITE_CODES)
    assert any(s.prefetch_with(site) != s.prefetch for s in SERVICES)
