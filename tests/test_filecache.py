"""Tables cached beside the files they are parsed from (pipeline.filecache)."""

import os

import pytest

from pipeline import filecache


@pytest.fixture
def temp_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(filecache.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return tmp_path / "tmp"


def counting_build(calls, value):
    def build():
        calls.append(1)
        return value
    return build


def test_second_call_reads_the_cache(tmp_path, temp_folder):
    source = tmp_path / "dict.txt"
    source.write_text("政府 23452 n\n", encoding="utf-8")
    calls = []
    first = filecache.marshal_cached("words", source, counting_build(calls, frozenset({"政府"})))
    second = filecache.marshal_cached("words", source, counting_build(calls, frozenset()))
    assert first == second == frozenset({"政府"}) and len(calls) == 1
    assert [p.name.startswith("diaoyan.words.") for p in temp_folder.iterdir()] == [True]


@pytest.mark.parametrize("change", ["content", "parts"])
def test_a_changed_source_or_option_is_parsed_again(tmp_path, temp_folder, change):
    source = tmp_path / "dict.txt"
    source.write_text("政府 23452 n\n", encoding="utf-8")
    calls = []
    filecache.marshal_cached("words", source, counting_build(calls, {"a": 1}), 50)
    parts = 50
    if change == "content":
        source.write_text("政府 23452 n\n人民 100 n\n", encoding="utf-8")
        os.utime(source, ns=(1, 1))
    else:
        parts = 60
    assert filecache.marshal_cached("words", source, counting_build(calls, {"b": 2}),
                                    parts) == {"b": 2}
    assert len(calls) == 2


def test_an_unwritable_temp_folder_only_costs_the_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(filecache.tempfile, "gettempdir", lambda: str(tmp_path / "missing"))
    source = tmp_path / "dict.txt"
    source.write_text("x", encoding="utf-8")
    calls = []
    for _ in range(2):
        assert filecache.marshal_cached("words", source, counting_build(calls, [1])) == [1]
    assert len(calls) == 2


def test_a_damaged_cache_file_is_rebuilt(tmp_path, temp_folder):
    source = tmp_path / "dict.txt"
    source.write_text("x", encoding="utf-8")
    filecache.cache_path("words", source).write_bytes(b"\x00garbage")
    assert filecache.marshal_cached("words", source, lambda: {"ok": True}) == {"ok": True}
