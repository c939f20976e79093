"""docker/compose.yml cannot be run here (no Docker engine); check its shape instead."""

import yaml
from django.conf import settings


def test_compose_defines_the_production_stack():
    compose = yaml.safe_load((settings.BASE_DIR / "docker" / "compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "gpu-worker", "model-server", "tgi", "postgres", "redis"}
    assert "-Q default" in services["worker"]["command"]
    assert "-Q gpu" in services["gpu-worker"]["command"]
    assert services["gpu-worker"]["deploy"]["resources"]["reservations"]["devices"][0]["driver"] == "nvidia"
    assert "LORA_ADAPTERS" in services["tgi"]["environment"]
    # the local model server: for development-like stacks only, serving below the shared folders
    server = services["model-server"]
    assert server["profiles"] == ["local-models"] and "evaluation.core.local_server" in server["command"]
    assert "--root /models" in server["command"] and "--root /data/runs" in server["command"]
    assert services["web"]["environment"]["LOCAL_MODEL_SERVER_URL"].endswith("model-server:8081}")
    for name in ("web", "worker", "gpu-worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert "SECRET_KEY" in env
