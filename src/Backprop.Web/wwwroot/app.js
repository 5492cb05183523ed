// Draw-a-digit page: the pad's ink (its alpha channel, 0..255) goes to POST /api/predict, which normalizes it like
// MNIST (Backprop.Data.Preprocessing.DigitPreprocessing) and answers with the class probabilities and the 28x28 image.
"use strict";
(() => {
  const pad = document.getElementById("pad");
  const ctx = pad.getContext("2d", { willReadFrequently: true });
  const seen = document.getElementById("seen").getContext("2d");
  const bars = document.getElementById("bars");
  const prediction = document.getElementById("prediction");
  const confidence = document.getElementById("confidence");
  const status = document.getElementById("status");
  const BRUSH = 22; // px on the 280-px pad: about 2 px once the digit is scaled into MNIST's 20x20 box

  let classes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  let drawing = false, last = null, inked = false;
  let inFlight = false, pending = false, generation = 0;

  function buildBars(names) {
    classes = names;
    bars.replaceChildren(...names.map((name, k) => {
      const li = document.createElement("li");
      li.dataset.class = name;
      li.dataset.index = String(k);
      li.innerHTML = '<span class="label"></span><span class="track"><span class="fill"></span></span><span class="pct">–</span>';
      li.querySelector(".label").textContent = name;
      return li;
    }));
  }

  function pct(p) { return (100 * p).toFixed(1) + " %"; }

  function showModel(info) {
    const acc = info.test_accuracy != null ? ` · test accuracy ${pct(info.test_accuracy)}` : "";
    document.getElementById("model").textContent = `${info.network} · ${info.precision}${acc}`;
    buildBars(info.classes);
  }

  function reset() {
    prediction.textContent = "?";
    confidence.textContent = "draw a digit";
    delete prediction.dataset.index;
    for (const li of bars.children) {
      li.classList.remove("top");
      li.dataset.probability = "";
      li.querySelector(".fill").style.width = "0";
      li.querySelector(".pct").textContent = "–";
    }
    seen.clearRect(0, 0, 28, 28);
  }

  function show(result) {
    prediction.textContent = result.predicted;
    prediction.dataset.index = String(result.index);
    confidence.textContent = `${pct(result.confidence)} sure`;
    result.probabilities.forEach((p, k) => {
      const li = bars.children[k];
      if (!li) return;
      li.classList.toggle("top", k === result.index);
      li.dataset.probability = String(p);
      li.querySelector(".fill").style.width = `${Math.max(0, Math.min(1, p)) * 100}%`;
      li.querySelector(".pct").textContent = pct(p);
    });
    const img = seen.createImageData(28, 28);
    result.image.forEach((v, i) => {
      const g = Math.round(v);
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
      img.data[4 * i + 3] = 255;
    });
    seen.putImageData(img, 0, 0);
  }

  function setStatus(text, error) {
    status.textContent = text;
    status.classList.toggle("error", !!error);
  }

  function ink() {
    const rgba = ctx.getImageData(0, 0, pad.width, pad.height).data;
    const a = new Array(pad.width * pad.height);
    for (let i = 0; i < a.length; i++) a[i] = rgba[4 * i + 3];
    return a;
  }

  // At most one request in flight; strokes made meanwhile are sent when it returns (the latest drawing wins).
  async function predict() {
    if (!inked) return;
    if (inFlight) { pending = true; return; }
    inFlight = true;
    pending = false;
    const mine = generation;
    try {
      const response = await fetch("api/predict", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ drawing: { width: pad.width, height: pad.height, ink: ink() } }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail || `HTTP ${response.status}`);
      if (mine === generation) { show(body); setStatus(""); }
    } catch (e) {
      setStatus(`Prediction failed: ${e.message}`, true);
    } finally {
      inFlight = false;
      if (pending) predict();
    }
  }

  function point(e) {
    const r = pad.getBoundingClientRect();
    return { x: (e.clientX - r.left) * pad.width / r.width, y: (e.clientY - r.top) * pad.height / r.height };
  }

  function segment(a, b) {
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }

  ctx.lineWidth = BRUSH;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#16181d";

  pad.addEventListener("pointerdown", e => {
    if (e.button !== 0) return;
    pad.setPointerCapture(e.pointerId);
    drawing = true;
    last = point(e);
    segment(last, last); // a tap leaves a dot
    inked = true;
    e.preventDefault();
  });
  pad.addEventListener("pointermove", e => {
    if (!drawing) return;
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [e];
    for (const c of events.length ? events : [e]) {
      const p = point(c);
      segment(last, p);
      last = p;
    }
    predict();
  });
  const end = () => { if (drawing) { drawing = false; predict(); } };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  document.getElementById("clear").addEventListener("click", () => {
    ctx.clearRect(0, 0, pad.width, pad.height);
    inked = false;
    generation++;
    reset();
    setStatus("");
  });

  buildBars(classes);
  fetch("api/model")
    .then(r => r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`)))
    .then(showModel)
    .catch(e => setStatus(`Could not load the model: ${e.message}`, true));
})();
