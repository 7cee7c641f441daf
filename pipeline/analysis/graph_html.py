"""An interactive, offline HTML view of the problem → countermeasure graph.

One self-contained file: inline CSS, inline vanilla JS, no CDN and no library. Problem
themes stand in the left column and countermeasure themes in the right one (biggest
first); each edge is an SVG ``<line class="edge" data-edge="N">`` whose width follows
its weight. Clicking an edge fills ``#evidence`` with the linked headlines, documents
and places; clicking a node lists its members. ``#place-filter`` keeps the edges whose
evidence comes from a place (or a place inside it), ``#label-filter`` the themes whose
label or member headlines hold a text, with their neighbours.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import networkx as nx

from pipeline.analysis.graph import atomic_write

ROW = 30  # pixels between nodes
TOP = 40
WIDTH = 1080
LEFT_X, RIGHT_X = 370, 710  # node columns; labels run outwards from them
LABEL_CHARS = 22

CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;display:flex;height:100vh}
#side{width:340px;padding:12px;overflow:auto;border-right:1px solid #ccc;box-sizing:border-box}
#main{flex:1;overflow:auto}
.edge{stroke:#4a78b0;stroke-opacity:.45;cursor:pointer}
.edge:hover,.edge.selected{stroke:#d2553a;stroke-opacity:.9}
.node{cursor:pointer}.node circle{fill:#fff;stroke:#333;stroke-width:1.5}
.node.problem circle{stroke:#b03a2e}.node.countermeasure circle{stroke:#1e8449}
.hidden{display:none}.dim{opacity:.15}
#evidence li{margin:0 0 8px}#evidence .meta{color:#666;font-size:12px}
input,select{width:100%;margin:0 0 8px;box-sizing:border-box}
"""

SCRIPT = r"""
const data = JSON.parse(document.getElementById('graph-data').textContent);
const panel = document.getElementById('evidence');
const placeBox = document.getElementById('place-filter');
const labelBox = document.getElementById('label-filter');
function el(tag, text, cls){const e=document.createElement(tag);
  if(text!==undefined)e.textContent=text; if(cls)e.className=cls; return e;}
function show(title, items){panel.replaceChildren(el('h3', title));
  const list=el('ul'); items.forEach(i=>list.appendChild(i)); panel.appendChild(list);}
function evidenceItem(ev){const li=el('li');
  li.appendChild(el('div', ev.source_headline+' → '+ev.target_headline));
  li.appendChild(el('div', [ev.doc_id, ev.place||'(no place)', 'score '+ev.score,
    (ev.reasons||[]).join(', '), ev.counted===false?'reused copy':''].filter(Boolean)
    .join(' · '), 'meta')); return li;}
document.querySelectorAll('.edge').forEach(line=>line.addEventListener('click',()=>{
  document.querySelectorAll('.edge.selected').forEach(e=>e.classList.remove('selected'));
  line.classList.add('selected'); const edge=data.edges[+line.dataset.edge];
  const place=placeBox.value; const items=edge.evidence.filter(
    ev=>!place||(ev.place||'').includes(place));
  show(data.nodes[edge.source].label+' ⇒ '+data.nodes[edge.target].label,
    items.map(evidenceItem));}));
document.querySelectorAll('.node').forEach(g=>g.addEventListener('click',()=>{
  const node=data.nodes[g.dataset.node];
  show(node.label+' ('+node.size+', '+(node.places||[]).join('、')+')',
    (node.member_headlines||[]).map(h=>el('li', h)));}));
function matches(node, text){return !text||(node.label||'').includes(text)||
  (node.member_headlines||[]).some(h=>h.includes(text));}
function applyFilters(){const place=placeBox.value, text=labelBox.value.trim();
  const keep=new Set();
  data.edges.forEach((edge,i)=>{const line=document.querySelector('[data-edge="'+i+'"]');
    const okPlace=!place||edge.evidence.some(ev=>(ev.place||'').includes(place));
    const okText=!text||matches(data.nodes[edge.source],text)||
      matches(data.nodes[edge.target],text);
    const ok=okPlace&&okText; line.classList.toggle('hidden',!ok);
    if(ok){keep.add(edge.source);keep.add(edge.target);}});
  document.querySelectorAll('.node').forEach(g=>{const node=data.nodes[g.dataset.node];
    const okPlace=!place||(node.places||[]).some(p=>p.includes(place));
    const ok=keep.has(g.dataset.node)||(okPlace&&matches(node,text)&&(place||text));
    g.classList.toggle('dim',(place||text)&&!ok);});}
placeBox.addEventListener('change',applyFilters);
labelBox.addEventListener('input',applyFilters);
"""


def _node_rows(graph: nx.DiGraph, kind: str) -> list[str]:
    nodes = [(n, d) for n, d in graph.nodes(data=True) if d.get("kind") == kind]
    return [n for n, _ in sorted(nodes, key=lambda item: (-item[1].get("size", 0), item[0]))]


def _positions(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    positions = {}
    for kind, x in (("problem", LEFT_X), ("countermeasure", RIGHT_X)):
        for row, node in enumerate(_node_rows(graph, kind)):
            positions[node] = (x, TOP + row * ROW)
    return positions


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _svg(graph: nx.DiGraph, positions, edge_ids) -> str:
    rows = max(len(_node_rows(graph, k)) for k in ("problem", "countermeasure")) or 1
    parts = [f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
             f'height="{TOP * 2 + rows * ROW}">']
    for (source, target), index in edge_ids.items():
        (x1, y1), (x2, y2) = positions[source], positions[target]
        width = min(12.0, 2.0 + graph.edges[source, target].get("weight", 1))
        parts.append(f'<line class="edge" data-edge="{index}" data-source="{html.escape(source)}"'
                     f' data-target="{html.escape(target)}" x1="{x1}" y1="{y1}" x2="{x2}"'
                     f' y2="{y2}" stroke-width="{width:.1f}"/>')
    for node, (x, y) in positions.items():
        data = graph.nodes[node]
        left = data.get("kind") == "problem"
        anchor, dx = ("end", -12) if left else ("start", 12)
        radius = min(14.0, 4.0 + data.get("size", 1))
        parts.append(
            f'<g class="node {html.escape(data.get("kind", ""))}" data-node="{html.escape(node)}">'
            f'<title>{html.escape(data.get("label", node))}</title>'
            f'<circle cx="{x}" cy="{y}" r="{radius:.1f}"/>'
            f'<text x="{x + dx}" y="{y + 4}" text-anchor="{anchor}">'
            f'{html.escape(_short(data.get("headline") or data.get("label", node)))}'
            f' ({data.get("size", 0)})</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def _payload(graph: nx.DiGraph, edge_ids) -> dict[str, Any]:
    keys = ("kind", "label", "size", "n_docs", "places", "member_headlines")
    nodes = {n: {k: d.get(k) for k in keys} for n, d in graph.nodes(data=True)}
    edges = [None] * len(edge_ids)
    for (source, target), index in edge_ids.items():
        data = graph.edges[source, target]
        edges[index] = {"source": source, "target": target, "weight": data.get("weight"),
                        "evidence": data.get("evidence", [])}
    return {"nodes": nodes, "edges": edges}


def render_graph_html(graph: nx.DiGraph, title: str = "问题—对策图") -> str:
    """The whole page as a string (what ``write_graph_html`` writes)."""
    positions = _positions(graph)
    edge_ids = {(s, t): i for i, (s, t) in enumerate(sorted(graph.edges()))}
    places = sorted({p for _, d in graph.nodes(data=True) for p in d.get("places", [])})
    options = "".join(f'<option value="{html.escape(p)}">{html.escape(p)}</option>'
                      for p in places)
    # A "<" inside the JSON could end the script element early ("</script>", "<!--").
    payload = json.dumps(_payload(graph, edge_ids), ensure_ascii=False).replace("<", "\\u003c")
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f'<div id="side"><h2>{html.escape(title)}</h2>'
        f'<label>地区 <select id="place-filter"><option value="">全部</option>{options}'
        f'</select></label><label>主题 <input id="label-filter" type="search"'
        f' placeholder="待遇、培训……"></label>'
        f'<div id="evidence"><p>点击连线查看依据，点击节点查看成员。</p></div></div>'
        f'<div id="main">{_svg(graph, positions, edge_ids)}</div>'
        f'<script type="application/json" id="graph-data">{payload}</script>'
        f"<script>{SCRIPT}</script></body></html>"
    )


def write_graph_html(path: Path, graph: nx.DiGraph) -> None:
    """Write the offline interactive view of ``graph`` to ``path`` (atomically)."""
    page = render_graph_html(graph)
    atomic_write(Path(path), lambda temp: temp.write_text(page, encoding="utf-8"))
