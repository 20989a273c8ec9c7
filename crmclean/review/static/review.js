// crmclean review page: plain JavaScript, no dependencies. Every value from the data goes
// into the page through textContent, never as HTML.
"use strict";

const TOKEN = document.querySelector('meta[name="review-token"]').content;
const KEYS = { y: "same", n: "different", u: "unsure", s: "skip" };
// The re-learning's measures, in the order shown: key -> words.
const MEASURES = {
  precision: "precision",
  recall: "recall",
  expected_precision: "estimated precision",
  expected_recall: "estimated recall",
};
let current = null; // the state shown
let picks = {}; // field -> "a" | "b", for the pair shown
let busy = false;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "text") node.textContent = value;
    else if (name === "cls") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

async function api(path, body) {
  const options = { headers: { "X-Review-Token": TOKEN } };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

async function act(path, body) {
  if (busy) return;
  busy = true;
  try {
    show(await api(path, body));
  } catch (error) {
    document.getElementById("status").textContent = String(error);
  } finally {
    busy = false;
  }
}

function fmt(number, digits) {
  return number === null || number === undefined ? "" : Number(number).toFixed(digits);
}

// `share` (0 to 1) as a percentage with `digits` decimals, more where those would show a share
// that is not 0 or 1 as 0% or 100% (a 0.9999 threshold is not "100%").
function percent(share, digits) {
  const value = share * 100;
  let text = value.toFixed(digits);
  while (digits < 12 && ((share < 1 && Number(text) >= 100) || (share > 0 && Number(text) <= 0))) {
    text = value.toFixed(++digits);
  }
  return `${text}%`;
}

// The fewest decimals (at most `most`) that show `value` as it is.
function decimals(value, most) {
  for (let digits = 0; digits < most; digits++) if (Math.abs(Number(value.toFixed(digits)) - value) < 1e-9) return digits;
  return most;
}

function diffCell(segments, empty) {
  const cell = el("td", { cls: "value" });
  if (!segments.length) cell.append(el("span", { cls: "empty", text: empty }));
  for (const [text, differs] of segments) cell.append(differs ? el("mark", { text }) : text);
  return cell;
}

function pickCell(field, side) {
  const input = el("input", { type: "radio", name: `pick-${field}`, value: side });
  input.checked = picks[field] === side;
  input.addEventListener("change", () => {
    picks[field] = side;
    refreshPreview();
  });
  return el("label", { cls: "pick", title: `keep ${side.toUpperCase()}'s ${field}` }, input, side.toUpperCase());
}

function fieldsTable(pair) {
  const head = el("tr", {}, el("th", { text: "field" }),
    el("th", { text: `A ${pair.a._source}:${pair.a._source_id}` }),
    el("th", { text: `B ${pair.b._source}:${pair.b._source_id}` }), el("th", { text: "pick" }));
  const table = el("table", { cls: "fields" }, el("thead", {}, head));
  const body = el("tbody");
  for (const row of pair.fields) {
    const same = row.a === row.b;
    body.append(el("tr", { cls: same ? "same" : "differs" }, el("th", { text: row.field }),
      diffCell(row.diff_a, "—"), diffCell(row.diff_b, "—"),
      el("td", {}, same ? null : pickCell(row.field, "a"), same ? null : pickCell(row.field, "b"))));
  }
  table.append(body);
  return table;
}

function contributionsTable(pair) {
  const table = el("table", { cls: "bits score" });
  table.append(el("thead", {}, el("tr", {}, el("th", { text: "comparison" }),
    el("th", { text: "similarity" }), el("th", { text: "bits" }), el("th", { text: "of which tf" }))));
  const body = el("tbody");
  for (const row of pair.contributions) {
    if (row.sim === null && !row.bits) continue;
    const bar = el("span", { cls: row.bits >= 0 ? "bar for" : "bar against" });
    bar.style.width = `${Math.min(Math.abs(row.bits) * 6, 120)}px`;
    body.append(el("tr", {}, el("th", { text: row.name }), el("td", { text: fmt(row.sim, 2) }),
      el("td", { cls: "num" }, bar, el("span", { text: `${row.bits > 0 ? "+" : ""}${fmt(row.bits, 1)}` })),
      el("td", { cls: "num", text: row.tf_bits === null ? "" : `${row.tf_bits > 0 ? "+" : ""}${fmt(row.tf_bits, 1)}` })));
  }
  table.append(body);
  return table;
}

function previewList(rows) {
  const list = el("table", { cls: "preview", id: "preview" });
  for (const row of rows) {
    const origin = row.picked ? `picked ${row.picked.toUpperCase()}` : row.from ? `from ${row.from.toUpperCase()}` : "";
    list.append(el("tr", {}, el("th", { text: row.field }), el("td", { text: row.value ?? "—" }),
      el("td", { cls: "origin", text: origin })));
  }
  return list;
}

async function refreshPreview() {
  if (!current || !current.pair) return;
  const rows = await api("/api/preview", { key: current.pair.key, picks });
  document.getElementById("preview").replaceWith(previewList(rows));
}

function clusterLink(side) {
  const link = el("a", { href: "#", text: side.golden_id });
  link.addEventListener("click", (event) => {
    event.preventDefault();
    openCluster(side.golden_id);
  });
  return link;
}

function renderPair(pair) {
  const box = document.getElementById("pair");
  box.replaceChildren();
  if (!pair) {
    box.append(el("p", { cls: "done", text: "Nothing to review here." }));
    return;
  }
  const status = pair.status ? el("span", { cls: `badge ${pair.status}`, text: pair.status }) : null;
  const score = el("div", { cls: "probability score" },
    el("strong", { text: percent(pair.probability, 1) }),
    el("span", { text: ` match probability (merge at ${percent(pair.threshold, decimals(pair.threshold * 100, 2))}, ${fmt(pair.match_weight, 1)} bits)` }));
  const clusters = el("div", { cls: "clusters" }, el("span", { text: "clusters: A " }), clusterLink(pair.a),
    el("span", { text: " · B " }), clusterLink(pair.b));
  box.append(el("div", { cls: "pair-head" }, score, status, clusters));
  const left = el("div", { cls: "col" }, el("h2", { text: "Records side by side" }), fieldsTable(pair));
  const right = el("div", { cls: "col" }, el("h2", { cls: "score", text: "Why (bits of evidence)" }),
    contributionsTable(pair), el("h2", { text: "Golden record if merged" }), previewList(pair.preview));
  box.append(el("div", { cls: "cols" }, left, right));
}

function fillSelect(select, options, value) {
  select.replaceChildren(el("option", { value: "", text: "all" }));
  for (const option of options) {
    const item = el("option", { value: option.value, text: `${option.value} (${option.count})` });
    item.selected = option.value === value;
    select.append(item);
  }
}

function renderLearning(learning) {
  const box = document.getElementById("learning");
  const answered = learning.answered || {};
  let text = `answers: ${answered.same || 0} same, ${answered.different || 0} different`;
  if (learning.running) text += " · re-learning m from your answers…";
  else if (learning.error) text += ` · re-learning failed: ${learning.error}`;
  else if (!learning.after) text += ` · the model re-learns at ${learning.needed_each} each way`;
  box.replaceChildren(el("span", { text }));
  if (learning.after) {
    const moved = Object.entries(MEASURES).map(([name, label]) => {
      const [before, after] = [learning.before[name], learning.after[name]].map((v) => (v === null ? "n/a" : percent(v, 1)));
      return el("span", { cls: "measure", "data-measure": name, text: `${label} ${before} → ${after}` });
    });
    box.append(el("span", { cls: "moved" }, " · re-learned: on your answers (p ≥ 0.5) ", moved[0], ", ", moved[1],
      "; at the merge threshold ", moved[2], ", ", moved[3]));
  }
}

function show(state) {
  const changed = !current || !current.pair || !state.pair || current.pair.key !== state.pair.key;
  current = state;
  if (changed) picks = {};
  document.getElementById("progress").textContent =
    `${state.answered} of ${state.total} answered · pair ${state.position} of ${state.in_queue}`;
  const form = document.getElementById("filters");
  for (const name of ["sources", "reason", "band"]) fillSelect(form.elements[name], state.choices[name], state.filters[name]);
  renderLearning(state.learning);
  renderPair(state.pair);
}

function answer(kind) {
  if (!current || !current.pair) return;
  act("/api/answer", { key: current.pair.key, answer: kind, picks });
}

// An edge label's place: `LABEL_GAP` px off the middle of the line, on the side away from the
// middle of the graph, anchored at the corner or side nearest the line so no part of the
// text sits on it.
const LABEL_GAP = 7;

function labelPlace(x1, y1, x2, y2, middle) {
  const [mx, my] = [(x1 + x2) / 2, (y1 + y2) / 2];
  const length = Math.hypot(x2 - x1, y2 - y1) || 1;
  let [nx, ny] = [(y1 - y2) / length, (x2 - x1) / length]; // a unit normal of the line
  if (nx * (mx - middle) + ny * (my - middle) < 0 || (Math.abs(mx - middle) < 1 && Math.abs(my - middle) < 1 && ny < 0)) {
    [nx, ny] = [-nx, -ny];
  }
  const anchor = nx > 0.3 ? "start" : nx < -0.3 ? "end" : "middle";
  const baseline = ny > 0.3 ? "text-before-edge" : ny < -0.3 ? "text-after-edge" : "central";
  return { x: mx + LABEL_GAP * nx, y: my + LABEL_GAP * ny, "text-anchor": anchor, "dominant-baseline": baseline };
}

// A line's probability in two decimals, short enough for the graph; never 1.00 (or 0.00)
// when it is not: ">0.99" (or "<0.01"); the full figure is in its tooltip.
function edgeLabel(probability) {
  const text = probability.toFixed(2);
  if (probability < 1 && text === "1.00") return ">0.99";
  if (probability > 0 && text === "0.00") return "<0.01";
  return text;
}

function svgNode(tag, attrs, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function drawGraph(cluster) {
  const size = 320, middle = size / 2, radius = size / 2 - 40;
  const svg = svgNode("svg", { viewBox: `0 0 ${size} ${size}`, class: "graph" });
  const where = {};
  cluster.members.forEach((member, i) => {
    const angle = (2 * Math.PI * i) / cluster.members.length - Math.PI / 2;
    where[member._index] = [middle + radius * Math.cos(angle), middle + radius * Math.sin(angle), i + 1];
  });
  const labels = [];
  for (const edge of cluster.edges) {
    const [x1, y1] = where[edge.left], [x2, y2] = where[edge.right];
    svg.append(svgNode("line", { x1, y1, x2, y2, class: edge.match ? "edge match" : "edge", "stroke-width": 1 + 4 * edge.probability }));
    const place = labelPlace(x1, y1, x2, y2, middle);
    const label = svgNode("text", { ...place, class: "edge-label" }, edgeLabel(edge.probability));
    label.append(svgNode("title", {}, `match probability ${percent(edge.probability, 1)}`));
    labels.push(label);
  }
  for (const [x, y, n] of Object.values(where)) {
    svg.append(svgNode("circle", { cx: x, cy: y, r: 14 }), svgNode("text", { x, y: y + 4, class: "node-label" }, String(n)));
  }
  svg.append(...labels); // on top of every line and node
  return svg;
}

function renderCluster(cluster, message) {
  const box = document.getElementById("cluster");
  box.replaceChildren(el("h2", { text: `Golden record ${cluster.golden_id}: ${cluster.members.length} member(s)` }));
  if (message) box.append(el("p", { cls: "note", text: message }));
  const head = el("tr", {}, el("th", { text: "#" }), el("th", { text: "record" }),
    ...cluster.fields.map((field) => el("th", { text: field })), el("th"));
  const body = el("tbody");
  cluster.members.forEach((member, i) => {
    const button = el("button", { type: "button", cls: "split", text: "split out" });
    button.disabled = cluster.members.length < 2;
    button.addEventListener("click", () => split(cluster.golden_id, member));
    body.append(el("tr", {}, el("td", { text: String(i + 1) }),
      el("td", { text: `${member._source}:${member._source_id}` }),
      ...cluster.fields.map((field) => el("td", { text: member[field] ?? "" })), el("td", {}, button)));
  });
  box.append(el("div", { cls: "cols" }, el("table", { cls: "members" }, el("thead", {}, head), body), drawGraph(cluster)));
}

async function fillLargest() {
  const select = document.getElementById("cluster-form").elements.largest;
  select.replaceChildren(el("option", { value: "", text: "pick one" }));
  for (const item of await api("/api/clusters")) {
    select.append(el("option", { value: item.golden_id, text: `${item.golden_id} (${item.members})` }));
  }
}

async function openCluster(goldenId) {
  switchTab("cluster");
  document.getElementById("cluster-form").elements.golden_id.value = goldenId;
  renderCluster(await api(`/api/cluster/${encodeURIComponent(goldenId)}`));
}

async function split(goldenId, member) {
  const result = await api("/api/split", { golden_id: goldenId, source: member._source, source_id: member._source_id });
  const message = result.error || `${member._source}:${member._source_id} split out (cannot-link written).` + (result.target ? ` Target: ${result.target}` : "");
  renderCluster(await api(`/api/cluster/${encodeURIComponent(goldenId)}`), message);
}

function switchTab(name) {
  document.getElementById("pairs-view").hidden = name !== "pairs";
  document.getElementById("cluster-view").hidden = name !== "cluster";
  document.getElementById("tab-pairs").classList.toggle("active", name === "pairs");
  document.getElementById("tab-cluster").classList.toggle("active", name === "cluster");
}

function setBlind(on) {
  document.body.classList.toggle("blind", on);
  document.getElementById("blind").checked = on;
  localStorage.setItem("crmclean-review-blind", on ? "1" : "");
}

document.addEventListener("keydown", (event) => {
  if (event.target.matches("input[type=text], input:not([type]), select") || event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.getElementById("pairs-view").hidden) return;
  const key = event.key.toLowerCase();
  if (KEYS[key]) answer(KEYS[key]);
  else if (key === "z") act("/api/undo", {});
  else if (event.key === "ArrowRight" || event.key === "ArrowDown") act("/api/move", { delta: 1 });
  else if (event.key === "ArrowLeft" || event.key === "ArrowUp") act("/api/move", { delta: -1 });
  else if (key === "b") setBlind(!document.body.classList.contains("blind"));
  else return;
  event.preventDefault();
});

for (const button of document.querySelectorAll("[data-answer]")) button.addEventListener("click", () => answer(button.dataset.answer));
document.getElementById("undo").addEventListener("click", () => act("/api/undo", {}));
document.getElementById("prev").addEventListener("click", () => act("/api/move", { delta: -1 }));
document.getElementById("next").addEventListener("click", () => act("/api/move", { delta: 1 }));
document.getElementById("blind").addEventListener("change", (event) => setBlind(event.target.checked));
document.getElementById("tab-pairs").addEventListener("click", () => switchTab("pairs"));
document.getElementById("tab-cluster").addEventListener("click", () => {
  switchTab("cluster");
  fillLargest();
});
document.getElementById("cluster-form").elements.largest.addEventListener("change", (event) => {
  if (event.target.value) openCluster(event.target.value);
});
document.getElementById("filters").addEventListener("change", () => {
  const form = document.getElementById("filters");
  act("/api/filters", Object.fromEntries(["sources", "reason", "band"].map((n) => [n, form.elements[n].value])));
});
document.getElementById("cluster-form").addEventListener("submit", (event) => {
  event.preventDefault();
  openCluster(event.target.elements.golden_id.value.trim());
});
setInterval(() => { if (current && current.learning.running) act("/api/state"); }, 1000);
setBlind(localStorage.getItem("crmclean-review-blind") === "1");
act("/api/state");
