"""deploy/k8s: every manifest validates offline against the Kubernetes 1.30 schemas
(kubernetes-validate, strict), and the deployment rules hold: probes, resources, an HPA on the
API, Secrets referenced never inlined, GPU work pinned to the GPU node pool."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.conftest import REPO

K8S = REPO / "deploy" / "k8s"
K8S_VERSION = "1.30"
SECRET_WORDS = ("PASSWORD", "KEY", "TOKEN", "SECRET", "CATALOG")


def _docs(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")) if d]


def _all() -> list[dict[str, Any]]:
    return [
        d
        for f in sorted(K8S.glob("*.yaml"))
        if f.name != "kustomization.yaml"
        for d in _docs(f.name)
    ]


def _find(kind: str, name: str) -> dict[str, Any]:
    (doc,) = [d for d in _all() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def _pod(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    pod: dict[str, Any] = spec["template"]["spec"]
    return pod


def _workloads() -> list[dict[str, Any]]:
    return [d for d in _all() if d["kind"] in ("Deployment", "CronJob")]


@pytest.mark.parametrize("name", sorted(p.name for p in K8S.glob("*.yaml")))
def test_manifest_validates(name: str) -> None:
    docs = _docs(name)
    assert docs
    for doc in docs:
        if doc["kind"] == "Kustomization":
            continue
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        assert doc["metadata"].get("namespace", "ebrain") == "ebrain"


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    (kust,) = _docs("kustomization.yaml")
    listed = set(kust["resources"])
    assert all((K8S / r).is_file() for r in listed)
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert on_disk - listed == {"secret.example.yaml"}


def test_api_is_a_probed_autoscaled_stateless_deployment() -> None:
    api = _find("Deployment", "ebrain-api")
    (container,) = _pod(api)["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    volumes = _pod(api)["volumes"]
    assert not [v for v in volumes if "persistentVolumeClaim" in v], "the API keeps no state"
    hpa = _find("HorizontalPodAutoscaler", "ebrain-api")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "ebrain-api",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    service = _find("Service", "ebrain-api")
    assert (
        service["spec"]["selector"].items() <= api["spec"]["template"]["metadata"]["labels"].items()
    )


def test_every_container_has_requests_and_limits() -> None:
    for doc in _workloads():
        for container in _pod(doc)["containers"]:
            resources = container["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), doc["metadata"]["name"]
            assert {"cpu", "memory"} <= resources["limits"].keys(), doc["metadata"]["name"]


def test_secrets_are_referenced_never_inlined() -> None:
    for doc in _workloads():
        for container in _pod(doc)["containers"]:
            for env in container.get("env", []):
                if any(word in env["name"] for word in SECRET_WORDS):
                    assert "value" not in env, f"{env['name']} inlined in {doc['metadata']['name']}"
                    assert "secretKeyRef" in env["valueFrom"]
    config = _find("ConfigMap", "ebrain-config")["data"]["config.yaml"]
    assert "api_key:" not in config and "postgresql://" not in config


def test_gpu_servers_run_on_the_gpu_pool_only() -> None:
    for name in ("vllm", "tei"):
        pod = _pod(_find("Deployment", name))
        assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
        assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in pod[
            "tolerations"
        ]
        assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    for name in ("ebrain-api",):
        assert "tolerations" not in _pod(_find("Deployment", name))


def test_ingest_worker_never_runs_twice_at_once() -> None:
    cron = _find("CronJob", "ebrain-ingest")
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    (container,) = _pod(cron)["containers"]
    assert container["args"][0] == "ingest"


def test_a_broken_manifest_is_caught() -> None:
    bad = _find("Deployment", "ebrain-api")
    bad = {**bad, "spec": {**bad["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, K8S_VERSION, strict=True)
