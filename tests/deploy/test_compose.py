"""docker/: the compose file is valid (`docker-compose config`, Debian's docker-compose; no
engine needed) and runs every process role of DESIGN.md the way docs/operations.md says."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.services import CI

ROOT = Path(__file__).resolve().parents[2]
ROLES = {"web", "worker", "beat", "bridge"}  # DESIGN.md's process roles


@pytest.fixture(scope="module")
def compose(tmp_path_factory) -> dict:
    binary = shutil.which("docker-compose")
    if binary is None:
        message = "needs docker-compose (apt-get install docker-compose)"
        if CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("stack") / "docker"
    shutil.copytree(ROOT / "docker", folder)
    shutil.copy(ROOT / "docker" / "env.example", folder / ".env")  # as docs/operations.md says
    result = subprocess.run(
        [binary, "-f", "compose.yml", "config"], cwd=folder, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_every_process_role_has_a_service_and_web_runs_twice(compose):
    services = compose["services"]
    roles = {name: service["command"][0] for name, service in services.items() if service.get("command")}

    assert ROLES <= set(roles.values())
    assert sorted(name for name, role in roles.items() if role == "web") == ["web1", "web2"]
    for backing in (
        "postgres",
        "redis",
        "mongo",
        "elasticsearch",
        "nats",
        "minio",
        "nginx",
        "prometheus",
        "grafana",
    ):
        assert backing in services


def test_migrations_run_once_before_the_app_starts(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web1", "web2", "worker", "beat", "bridge"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["command"] != ["migrate"]


def test_mongo_is_a_replica_set_and_secrets_come_from_the_env_file(compose):
    services = compose["services"]
    assert "--replSet" in services["mongo"]["command"]
    for name in ("migrate", "web1", "web2", "worker", "beat", "bridge"):  # the document store
        assert "replicaSet=rs0" in services[name]["environment"]["MONGODB_URI"], name
    entrypoint = (ROOT / "docker/entrypoint.sh").read_text()
    assert "migrate) exec python manage.py migrate_all" in entrypoint  # both databases
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "change-me"
    assert services["web1"]["environment"]["DJANGO_SECRET_KEY"].startswith("change-me")


def test_nginx_upgrades_websockets_and_prometheus_scrapes_every_process():
    nginx = (ROOT / "docker/nginx/nginx.conf").read_text()
    assert re.search(r"location /ws/ \{[^}]*proxy_set_header Upgrade \$http_upgrade", nginx)
    assert "server web1:8000" in nginx and "server web2:8000" in nginx  # noqa: PT018
    targets = {
        target
        for job in yaml.safe_load((ROOT / "docker/prometheus/prometheus.yml").read_text())["scrape_configs"]
        for config in job["static_configs"]
        for target in config["targets"]
    }
    assert targets == {"web1:8000", "web2:8000", "bridge:9102", "worker:9103"}


def test_the_image_is_multi_stage_slim_non_root_with_a_healthcheck():
    dockerfile = (ROOT / "docker/Dockerfile").read_text()
    assert dockerfile.count("FROM python:3.11-slim") == 2
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile
    entrypoint = (ROOT / "docker/entrypoint.sh").read_text()
    for role in ROLES | {"migrate"}:
        assert re.search(rf"^\s+{role}\)", entrypoint, re.MULTILINE), role
