"""The API answers through the local model server, as under `make run`: one server for the
session (in this process, models loaded on first use), serving the tests' folders."""

import pytest


@pytest.fixture(scope="session")
def model_server(tmp_path_factory):
    from django.conf import settings

    from evaluation.core.local_server import serve

    roots = [tmp_path_factory.getbasetemp(), settings.MODELS_DIR, settings.VAR_DIR, *settings.MODEL_ROOTS]
    server, url = serve(roots=roots)
    yield server, url
    server.shutdown()


@pytest.fixture(autouse=True)
def served_by_the_model_server(model_server, settings):
    settings.LOCAL_MODEL_SERVER_URL = model_server[1]
    return model_server[0]
