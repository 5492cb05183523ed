// Backprop playground: the settings go to POST /playground/api/runs; the server trains the network with the engine and
// streams Server-Sent Events (an "init" with the points, then "frame"s) that this page draws: decision regions, every
// shown unit's activation over the plane, connections by weight, loss curves. Play / pause / step go back as POSTs.
"use strict";
(() => {
  const API = "/playground/api";
  const $ = id => document.getElementById(id);
  const POS = [8, 119, 189], NEG = [245, 147, 34], WHITE = [255, 255, 255];
  const CLASS_COLOURS = [[245, 147, 34], [8, 119, 189], [46, 160, 67], [155, 89, 182], [214, 39, 40], [23, 190, 207], [140, 86, 75], [227, 119, 194]];
  const NAMES = { flower: "flower", spiral: "spiral", circle: "circle", xor: "XOR", gauss: "Gaussians", moons: "moons", csv: "CSV" };

  let presets = {}, limits = {};
  let config = {
    data: "circle", points: 400, noise: 0.1, trainPercent: 50, dataSeed: 0, hidden: [8, 8], activation: "tanh",
    optimizer: "adam", learningRate: 0.03, batchSize: 10, lambda: 0, epochs: 1000, seed: 0, init: null, weightsAfterData: false,
  };
  let csv = null;                      // {text, name} of the last upload
  let activePreset = null;
  let run = null;                      // {id, source, init, frame, history: [[epoch, train, test]], frames}
  let creating = 0;

  // ---- settings <-> controls ----
  function buildDatasets(names) {
    $("datasets").replaceChildren(...names.map(name => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.name = name;
      b.setAttribute("role", "radio");
      b.textContent = NAMES[name] || name;
      b.addEventListener("click", () => {
        if (name === "csv" && !csv) { $("csv").click(); return; }
        change({ data: name, init: null, weightsAfterData: false });
      });
      return b;
    }));
  }

  function showSettings() {
    for (const b of $("datasets").children) {
      const on = b.dataset.name === config.data;
      b.classList.toggle("active", on);
      b.setAttribute("aria-checked", String(on));
    }
    const seedSet = config.data === "flower" || config.data === "spiral";
    $("train-percent").value = config.trainPercent; $("train-percent-value").textContent = `${config.trainPercent} %`;
    $("noise").value = config.noise; $("noise-value").textContent = Number(config.noise).toFixed(2);
    $("points").value = config.points; $("points-value").textContent = String(config.points);
    $("data-seed").value = config.dataSeed;
    for (const id of ["noise", "points", "data-seed"]) $(id).disabled = seedSet || config.data === "csv";
    $("layer-count").textContent = String(config.hidden.length);
    $("units").replaceChildren(...config.hidden.map((u, i) => {
      const input = document.createElement("input");
      input.type = "number"; input.min = "1"; input.max = String(limits.maxUnits || 128); input.value = String(u);
      input.title = `units in hidden layer ${i + 1}`; input.setAttribute("aria-label", input.title);
      input.addEventListener("change", () => {
        const v = Math.round(Number(input.value));
        if (!(v >= 1)) { input.value = String(config.hidden[i]); return; }
        const hidden = config.hidden.slice(); hidden[i] = Math.min(v, limits.maxUnits || 128);
        change({ hidden });
      });
      return input;
    }));
    $("add-layer").disabled = config.hidden.length >= (limits.maxHiddenLayers || 6);
    $("remove-layer").disabled = config.hidden.length === 0;
    $("activation").value = config.activation;
    $("optimizer").value = config.optimizer;
    $("learning-rate").value = String(config.learningRate);
    $("batch-size").value = String(config.batchSize);
    $("batch-size").disabled = config.optimizer === "gd";
    $("lambda").value = String(config.lambda);
    $("epochs").value = String(config.epochs);
    $("seed").value = String(config.seed);
    $("init").textContent = config.init ? config.init + (config.weightsAfterData ? " after the data" : "") : "he (relu) / glorot";
    for (const name of ["flower", "spiral"]) $(`preset-${name}`).classList.toggle("active", activePreset === name);
  }

  /** Applies a change of settings and starts a new run with them (the engine's options are fixed per run). */
  function change(patch) {
    config = { ...config, ...patch };
    activePreset = null;
    showSettings();
    newRun();
  }

  function applyPreset(name) {
    const p = presets[name];
    if (!p) return;
    config = { ...config, data: p.data, trainPercent: p.trainPercent, hidden: p.hidden.slice(), activation: p.activation, optimizer: p.optimizer,
      learningRate: p.learningRate, batchSize: p.batchSize || config.batchSize, lambda: p.lambda, epochs: p.epochs, seed: p.seed, init: p.init,
      weightsAfterData: p.weightsAfterData };
    activePreset = name;
    showSettings();
    newRun(`preset ${name}: ${p.description}. Seed figure: ${p.seedFigure}.`);
  }

  function wireControls() {
    const num = (id, key, parse = Number) => $(id).addEventListener("change", () => {
      const v = parse($(id).value);
      if (Number.isFinite(v)) change({ [key]: v }); else showSettings();
    });
    $("train-percent").addEventListener("input", () => { $("train-percent-value").textContent = `${$("train-percent").value} %`; });
    $("noise").addEventListener("input", () => { $("noise-value").textContent = Number($("noise").value).toFixed(2); });
    $("points").addEventListener("input", () => { $("points-value").textContent = $("points").value; });
    num("train-percent", "trainPercent", v => Math.round(Number(v)));
    num("noise", "noise");
    num("points", "points", v => Math.round(Number(v)));
    num("data-seed", "dataSeed", v => Math.round(Number(v)));
    num("learning-rate", "learningRate");
    num("batch-size", "batchSize", v => Math.round(Number(v)));
    num("lambda", "lambda");
    num("epochs", "epochs", v => Math.round(Number(v)));
    num("seed", "seed", v => Math.round(Number(v)));
    $("activation").addEventListener("change", () => change({ activation: $("activation").value }));
    $("optimizer").addEventListener("change", () => change({ optimizer: $("optimizer").value }));
    $("add-layer").addEventListener("click", () => change({ hidden: [...config.hidden, config.hidden.length ? config.hidden[config.hidden.length - 1] : 4] }));
    $("remove-layer").addEventListener("click", () => change({ hidden: config.hidden.slice(0, -1) }));
    $("preset-flower").addEventListener("click", () => applyPreset("flower"));
    $("preset-spiral").addEventListener("click", () => applyPreset("spiral"));
    $("csv").addEventListener("change", async () => {
      const file = $("csv").files[0];
      if (!file) return;
      csv = { text: await file.text(), name: file.name };
      change({ data: "csv", init: null, weightsAfterData: false });
    });
    $("reset").addEventListener("click", () => newRun());
    $("play").addEventListener("click", () => {
      if (!run || !run.frame) return;
      command(run.frame.state === "running" || run.frame.state === "waiting" ? "pause" : "play");
    });
    $("step").addEventListener("click", () => command("step"));
    $("show-test").addEventListener("change", () => drawBoundary());
  }

  // ---- the run ----
  function status(text, error = false) {
    $("status").textContent = text;
    $("status").classList.toggle("error", error);
  }

  async function newRun(note) {
    const ticket = ++creating;
    const old = run;
    if (old) { old.source.close(); }
    run = null;
    document.body.dataset.state = "starting";
    $("save").classList.add("disabled"); $("save").setAttribute("aria-disabled", "true");
    const body = { ...config, replaces: old ? old.id : null };
    if (config.data === "csv") { body.csv = csv ? csv.text : ""; body.csvName = csv ? csv.name : ""; }
    let answer;
    try {
      const r = await fetch(`${API}/runs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      answer = await r.json();
      if (!r.ok) throw new Error(answer.detail || `${r.status} ${r.statusText}`);
    } catch (e) {
      if (ticket !== creating) return;
      document.body.dataset.state = "error";
      status(e.message, true);
      return;
    }
    if (ticket !== creating) { fetch(`${API}/runs/${answer.id}/pause`, { method: "POST" }); return; }
    const source = new EventSource(`${API}/runs/${answer.id}/events`);
    run = { id: answer.id, source, init: null, frame: null, history: [], frames: 0 };
    const mine = run;
    source.addEventListener("init", e => { if (run === mine) onInit(JSON.parse(e.data)); });
    source.addEventListener("frame", e => { if (run === mine) onFrame(JSON.parse(e.data)); });
    source.addEventListener("error", () => {
      if (run !== mine) return;
      source.close();
      document.body.dataset.state = "disconnected";
      status("The connection to the server was closed; press ⟲ to start again.", true);
    });
    $("save").href = `${API}/runs/${answer.id}/model`;
    status(note || "");
  }

  async function command(action) {
    if (!run) return;
    try {
      const r = await fetch(`${API}/runs/${run.id}/${action}`, { method: "POST" });
      if (!r.ok) status((await r.json()).detail || r.statusText, true);
    } catch (e) { status(e.message, true); }
  }

  function onInit(init) {
    run.init = init;
    const n = init.train.y.length, t = init.test ? init.test.y.length : 0;
    $("data-description").textContent = `${init.description}. ${n} training and ${t} test points.`;
    $("network-spec").textContent = `${init.network} · ${init.parameters} parameters`;
    $("epochs-of").textContent = `/ ${init.epochs.toLocaleString("en-US")}`;
    document.body.dataset.network = init.network;
  }

  function onFrame(frame) {
    run.frame = frame;
    run.frames++;
    if (!run.history.length || run.history[run.history.length - 1][0] !== frame.epoch)
      run.history.push([frame.epoch, frame.trainLoss, frame.testLoss]);
    document.body.dataset.state = frame.state;
    $("epoch").textContent = frame.epoch.toLocaleString("en-US");
    const pct = v => v == null ? "–" : (100 * v).toFixed(2) + " %";
    const loss = v => v == null ? "–" : v.toFixed(4);
    setValue("train-loss", frame.trainLoss, loss); setValue("test-loss", frame.testLoss, loss);
    setValue("train-accuracy", frame.trainAccuracy, pct); setValue("test-accuracy", frame.testAccuracy, pct);
    const running = frame.state === "running" || frame.state === "waiting";
    $("play").textContent = running ? "❚❚" : "▶";
    $("play").classList.toggle("running", running);
    $("play").setAttribute("aria-label", running ? "Pause" : "Play");
    const over = frame.state === "done" || frame.state === "diverged" || frame.state === "failed";
    $("play").disabled = over;
    $("step").disabled = running || over;
    if (frame.epoch > 0) { $("save").classList.remove("disabled"); $("save").setAttribute("aria-disabled", "false"); }
    if (frame.state === "waiting") status("Waiting for a free training slot (other pages are training)…");
    else if (over) status(`${frame.state === "done" ? "Finished" : "Stopped"}: ${frame.reason || ""} (${frame.seconds.toFixed(1)} s of training).`, frame.state !== "done");
    else if (frame.state === "running" && $("status").textContent.startsWith("Waiting")) status("");
    $("boundary").dataset.frames = String(run.frames);
    drawBoundary();
    drawNetwork();
    drawCurves();
  }

  function setValue(id, v, format) {
    $(id).textContent = format(v);
    $(id).dataset.value = v == null ? "" : String(v);
  }

  // ---- drawing ----
  const mix = (a, b, t) => [0, 1, 2].map(i => Math.round(a[i] + (b[i] - a[i]) * t));
  const css = c => `rgb(${c[0]},${c[1]},${c[2]})`;
  const bytes = b64 => Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const offscreen = document.createElement("canvas");

  /** A grid of colours (n x n) drawn into (x, y, w, h) of ctx, smoothed. */
  function paintGrid(ctx, n, colourAt, x, y, w, h) {
    offscreen.width = n; offscreen.height = n;
    const o = offscreen.getContext("2d");
    const img = o.createImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      const c = colourAt(i);
      img.data[4 * i] = c[0]; img.data[4 * i + 1] = c[1]; img.data[4 * i + 2] = c[2]; img.data[4 * i + 3] = 255;
    }
    o.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(offscreen, x, y, w, h);
  }

  function classColour(k) { return CLASS_COLOURS[k % CLASS_COLOURS.length]; }

  function drawBoundary() {
    const canvas = $("boundary"), ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    if (!run || !run.init) return;
    const init = run.init, K = init.classes.length;
    if (run.frame) {
      const cls = bytes(run.frame.boundary.classes), conf = bytes(run.frame.boundary.confidence);
      paintGrid(ctx, init.grid, i => {
        const p = conf[i] / 255, a = Math.max(0, Math.min(1, (p - 1 / K) / (1 - 1 / K)));
        return mix(WHITE, classColour(cls[i]), 0.12 + 0.6 * a);
      }, 0, 0, W, H);
    }
    const [x0, x1, y0, y1] = init.extent;
    const px = x => (x - x0) / (x1 - x0) * W, py = y => (y1 - y) / (y1 - y0) * H;
    const points = (set, test) => {
      for (let i = 0; i < set.y.length; i++) {
        ctx.beginPath();
        ctx.arc(px(set.x[2 * i]), py(set.x[2 * i + 1]), 3.2, 0, 2 * Math.PI);
        ctx.fillStyle = css(classColour(set.y[i]));
        ctx.fill();
        ctx.lineWidth = test ? 1.4 : 1;
        ctx.strokeStyle = test ? "#111" : "#fff";
        ctx.stroke();
      }
    };
    points(init.train, false);
    if (init.test && $("show-test").checked) points(init.test, true);
  }

  function divergent(b) {
    const t = b / 127.5 - 1;
    return t < 0 ? mix(WHITE, NEG, -t) : mix(WHITE, POS, t);
  }

  function drawNetwork() {
    const canvas = $("net"), ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height;
    ctx.clearRect(0, 0, W, H);
    if (!run || !run.init || !run.frame) return;
    const init = run.init, frame = run.frame, layers = frame.layers;
    const T = 34, top = 16, bottom = 30;
    const columns = [{ units: 2, shown: [0, 1], maps: null }, ...layers];
    const cols = columns.length;
    const xs = columns.map((_, c) => 20 + c * (W - 40 - T) / Math.max(1, cols - 1));
    const ys = columns.map(col => {
      const n = col.shown.length, space = Math.min(T + 14, (H - top - bottom) / n);
      const start = top + (H - top - bottom - space * n) / 2 + (space - T) / 2;
      return col.shown.map((_, i) => start + i * space);
    });
    // connections, coloured by sign, thick by |w| (relative to the layer's largest shown weight)
    layers.forEach((layer, l) => {
      let max = 0;
      for (const row of layer.weights) for (const w of row) max = Math.max(max, Math.abs(w));
      if (max === 0) max = 1;
      layer.weights.forEach((row, o) => row.forEach((w, i) => {
        const a = Math.abs(w) / max;
        ctx.beginPath();
        ctx.moveTo(xs[l] + T, ys[l][i] + T / 2);
        ctx.lineTo(xs[l + 1], ys[l + 1][o] + T / 2);
        ctx.strokeStyle = `rgba(${(w >= 0 ? POS : NEG).join(",")},${0.15 + 0.75 * a})`;
        ctx.lineWidth = 0.4 + 3.6 * a;
        ctx.stroke();
      }));
    });
    // tiles: the inputs x1, x2 and every shown unit's activation over the plane
    const n = init.mapGrid;
    columns.forEach((col, c) => {
      col.shown.forEach((unit, i) => {
        const x = xs[c], y = ys[c][i];
        if (c === 0) paintGrid(ctx, n, k => divergent(unit === 0 ? 255 * ((k % n) + 0.5) / n : 255 * (1 - (Math.floor(k / n) + 0.5) / n)), x, y, T, T);
        else {
          const map = bytes(col.maps[i]);
          const last = c === cols - 1;
          paintGrid(ctx, n, k => last ? mix(WHITE, classColour(unit), map[k] / 255) : divergent(map[k]), x, y, T, T);
        }
        ctx.strokeStyle = "#9aa4b2"; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, T - 1, T - 1);
        ctx.fillStyle = "#374151"; ctx.font = "11px system-ui, 'DejaVu Sans', sans-serif"; ctx.textAlign = "right";
        if (c === 0) ctx.fillText(unit === 0 ? "x₁" : "x₂", x - 3, y + T / 2 + 4);
        if (c === cols - 1) { ctx.textAlign = "left"; ctx.fillText(init.classes[unit], x + T + 4, y + T / 2 + 4); }
      });
      ctx.textAlign = "center"; ctx.fillStyle = "#6b7280"; ctx.font = "11px system-ui, 'DejaVu Sans', sans-serif";
      const label = c === 0 ? "inputs" : c === cols - 1 ? "softmax" : `${col.shown.length < col.units ? `${col.shown.length} of ` : ""}${col.units} ${config.activation}`;
      ctx.fillText(label, xs[c] + T / 2, H - 12);
    });
  }

  function drawCurves() {
    const canvas = $("curves"), ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height, L = 34, B = 16;
    ctx.clearRect(0, 0, W, H);
    if (!run || run.history.length === 0) return;
    const h = run.history, last = Math.max(1, h[h.length - 1][0]);
    let max = 0;
    for (const [, a, b] of h) max = Math.max(max, a, b == null ? 0 : b);
    if (!(max > 0)) max = 1;
    ctx.strokeStyle = "#d6d9de"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(L, 4); ctx.lineTo(L, H - B); ctx.lineTo(W - 4, H - B); ctx.stroke();
    ctx.fillStyle = "#6b7280"; ctx.font = "10px system-ui, 'DejaVu Sans', sans-serif"; ctx.textAlign = "right";
    ctx.fillText(max.toFixed(2), L - 4, 12); ctx.fillText("0", L - 4, H - B);
    ctx.textAlign = "center"; ctx.fillText(`epoch ${last.toLocaleString("en-US")}`, (L + W) / 2, H - 3);
    const X = e => L + (W - 4 - L) * e / last, Y = v => H - B - (H - B - 6) * v / max;
    const line = (k, colour, dash) => {
      ctx.beginPath(); ctx.setLineDash(dash); ctx.strokeStyle = colour; ctx.lineWidth = 1.6;
      let started = false;
      for (const p of h) {
        if (p[k] == null) continue;
        if (!started) { ctx.moveTo(X(p[0]), Y(p[k])); started = true; } else ctx.lineTo(X(p[0]), Y(p[k]));
      }
      ctx.stroke(); ctx.setLineDash([]);
    };
    line(1, "#16181d", []);
    line(2, css(NEG), [5, 3]);
  }

  // ---- start ----
  async function start() {
    wireControls();
    try {
      const r = await fetch(`${API}/presets`);
      const info = await r.json();
      presets = info.presets; limits = info.limits;
      buildDatasets(info.data);
      for (const name of ["flower", "spiral"]) $(`preset-${name}`).title = `${presets[name].description}. Seed figure: ${presets[name].seedFigure}`;
      config.epochs = 1000;
      showSettings();
      newRun();
    } catch (e) {
      document.body.dataset.state = "error";
      status(`Could not reach the playground API: ${e.message}`, true);
    }
  }
  start();
})();
