"""Cursor pagination: stable pages with next/previous links, page_size honoured and capped, bad cursors 404."""

import pytest

from governance.lib.api import IdCursorPagination
from tests.factories import ResidentFactory
from tests.grids.api.helpers import API, World, assert_error, body, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = World()
    ResidentFactory.create_batch(4, grid=world.grid)  # 5 residents in grids[0]
    return world


def test_pages_follow_the_next_link_without_gaps_or_repeats(world):
    client = client_for(world.users["community_staff"])
    response = client.get(f"{API}residents/", {"page_size": 2})
    seen, pages = [], 0
    while True:
        data = body(response)
        assert len(data["results"]) <= 2
        seen += [row["id"] for row in data["results"]]
        pages += 1
        if not data["next"]:
            break
        assert data["next"].startswith("http://testserver/api/v1/residents/?cursor=")
        response = client.get(data["next"])
        assert response.status_code == 200
    assert pages == 3
    assert len(seen) == len(set(seen)) == 5
    assert seen == sorted(seen, reverse=True)  # newest first (ordering -id)
    assert body(client.get(data["previous"]))["results"]


def test_page_size_is_capped(world, monkeypatch):
    monkeypatch.setattr(IdCursorPagination, "max_page_size", 3)
    client = client_for(world.users["community_staff"])
    assert len(body(client.get(f"{API}residents/", {"page_size": 1000}))["results"]) == 3
    assert IdCursorPagination.page_size == 50 and IdCursorPagination.max_page_size == 3


def test_default_cap_is_200():
    assert IdCursorPagination.max_page_size == 200 and IdCursorPagination.page_size == 50


@pytest.mark.parametrize("page_size", ["0", "-5", "abc", "1e3", ""])
def test_odd_page_sizes_fall_back_to_the_default(world, page_size):
    client = client_for(world.users["community_staff"])
    response = client.get(f"{API}residents/", {"page_size": page_size})
    assert response.status_code == 200 and len(body(response)["results"]) == 5


@pytest.mark.parametrize("cursor", ["zzz", "cD0xMjM=", "%%%", "bz0xMDAwMDAwMDAwMDAwMDAwMDAwMDAwJnA9MQ==", "cD1hYmM=",
                                    "cD0xMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=", "cj0xJnA9YWJj", "cD0xLjU=", "cD0="])
def test_unknown_cursor_is_an_error_not_a_crash(world, cursor):
    client = client_for(world.users["community_staff"])
    response = client.get(f"{API}residents/", {"cursor": cursor})
    assert response.status_code in (200, 400, 404)
    if response.status_code != 200:
        assert_error(response, response.status_code)


def test_filters_combine_with_pagination(world):
    client = client_for(world.users["district_official"])
    response = client.get(f"{API}residents/", {"region": world.tree.communities[0].pk, "page_size": 2})
    assert response.status_code == 200 and len(body(response)["results"]) == 2
    assert_error(client.get(f"{API}residents/", {"region": 10**30}), 400, "invalid")
    assert_error(client.get(f"{API}residents/", {"q": "x" * 65}), 400, "invalid")
