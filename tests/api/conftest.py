"""The API answers through the local model server, as under `make run`: one server for the
session (in this process, models loaded on first use), serving the tests' folders."""

import pytest


@pytest.fixture(autouse=True)
def served_by_the_model_server(model_server, settings):
    settings.LOCAL_MODEL_SERVER_URL = model_server[1]
    return model_server[0]
