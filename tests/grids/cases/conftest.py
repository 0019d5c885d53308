import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    from tests.grids.incidents.factories import make_world

    return make_world()


@pytest.fixture
def en_client_for(client_for, settings):
    """client_for(user) with the English interface (the default language is zh-hans)."""

    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
