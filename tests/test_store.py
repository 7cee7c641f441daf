"""The SQLite store: migrations, documents, units, work keys, provenance."""

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
