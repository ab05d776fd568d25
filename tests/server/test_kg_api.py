"""The knowledge-graph routes: the CLI's queries over the API, filtered by the caller's groups
and its key's knowledge bases (the secret document names Wombatix Holdings and QK-7731)."""

from __future__ import annotations

from pathlib import Path

from ebrain.auth import Principal
from tests.server.harness import Running


def test_a_member_sees_the_secret_entity(running: Running) -> None:
    with running.client("admin") as c:
        body = c.get("/api/kg/entity", params={"name": "Wombatix Holdings Ltd."}).json()
        assert body["entities"][0]["documents"][0]["document_id"] == running.docs["secret"]
        near = c.get("/api/kg/neighbors", params={"name": "QK-7731"}).json()
        assert "Wombatix Holdings Ltd." in {n["name"] for n in near["neighbors"]}
        found = c.get("/api/kg/path", params={"from": "Wombatix", "to": "QK-7731"}).json()
        assert found["found"] is True
        assert "Wombatix" in c.get("/api/kg/export", params={"format": "graphml"}).text


def test_an_outsider_gets_404_and_no_trace(running: Running) -> None:
    with running.client("otto") as c:
        for name in ("Wombatix Holdings Ltd.", "ombatix", "K-773"):
            response = c.get("/api/kg/entity", params={"name": name})
            assert response.status_code == 404, response.text
            assert response.json()["error"]["code"] == "not_found"
            leaked = response.text.replace(name, "")
            assert "QK-7731" not in leaked and "Wombatix" not in leaked
        response = c.get("/api/kg/path", params={"from": "Wombatix", "to": "HT-2000"})
        assert response.status_code == 404
        export = c.get("/api/kg/export", params={"format": "jsonld"})
        assert export.headers["content-type"].startswith("application/ld+json")
        assert "HT-2000" in export.text and "Wombatix" not in export.text


def test_records_are_filtered_by_groups(running: Running) -> None:
    with running.client("sally") as c:
        sally = c.get("/api/kg/records/contract").json()
    with running.client("otto") as c:
        otto = c.get("/api/kg/records/contract").json()
    assert otto["count"] == 0 and otto["records"] == []
    assert {r["document_id"] for r in sally["records"]} <= {running.docs["sales"]}


def test_a_key_limited_to_another_kb_sees_nothing(running: Running) -> None:
    brain = running.brain
    brain.create_kb("other")
    raw = brain.identity.create_key("admin", kbs=["other"])[0]
    with running.client() as c:
        headers = {"Authorization": f"Bearer {raw}"}
        assert c.get("/api/kg/entity?name=Wombatix", headers=headers).status_code == 404
        assert "HT-2000" not in c.get("/api/kg/export", headers=headers).text
    assert brain.kg.entity("Wombatix", principal=Principal.owner())["entities"]


def test_bad_input_is_a_clear_error(running: Running) -> None:
    with running.client("sally") as c:
        assert c.get("/api/kg/records/salary").status_code == 422
        bad = c.get("/api/kg/records/contract", params={"where": "amount >>> 1"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
        assert c.get("/api/kg/entity", params={"name": "x" * 201}).status_code == 422
        assert c.get("/api/kg/entity", params={"name": "   "}).status_code == 422


def test_support_insights_count_only_readable_transcripts(running: Running, tmp_path: Path) -> None:
    chat = "Support chat\n\nDate: {day}\nCustomer: {who}\nProduct: {product}\n" + (
        "Customer: the {product} keeps going offline, this is unacceptable.\n"
        "Support: we are looking into it.\nCustomer: still not fixed.\n"
    )
    for name, acl, who, product in (
        ("support_chat_public_2024-05-02.txt", [], "Dongfang Machinery Co., Ltd.", "HT-2000"),
        ("support_chat_secret_2024-05-03.txt", ["hr"], "Wombatix Holdings Ltd.", "QX-7731"),
    ):
        path = tmp_path / "chats" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(chat.format(day=name[-14:-4], who=who, product=product), "utf-8")
        running.brain.ingest([path], kb="main", acl=acl, jobs=1)
    with running.client("admin") as c:
        member = c.get("/api/kg/insights/support").json()
    with running.client("otto") as c:
        outsider = c.get("/api/kg/insights/support", params={"since": "2024-01-01"})
        bad = c.get("/api/kg/insights/support", params={"since": "2024-13-01"})
    assert member["transcripts"] == 2 and "QX-7731" in str(member)
    assert outsider.status_code == 200 and outsider.json()["transcripts"] == 1
    assert "QX-7731" not in outsider.text and "Wombatix" not in outsider.text
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
