"""The SQLite store: migrations, documents, units, work keys, provenance."""

import pytest

from pipeline.records import Document, Region, Unit
from pipeline.store import MIGRATIONS, Store


def make_doc(doc_id: str, text: str = "正文。") -> Document:
    return Document(doc_id=doc_id, source=f"{doc_id}.txt", status="ok", text=text,
                    region=Region("甘肃省", "张掖市", "临泽县", "620723"), authors=("张三",))


def test_documents_round_trip_and_removal_drops_dependents():
    store = Store(":memory:")
    with store.transaction():
        store.replace_documents([make_doc("a"), make_doc("b")], {"a": "ha", "b": "hb"})
        store.replace_units("a", [Unit("a", "u1", None, 1, "一、", "标题", 0, 3, "heading")])
        store.put_work_key("structure", "a", "k1")
    assert [d.doc_id for d in store.iter_documents()] == ["a", "b"]
    assert next(store.iter_documents()).region.county == "临泽县"
    with store.transaction():
        store.replace_documents([make_doc("b")], {"b": "hb"})
    assert list(store.iter_units()) == []
    assert store.get_work_key("structure", "a") is None


def test_transaction_rolls_back_on_error():
    store = Store(":memory:")
    try:
        with store.transaction():
            store.put_work_key("x", "a", "k")
            raise RuntimeError
    except RuntimeError:
        pass
    assert store.get_work_key("x", "a") is None


def test_migrations_are_recorded_once(tmp_path):
    Store(tmp_path / "s.sqlite").close()
    store = Store(tmp_path / "s.sqlite")
    names = [r[0] for r in store.conn.execute("SELECT name FROM migrations")]
    assert names == [name for name, _ in MIGRATIONS]


def test_run_provenance():
    store = Store(":memory:")
    run_id = store.start_run("ingest", {"a": {}}, "h", {"jieba": "0.42"}, {"tag.seed": 0})
    store.finish_run(run_id, "ok", [{"stage": "ingest"}])
    last = store.last_run()
    assert last["status"] == "ok" and last["config_hash"] == "h"


def test_results_keep_their_exports_apart(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    with store.transaction():
        store.put_result("graph", "k1", {"nodes": [1],
                                         "exports": {"graph.json": "{}", "a.csv": "x"}})
        store.put_result("report", "k2", {"exports": {"report.html": "<p>"}})
    assert store.get_result("graph") == ("k1", {"nodes": [1]})
    assert store.get_result_key("graph") == "k1" and store.get_result_key("none") is None
    assert store.get_result_exports("graph") == {"a.csv": "x", "graph.json": "{}"}
    assert [(name, file, b"".join(chunks)) for name, file, chunks in
            store.iter_result_export_chunks()] == [
        ("graph", "a.csv", b"x"), ("graph", "graph.json", b"{}"), ("report", "report.html", b"<p>")]
    with store.transaction():  # a new result replaces the old one's files
        store.put_result("graph", "k3", {"nodes": [], "exports": {"graph.json": "[]"}})
    assert store.get_result_exports("graph") == {"graph.json": "[]"}


def test_rendered_files_go_in_and_out_of_the_store_in_chunks(tmp_path, monkeypatch):
    import json

    from pipeline import store_analysis
    from pipeline.outputs.tables import write_stage_exports

    monkeypatch.setattr(store_analysis, "EXPORT_CHUNK", 7)  # many chunks, some mid-character
    graph = {"nodes": [{"id": "P1", "label": "财政收支矛盾"}, {"id": "C1"}],
             "links": [{"source": "P1", "target": "C1", "weight": 2}]}
    rendered = tmp_path / "rendered"
    rendered.mkdir()
    (rendered / "graph.json").write_text(json.dumps(graph, ensure_ascii=False), "utf-8")
    (rendered / "table.csv").write_text("地区,n\r\n兰考县,2\r\n", "utf-8")
    (rendered / "empty.txt").write_text("", "utf-8")
    store = Store(tmp_path / "s.sqlite")
    with store.transaction():
        store.put_result("graph", "k", {"reuse": []}, files={
            p.name: p for p in rendered.iterdir()})
        store.put_result("topics", "k", {"exports": {"small.json": "[1]"}})
    assert store.get_result("graph") == ("k", {"reuse": []})
    assert store.get_result_export_json("graph", "graph.json") == graph
    assert store.get_result_export_json("graph", "none.json") is None
    assert list(store.iter_result_export_items("graph", "graph.json", "$.nodes",
                                               ("id", "label"))) == [
        ("P1", "财政收支矛盾"), ("C1", None)]
    assert store.get_result_exports("graph")["table.csv"] == "地区,n\r\n兰考县,2\r\n"
    published = tmp_path / "published"
    published.mkdir()
    assert write_stage_exports(store, published) == 4
    assert (published / "graph.json").read_bytes() == (rendered / "graph.json").read_bytes()
    assert (published / "table.csv").read_bytes() == "\ufeff地区,n\r\n兰考县,2\r\n".encode()
    assert (published / "empty.txt").read_bytes() == b""
    assert (published / "small.json").read_text("utf-8") == "[1]"


def test_a_store_from_before_result_exports_moves_them_out(tmp_path):
    import json
    import sqlite3

    path = tmp_path / "old.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)  # as an older version left it: files inside the data
    conn.execute("DROP TABLE result_exports")
    conn.execute("DELETE FROM migrations WHERE name='0007_result_exports'")
    conn.execute("INSERT INTO results VALUES ('graph', 'k', ?)", (json.dumps(
        {"nodes": [{"id": "P1", "score": 0.25}], "exports": {"graph.json": "{\"a\": 1}"}}),))
    conn.execute("INSERT INTO results VALUES ('plain', 'k', '[1, 2]')")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.get_result("graph") == ("k", {"nodes": [{"id": "P1", "score": 0.25}]})
    assert store.get_result_exports("graph") == {"graph.json": "{\"a\": 1}"}
    assert store.get_result("plain") == ("k", [1, 2])


def test_units_jsonl_lines_from_the_store_are_unit_json(tmp_path):
    import json

    from pipeline.outputs.export import unit_json

    store = Store(tmp_path / "s.sqlite")
    units = [Unit("d1", "d1:u0", None, 1, "一、", "财政\"收支\"\n矛盾", 0, 9, "heading",
                  "problem", 0.123456789),
             Unit("d1", "d1:u1", "d1:u0", 2, "", "加强\t管理", 9, 20, "paragraph", None, None),
             Unit("d1", "d1:u2", "d1:u0", 2, "1.", "稳", 20, 22, "enum", "other", 1.0)]
    with store.transaction():
        store.replace_documents([make_doc("d1", "x" * 22)], {"d1": "h"})
        store.replace_units("d1", units)
        store.replace_themes([], [("d1:u0", "d1", "problem", "P3", None),
                                  ("d1:u1", "d1", "countermeasure", None, None)])
    lines = list(store.iter_unit_json_lines())
    assert [json.loads(line) for line in lines] == [
        unit_json(units[0], "P3"), unit_json(units[1]), unit_json(units[2])]


def _member_store() -> tuple[Store, list[Unit]]:
    store = Store(":memory:")
    units = [Unit("b", f"b:u{i}", None, 1, f"{i}.", f"标题{i}", i, i + 1, "enum", "problem", 0.5)
             for i in range(4)] + [Unit("a", "a:u0", None, 1, "一、", "甲", 0, 1, "heading")]
    with store.transaction():
        store.replace_documents([make_doc("b"), make_doc("a")], {"a": "ha", "b": "hb"})
        store.replace_units("b", units[:4])
        store.replace_units("a", units[4:])
    return store, units


@pytest.mark.parametrize("assignments, expected", [
    ([], []),
    ([("b:u1", "b", "problem", "P1", None), ("b:u0", "b", "problem", "P1", 0.2)],
     [("P1", 0), ("P1", 1)]),  # the order of iter_unit_themes: document, then unit id
    ([("b:u2", "b", "problem", None, None), ("b:u3", "b", "problem", "", None)], []),
    ([("a:u0", "a", "countermeasure", "C1", None), ("gone", "b", "problem", "P1", None),
      ("b:u3", "b", "problem", "P2", None)], [("C1", 4), ("P2", 3)]),
])
def test_theme_members_are_the_units_each_theme_holds(assignments, expected):
    store, units = _member_store()
    with store.transaction():
        store.replace_themes([], assignments)
    assert list(store.iter_theme_members()) == [(t, units[i]) for t, i in expected]
    by_unit = {u.unit_id: u for u in store.iter_units()}
    assert [(t, by_unit[u]) for u, _d, _k, t, _s in store.iter_unit_themes()
            if t and u in by_unit] == [(t, units[i]) for t, i in expected]
