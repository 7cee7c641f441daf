"""Exact and near-duplicate detection."""

from pipeline.analysis.dedup import DedupItem, find_duplicates

BASE = "".join(
    f"第{i}段讲的是乡村道路养护资金不足的情况，各村反映维修经费长期短缺。" for i in range(40)
)


def test_exact_and_near_duplicates_point_to_the_earlier_document():
    near = BASE.replace("第3段", "第三段").replace("第7段", "第七段")
    other = "".join(f"{i}号文件要求加强河道保洁，落实河长巡河制度。" for i in range(40))
    items = [
        DedupItem("a", "h1", BASE),
        DedupItem("b", "h1", BASE),
        DedupItem("c", "h2", near),
        DedupItem("d", "h3", other),
    ]
    assert find_duplicates(items) == {"b": "a", "c": "a"}


def test_signature_cache_is_used():
    store: dict[str, bytes] = {}
    items = [DedupItem("a", "h1", BASE)]
    find_duplicates(items, remember=store.__setitem__)
    assert "h1" in store
    def must_not_compute(*_args):
        raise AssertionError("signature recomputed")

    find_duplicates(items, cached=store.get, remember=must_not_compute)


def test_an_exact_copy_of_a_near_duplicate_points_at_the_original():
    from pipeline.analysis.dedup import DedupItem, DedupOptions, find_duplicates

    base = "".join(f"第{i}条，河道保洁经费不足，巡河记录不全，群众反映较多。" for i in range(40))
    near = base.replace("第3条", "第三条")
    items = [DedupItem("a", "h1", base), DedupItem("b", "h2", near), DedupItem("c", "h2", near)]
    assert find_duplicates(items, DedupOptions()) == {"b": "a", "c": "a"}
