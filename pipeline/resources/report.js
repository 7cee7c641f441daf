/* diaoyan comparison report: draws the plotly figures and fills the evidence panel.
   Inlined into the HTML by pipeline/outputs/report_html.py after plotly.js. Report text is
   only ever set as textContent, never parsed as HTML. */
(function () {
  "use strict";

  const PLOT_CONFIG = {
    displaylogo: false,
    displayModeBar: "hover",
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { format: "png", scale: 2 },
  };
  const data = readJson("report-data");
  const figures = readJson("report-figures");
  const panel = document.getElementById("evidence");
  const body = document.getElementById("evidence-body");
  const hint = [...body.childNodes];

  const cells = { problem: indexCells(data.problem_matrix), countermeasure: indexCells(data.countermeasure_matrix) };
  const labels = themeLabels();
  const edges = new Map(data.graph.edges.map((e) => [edgeId(e.source, e.target), e]));
  const topics = new Map(data.topics.map((t) => [t.topic_id, t]));

  function readJson(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  function edgeId(source, target) {
    return source + "->" + target;
  }

  function indexCells(matrix) {
    return new Map(matrix.cells.map((c) => [c.place + "\u0000" + c.theme_id, c]));
  }

  function themeLabels() {
    const out = new Map(data.graph.nodes.map((n) => [n.node_id, n.label]));
    for (const matrix of [data.problem_matrix, data.countermeasure_matrix]) {
      for (const t of matrix.themes) out.set(t.theme_id, t.label);
    }
    return out;
  }

  function label(themeId) {
    return labels.get(themeId) || themeId;
  }

  /* --- building the panel ------------------------------------------------------------ */

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function show(title, meta, items) {
    body.replaceChildren(el("h3", title), el("p", meta, "meta"));
    if (items.length) {
      const list = el("ol");
      list.append(...items);
      body.append(list);
    }
    panel.classList.add("filled");
    panel.scrollTop = 0;
  }

  function cite(parts) {
    return el("div", parts.filter(Boolean).join(" · "), "cite");
  }

  function quoteItem(ev) {
    const item = el("li");
    item.dataset.doc = ev.doc_id;
    item.append(el("blockquote", ev.quote), cite([ev.source, ev.doc_id, ev.unit_id]));
    return item;
  }

  function quoteBlock(kind, tag, quote) {
    const block = el("div", null, "q-" + kind);
    block.append(el("span", tag, "tag"), el("blockquote", quote));
    return block;
  }

  function pairItem(ev) {
    const item = el("li", null, "pair");
    item.dataset.doc = ev.doc_id;
    item.append(
      quoteBlock("problem", "问题 problem · " + ev.problem_unit, ev.problem_quote),
      quoteBlock("countermeasure", "对策 countermeasure · " + ev.countermeasure_unit, ev.countermeasure_quote),
      cite([ev.place, ev.source, ev.doc_id]),
    );
    return item;
  }

  function shownOf(n, examples) {
    return n + " document" + (n === 1 ? "" : "s") +
      (examples < n ? " · " + examples + " example" + (examples === 1 ? "" : "s") + " shown" : "");
  }

  /* --- what can be shown --------------------------------------------------------------- */

  function showCell(kind, place, themeId) {
    const cell = cells[kind] && cells[kind].get(place + "\u0000" + themeId);
    if (!cell) return false;
    const what = kind === "problem" ? "Problem theme" : "Countermeasure theme";
    show(what + ": " + label(themeId) + " — " + place, shownOf(cell.n_docs, cell.evidence.length),
      cell.evidence.map(quoteItem));
    return true;
  }

  function showEdge(id) {
    const edge = edges.get(id);
    if (!edge) return false;
    for (const row of document.querySelectorAll("tr.edge.selected")) row.classList.remove("selected");
    for (const row of document.querySelectorAll('tr.edge[data-edge="' + CSS.escape(id) + '"]')) {
      row.classList.add("selected");
    }
    show(label(edge.source) + " → " + label(edge.target),
      shownOf(edge.n_docs, edge.evidence.length) + " · " + edge.n_places + " places · weight " + edge.weight,
      edge.evidence.map(pairItem));
    return true;
  }

  function showNode(nodeId) {
    const linked = data.graph.edges.filter((e) => e.source === nodeId || e.target === nodeId)
      .sort((a, b) => b.weight - a.weight);
    const node = data.graph.nodes.find((n) => n.node_id === nodeId);
    if (!node) return false;
    const items = linked.map((e) => {
      const item = el("li");
      const button = el("button", (node.kind === "problem" ? "→ " + label(e.target) : label(e.source) + " →") +
        " · " + e.n_docs, "chip edge");
      button.type = "button";
      button.dataset.edge = edgeId(e.source, e.target);
      item.append(button);
      return item;
    });
    show(label(nodeId), node.n_docs + " documents · " + node.places.length + " places · " +
      linked.length + " links (click one for its sentences)", items);
    body.querySelector("ol")?.classList.add("links");
    return true;
  }

  function showTheme(themeId) {
    for (const kind of ["problem", "countermeasure"]) {
      const found = [...cells[kind].values()].filter((c) => c.theme_id === themeId);
      if (!found.length) continue;
      const n = found.reduce((sum, c) => sum + c.n_docs, 0);
      const evidence = found.flatMap((c) => c.evidence);
      show(label(themeId), shownOf(n, evidence.length), evidence.map(quoteItem));
      return true;
    }
    return false;
  }

  function showTopic(topicId) {
    const topic = topics.get(topicId);
    if (!topic) return false;
    show("Topic " + topic.topic_id + ": " + topic.label, "top terms: " + topic.terms.join("、"),
      topic.examples.map(quoteItem));
    return true;
  }

  function showListed(kind, index) {
    const item = (data[kind] || [])[index];
    if (!item) return false;
    const where = kind === "distinctive" ? " — " + item.place : "";
    show(item.label + where, shownOf(item.n_docs, item.evidence.length), item.evidence.map(quoteItem));
    return true;
  }

  /* --- wiring ------------------------------------------------------------------------------- */

  function onPlotClick(figureId, event) {
    const point = event.points && event.points[0];
    if (!point) return;
    if (figureId.startsWith("heatmap-")) {
      showCell(figureId.slice("heatmap-".length), point.y, point.x);
    } else if (figureId === "graph" && typeof point.customdata === "string") {
      const id = point.customdata;
      if (id.startsWith("node:")) showNode(id.slice(5));
      else showEdge(id);
    } else if (figureId === "prevalence" && Array.isArray(point.customdata)) {
      showTopic(point.customdata[3]);
    }
  }

  function plot(div) {
    const id = div.dataset.figure;
    const figure = figures[id];
    if (!figure || !window.Plotly) return Promise.resolve();
    return window.Plotly.newPlot(div, figure.data, figure.layout, PLOT_CONFIG).then((gd) => {
      gd.on("plotly_click", (event) => onPlotClick(id, event));
    });
  }

  function choosePrevalenceTopic(select) {
    const div = document.getElementById("prevalence");
    const chosen = Number(select.value);
    const visible = figures.prevalence.data.map((_, i) => i === chosen);
    const trace = figures.prevalence.data[chosen];
    const topic = trace && topics.get(trace.customdata[0][3]);
    document.getElementById("prevalence-terms").textContent = topic ? "top terms: " + topic.terms.join("、") : "";
    return window.Plotly.restyle(div, { visible: visible });
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-edge], [data-evidence], [data-theme]");
    if (!target) return;
    if (target.dataset.edge) showEdge(target.dataset.edge);
    else if (target.dataset.theme) showTheme(target.dataset.theme);
    else {
      const [kind, index] = target.dataset.evidence.split(":");
      showListed(kind, Number(index));
    }
  });
  document.getElementById("evidence-close").addEventListener("click", () => {
    body.replaceChildren(...hint);
    panel.classList.remove("filled");
    for (const row of document.querySelectorAll("tr.edge.selected")) row.classList.remove("selected");
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("tr.edge")) showEdge(event.target.dataset.edge);
  });

  const select = document.getElementById("prevalence-topic");
  const drawn = [...document.querySelectorAll("[data-figure]")].map(plot);

  window.diaoyanShowEdge = showEdge;
  window.diaoyanShowCell = showCell;
  window.diaoyanShowTopic = showTopic;
  window.diaoyanReady = Promise.all(drawn).then(() => {
    if (select) {
      select.addEventListener("change", () => choosePrevalenceTopic(select));
      return choosePrevalenceTopic(select);
    }
  }).then(() => {
    document.documentElement.dataset.ready = "true";
  }, (error) => {
    document.documentElement.dataset.ready = "error";
    console.error("diaoyan report: a figure failed to draw", error);
  });
})();
