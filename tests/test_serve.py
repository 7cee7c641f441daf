"""diaoyan serve: Datasette on the store answers with our metadata and canned queries."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request

import pytest

from pipeline.config import load_config
from pipeline.outputs.serve import serve_command
from pipeline.runner import run_pipeline

pytest.importorskip("datasette")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_datasette_serves_the_store_with_canned_queries(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("关于农村供水的调研报告\n一、存在的问题\n（一）水源保障不足。\n"
                                  "二、对策建议\n（一）加强水源建设。\n", encoding="utf-8")
    out = tmp_path / "out"
    run_pipeline(out, load_config(), corpus=corpus, jobs=1)
    port = free_port()
    server = subprocess.Popen(serve_command(out, port=port), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/diaoyan.json",
                                            timeout=2) as answer:
                    body = json.loads(answer.read())
                break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "datasette did not answer"
        assert "units" in {t["name"] for t in body["tables"]}
        url = (f"http://127.0.0.1:{port}/diaoyan/problems_of_a_place.json"
               "?place=&_shape=array")
        with urllib.request.urlopen(url, timeout=5) as answer:
            rows = json.loads(answer.read())
        assert any("水源保障不足" in row["headline"] for row in rows)
    finally:
        server.terminate()
        server.wait(timeout=10)
