// emviz stepper: replays, in the browser, a run that Python computed once.
//
// Streamlit's custom components v2 call the default export on mount and whenever Python
// sends new data. The data is one line of JSON (which payload, and where to go) followed by
// the payload that emviz/figures/stepper.py builds and documents. Everything else happens here:
// stepping, scrubbing, playing, the keys, hover, and editing the points. Python hears back
// only where the user stopped (state "position"), and about edits (triggers "edit",
// "drag", "command").
//
// Python hears where the user is only when it needs to: when the user reaches for anything
// outside the stepper (a download, the share box, the sidebar, another page) or changes the
// run from inside it. Meanwhile the address bar is kept right here (its position parameter,
// e.g. step=), so stepping costs the server nothing.
//
// Plain JavaScript, no build step. plotly.js is a bundle Streamlit serves from static/.

const FORMAT = 1;
const URL_AFTER_MS = 600; // stepping has paused: the address bar follows
const EDIT_AFTER_MS = 600; // edits are sent in batches, one rerun each
const CLICK_SLOP_PX = 4; // a press that moves less than this is a click, not a zoom or pan
const DOUBLE_CLICK_MS = 260; // Plotly resets the zoom on a double click: not two new points
const GRAB_PX = 14; // how close to a mean a press must be to drag it
const REMOVE_PX = 24; // Shift+click removes the nearest point if it is this close
const WIDE_PX = 1250; // side-by-side layout from this width (presenter mode at 1920 px)
const DEFERRED_MS = 250; // legend names and the like follow this long after the last step
const SVG_NS = "http://www.w3.org/2000/svg";
// Plotly's SI prefixes, 10^-15 to 10^12 (a tick label's exponentformat "SI" or "B").
const SI_PREFIXES = ["f", "p", "n", "μ", "m", "", "k", "M", "G", "T"];

// ------------------------------------------------------------------------------------
// Loading plotly.js once per page
// ------------------------------------------------------------------------------------
// The bundles in static/ (emviz/ui/stepper.py puts them there; emviz/ui/vendor/SOURCES.json
// says where each comes from), smallest first, with the trace types each has. A payload
// loads the smallest one that has all of its trace types: the first chart waits until the
// bundle has been evaluated, and the full bundle takes several times as long as "basic".
const STATIC_URL = "app/static/";
const PLOTLY_BUNDLES = [
  { file: "plotly-basic.min.js", traces: ["bar", "pie", "scatter"] },
  { file: "plotly-gl3d.min.js", traces: ["cone", "isosurface", "mesh3d", "scatter", "scatter3d",
    "streamtube", "surface", "volume"] },
  { file: "plotly.min.js", traces: null }, // the plotly package's own: every trace type
];

function traceTypes(payload) {
  const types = new Set();
  for (const chart of payload.charts) {
    for (const trace of chart.figure.data || []) types.add(trace.type || "scatter");
  }
  return types;
}

// Each bundle defines window.Plotly as it runs, so a page that loaded two keeps both here,
// by file: a chart is always updated by the plotly.js that drew it.
function loadPlotly(types) {
  const loaded = (window.__emvizPlotly = window.__emvizPlotly || {});
  const has = (bundle) => !bundle.traces || [...types].every((t) => bundle.traces.includes(t));
  const bundle = PLOTLY_BUNDLES.find((b) => loaded[b.file] && has(b)) || PLOTLY_BUNDLES.find(has);
  if (!loaded[bundle.file]) {
    loaded[bundle.file] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(STATIC_URL + bundle.file, document.baseURI).href;
      // the load event comes right after the script has run: window.Plotly is this bundle's
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        delete loaded[bundle.file];
        reject(new Error("plotly.js could not be loaded from " + script.src));
      };
      document.head.appendChild(script);
    });
  }
  return loaded[bundle.file];
}

// ------------------------------------------------------------------------------------
// Decoding the payload
// ------------------------------------------------------------------------------------
const TYPED = {
  f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array,
  i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
};

function fromBase64(spec) {
  const bin = atob(spec.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new TYPED[spec.dtype](bytes.buffer);
}

// Every {dtype, bdata} inside becomes a typed array.
function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if (typeof value.bdata === "string" && value.dtype in TYPED) return fromBase64(value);
    const out = {};
    for (const key of Object.keys(value)) out[key] = decode(value[key]);
    return out;
  }
  return value;
}

const utf8 = new TextDecoder("utf-8");

function splitData(bytes) {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const nl = view.indexOf(10);
  return { header: JSON.parse(utf8.decode(view.subarray(0, nl))), body: view.subarray(nl + 1) };
}

// ------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------
// Whether two {attribute: array} dicts hold the same values (NaN equals NaN).
function sameArrays(a, b) {
  if (!a || !b) return false;
  const keys = Object.keys(b);
  if (keys.length !== Object.keys(a).length) return false;
  for (const key of keys) {
    const u = a[key];
    const v = b[key];
    if (u === v) continue;
    if (!u || !v || u.length !== v.length) return false;
    for (let i = 0; i < v.length; i++) if (!Object.is(u[i], v[i])) return false;
  }
  return true;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.appendChild(child);
  return node;
}

const at = (series, h) => series.values[series.index[h]];

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, name) => (name in values ? values[name] : m));
}

// log N(x | mean, cov) for every component, then normalised: a point's responsibilities.
function responsibilities(x, p) {
  const d = x.length;
  const k = p.weights.length;
  const logp = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const L = new Float64Array(d * d); // Cholesky factor of the covariance
    let ok = true;
    for (let i = 0; i < d && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = p.covariances[c * d * d + i * d + j];
        for (let m = 0; m < j; m++) s -= L[i * d + m] * L[j * d + m];
        if (i === j) {
          if (!(s > 0)) { ok = false; break; }
          L[i * d + i] = Math.sqrt(s);
        } else {
          L[i * d + j] = s / L[j * d + j];
        }
      }
    }
    if (!ok || !(p.weights[c] > 0)) { logp[c] = -Infinity; continue; }
    let maha = 0;
    let logdet = 0;
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = x[i] - p.means[c * d + i];
      for (let m = 0; m < i; m++) s -= L[i * d + m] * z[m];
      z[i] = s / L[i * d + i];
      maha += z[i] * z[i];
      logdet += 2 * Math.log(L[i * d + i]);
    }
    logp[c] = Math.log(p.weights[c]) - 0.5 * (d * Math.log(2 * Math.PI) + logdet + maha);
  }
  let top = -Infinity;
  for (const v of logp) top = Math.max(top, v);
  let total = 0;
  for (const v of logp) total += Math.exp(v - top);
  return Array.from(logp, (v) => Math.exp(v - top) / total);
}

const fmt = (v) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
  ? v.toExponential(3) : Number(v.toPrecision(4)).toString());

// ------------------------------------------------------------------------------------
// Keys: one listener per page, for the stepper the user last touched (or the last mounted)
// ------------------------------------------------------------------------------------
// A press or a focus outside the stepper: whatever it is for (a download, the sidebar, a
// link, another page) may need Python to know where the stepper is, so tell it first.
function reachedOutside(event) {
  const stepper = window.__emvizActive;
  if (!stepper || !stepper.root.isConnected || stepper.root.contains(event.target)) return;
  // Not for a link to another page: the report's fragment would arrive after the page has
  // gone (Streamlit then draws nothing); the stepper's memory keeps the position instead.
  if (event.target.closest && event.target.closest("a[href]")) return;
  stepper.report();
}

function installKeys() {
  if (window.__emvizKeys) return;
  window.__emvizKeys = true;
  document.addEventListener("pointerdown", reachedOutside, true);
  document.addEventListener("focusin", reachedOutside, true);
  document.addEventListener("keydown", (event) => {
    const stepper = window.__emvizActive;
    if (!stepper || !stepper.root.isConnected || event.defaultPrevented) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (target && target.tagName === "INPUT") {
      // typing goes to text fields; a slider moves itself with the arrows and Home
      if (target.type !== "range" && target.type !== "checkbox") return;
      if (target.type === "range" && event.key !== "p" && event.key !== "P") return;
    }
    const action = { ArrowRight: "next", ArrowLeft: "back", p: "play", P: "play", Home: "reset" }[event.key];
    if (!action) return;
    event.preventDefault();
    stepper.act(action);
  });
}

// ------------------------------------------------------------------------------------
// The stepper
// ------------------------------------------------------------------------------------
class Stepper {
  constructor(parent, api) {
    this.api = api;
    this.payload = null;
    this.id = null;
    this.h = 0;
    this.frontier = 0;
    this.playing = false;
    this.speed = 1;
    this.predict = Boolean(window.__emvizPredict);
    this.charts = [];
    this.busy = false;
    this.dirty = false;
    this.rendered = 0;
    this.reportTimer = null;
    this.build(parent);
    installKeys();
    window.__emvizActive = this;
  }

  // --- DOM ----------------------------------------------------------------------------
  build(parent) {
    const button = (act, cls = "") => el("button", { type: "button", "data-act": act, class: cls });
    this.buttons = {
      back: button("back"), e: button("e"), m: button("m"), step: button("step", "emv-primary"),
      play: button("play"), run: button("run"), reset: button("reset"),
      new_init: button("new_init"),
    };
    this.speedSelect = el("select", { "data-act": "speed" });
    this.predictBox = el("input", { type: "checkbox", "data-act": "predict" });
    this.predictLabel = el("span");
    this.timeline = el("input", { type: "range", min: "0", max: "0", step: "1", value: "0",
      "data-act": "timeline" });
    this.count = el("span", { class: "emv-count" });
    this.title = el("strong");
    this.parts = el("span");
    this.caption = el("p", { class: "emv-caption" });
    this.formulaSummary = el("summary");
    this.formulaBody = el("div", { class: "emv-formula-body" });
    this.formula = el("details", { class: "emv-formula" }, this.formulaSummary, this.formulaBody);
    this.end = el("div", { class: "emv-box", hidden: "" });
    this.note = el("div", { class: "emv-box", hidden: "" });
    this.hint = el("p", { class: "emv-hint", hidden: "" });
    this.keys = el("p", { class: "emv-keys" });
    this.tooltip = el("div", { class: "emv-tooltip", hidden: "" });
    this.message = el("p", { class: "emv-message" });
    this.main = el("div", { class: "emv-main" });
    this.side = el("div", { class: "emv-side" });
    this.metrics = el("div", { class: "emv-metrics" });
    this.above = el("div", { class: "emv-above" }); // tables that span the width (role "above")
    this.toolbar = el("div", { class: "emv-toolbar", role: "toolbar" },
        this.buttons.back, this.buttons.e, this.buttons.m, this.buttons.step,
        this.buttons.play, this.speedSelect, this.buttons.run, this.buttons.reset,
        this.buttons.new_init,
        el("label", { class: "emv-predict" }, this.predictBox, this.predictLabel));
    this.root = el("div", { class: "emv-stepper", "data-testid": "emvizStepper" },
      this.toolbar,
      el("div", { class: "emv-timeline" }, this.timeline, this.count),
      el("div", { class: "emv-status" },
        el("p", { class: "emv-title" }, this.title, this.parts), this.caption, this.formula),
      this.end,
      this.metrics,
      this.above,
      el("div", { class: "emv-body" }, this.main, this.side),
      this.note, this.keys, this.tooltip);
    this.root.prepend(this.message);
    parent.appendChild(this.root);

    for (const [act, node] of Object.entries(this.buttons)) {
      node.addEventListener("click", () => this.act(act));
    }
    this.speedSelect.addEventListener("change", () => {
      this.speed = Number(this.speedSelect.value);
    });
    this.predictBox.addEventListener("change", () => {
      this.predict = this.predictBox.checked;
      window.__emvizPredict = this.predict;
      if (this.predict) this.frontier = this.h;
      this.request();
    });
    this.timeline.addEventListener("input", () => {
      this.pause(false);
      this.go(Number(this.timeline.value));
    });
    this.root.addEventListener("pointerdown", () => { window.__emvizActive = this; }, true);
    new ResizeObserver(() => this.layout()).observe(this.root);
  }

  layout() {
    const wide = this.root.clientWidth >= WIDE_PX;
    this.root.classList.toggle("emv-wide", wide);
    for (const chart of this.charts) {
      if (chart.gd && chart.gd._fullLayout && this.plotly) this.plotly.Plots.resize(chart.gd);
    }
  }

  setWords(text) {
    const words = {
      back: "◀ " + text.back, e: text.e, m: text.m, step: text.step, play: text.play,
      run: text.run, reset: text.reset, new_init: text.new_init,
    };
    for (const [act, node] of Object.entries(this.buttons)) {
      node.textContent = words[act];
      node.title = text[act + "_help"] || "";
    }
    this.speedSelect.title = text.speed;
    this.speedSelect.setAttribute("aria-label", text.speed);
    this.predictLabel.textContent = text.predict;
    this.predictLabel.parentElement.title = text.predict_help;
    this.timeline.setAttribute("aria-label", text.timeline);
    this.timeline.title = text.timeline_help;
    this.formulaSummary.textContent = text.formula;
    this.keys.textContent = text.keys;
  }

  // --- Loading a payload ---------------------------------------------------------------
  // Loads run one after the other; a payload superseded while waiting is skipped.
  enqueue(payload, header) {
    this.latest = header.id;
    this.loading = (this.loading || Promise.resolve()).then(() => (
      this.latest === header.id ? this.load(payload, header) : null
    )).catch((err) => this.showError(err));
  }

  async load(payload, header) {
    if (payload.format !== FORMAT) {
      throw new Error("stepper payload format " + payload.format + ", expected " + FORMAT);
    }
    const Plotly = await loadPlotly(traceTypes(payload));
    this.pause(false);
    this.payload = payload;
    this.id = header.id;
    this.header = header;
    this.unreported = false;
    this.setWords(payload.text);
    this.speedSelect.replaceChildren(...payload.speeds.map((s) => {
      const option = el("option", { value: String(s), text: s + "×" });
      if (s === this.speed) option.selected = true;
      return option;
    }));
    this.predictBox.checked = this.predict;
    const offered = new Set(payload.controls);
    for (const [act, node] of Object.entries(this.buttons)) node.hidden = !offered.has(act);
    this.speedSelect.hidden = !offered.has("speed");
    this.predictLabel.parentElement.hidden = !offered.has("predict");
    this.timeline.parentElement.hidden = !offered.has("timeline");
    this.toolbar.hidden = !payload.controls.some((c) => c !== "timeline");
    this.keys.hidden = !offered.has("step");
    this.root.classList.toggle("emv-presenter", Boolean(payload.presenter));

    // clicks made after the last batch was sent, to apply again to the new run
    const leftover = this.charts.filter((c) => c.edits && c.edits.sent)
      .flatMap((c) => c.edits.log.slice(c.edits.sent));
    for (const chart of this.charts) this.plotly.purge(chart.gd);
    this.plotly = Plotly;
    this.main.replaceChildren();
    this.side.replaceChildren();
    this.above.replaceChildren();
    this.charts = [];
    // The columns first: a chart drawn at another width keeps the ranges its equal-aspect
    // constraint widened there.
    const mains = payload.charts.filter((c) => c.role === "main").length;
    this.main.style.gridTemplateColumns = `repeat(${Math.max(1, mains)}, minmax(0, 1fr))`;
    for (const spec of payload.charts) {
      const gd = el("div", { class: "emv-chart", "data-chart": spec.id });
      (spec.role === "main" ? this.main : this.side).appendChild(gd);
      const chart = { spec, gd, shown: spec.channels.map(() => -1), revealed: null,
        full: null, canvas: null, codes: null, edits: null, marks: null };
      this.charts.push(chart);
      const layout = { ...spec.figure.layout, autosize: true };
      delete layout.width;
      await Plotly.newPlot(gd, spec.figure.data, layout,
        { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] });
      if (spec.reveal) {
        chart.full = spec.reveal.traces.map((i) => ({ x: gd.data[i].x, y: gd.data[i].y }));
        chart.yRange = layout.yaxis && layout.yaxis.range ? layout.yaxis.range.slice() : null;
      }
      if (spec.canvas) this.setupCanvas(chart);
      if (spec.channels.some((c) => c.kind === "marks")) this.setupMarks(chart);
      if (spec.hover && !spec.canvas) {
        gd.on("plotly_hover", (ev) => this.hover3d(chart, ev));
        gd.on("plotly_unhover", () => { this.tooltip.hidden = true; });
      }
      if (spec.edit) this.setupEdit(chart);
    }
    this.tables = (payload.tables || []).map((spec) => {
      const title = el("p", { class: "emv-table-title" });
      const head = el("tr");
      for (const name of spec.columns) head.appendChild(el("th", { text: name }));
      const body = el("tbody");
      const wrap = el("div", { class: "emv-table", "data-table": spec.id }, title,
        el("table", {}, el("thead", {}, head), body));
      (spec.role === "above" ? this.above : this.side).appendChild(wrap);
      return { spec, title, body, shownRows: -1 };
    });
    this.metricCards = (payload.metrics || []).map((spec) => {
      const value = el("div", { class: "emv-metric-value" });
      const card = el("div", { class: "emv-metric", "data-metric": spec.id, title: spec.help || "" },
        el("div", { class: "emv-metric-label", text: spec.label }), value);
      return { spec, card, value };
    });
    this.metrics.replaceChildren(...this.metricCards.map((m) => m.card));
    this.metrics.hidden = !this.metricCards.length;
    delete this.root.dataset.edits;
    delete this.root.dataset.dragged;
    const editable = this.charts.find((c) => c.edits);
    if (editable) for (const edit of leftover) this.applyEdit(editable, edit);
    this.hint.hidden = !payload.charts.some((c) => c.edit);
    this.hint.textContent = payload.charts.some((c) => c.edit && c.edit.means_trace !== null)
      ? payload.text.add_hint : payload.text.draw_hint;
    this.main.appendChild(this.hint);
    this.message.textContent = "";
    this.root.dataset.payload = this.id;
    this.root.dataset.n = String(payload.n);
    this.layout();

    const memory = Stepper.memory(this.api.key);
    if (header.goto !== null && header.goto !== undefined && memory.nonce !== header.nonce) {
      memory.nonce = header.nonce;
      this.h = Math.min(Math.max(0, header.goto), payload.n - 1);
      this.frontier = this.h;
    } else if (memory.id === this.id) {
      // back on the page: where the user left it, which Python may not know
      this.h = Math.min(memory.h, payload.n - 1);
      this.frontier = Math.min(memory.frontier, payload.n - 1);
      this.unreported = true;
      this.writeUrl();
    } else {
      this.h = 0;
      this.frontier = 0;
    }
    memory.id = this.id;
    this.request();
  }

  // Where each stepper (by Streamlit key) was, so that coming back to the page keeps it.
  static memory(key) {
    window.__emvizMemory = window.__emvizMemory || {};
    window.__emvizMemory[key] = window.__emvizMemory[key] || { id: null, h: 0, frontier: 0, nonce: null };
    return window.__emvizMemory[key];
  }

  // --- Moving --------------------------------------------------------------------------
  get last() { return this.payload ? this.payload.n - 1 : 0; }

  nextOf(kind) {
    const h = this.h + 1;
    return h <= this.last && this.payload.kinds[h] === kind ? h : null;
  }

  nextFull() {
    // EM: to the end of the next M-step (from an E-step finish it, else a whole iteration);
    // a payload without half-steps: the next position
    const kinds = this.payload.kinds;
    const to = this.payload.step_to;
    if (!to) return this.h < this.last ? this.h + 1 : null;
    for (let h = this.h + 1; h <= this.last; h++) if (kinds[h] === to) return h;
    return null;
  }

  act(action) {
    if (!this.payload) return;
    window.__emvizActive = this;
    const moves = {
      next: () => (this.h < this.last ? this.h + 1 : null),
      back: () => (this.h > 0 ? this.h - 1 : null),
      e: () => this.nextOf("E"),
      m: () => this.nextOf("M"),
      step: () => this.nextFull(),
      run: () => this.last,
      reset: () => 0,
    };
    if (action === "play") { this.playing ? this.pause(true) : this.play(); return; }
    if (action === "new_init") { this.api.setTriggerValue("command", "new_init"); return; }
    if (!(action in moves)) return;
    this.pause(false);
    const h = moves[action]();
    if (action === "reset") this.frontier = 0;
    if (h !== null) this.go(h);
    else if (action === "reset") this.request();
  }

  go(h) {
    this.h = Math.min(Math.max(0, h), this.last);
    this.frontier = Math.max(this.frontier, this.h);
    const memory = Stepper.memory(this.api.key);
    memory.h = this.h;
    memory.frontier = this.frontier;
    this.request();
    this.unreported = true;
    if (!this.playing) this.scheduleUrl();
  }

  play() {
    if (this.last === 0) return;
    if (this.h >= this.last) this.go(0);
    this.playing = true;
    this.syncControls();
    // Each frame is due one interval after the previous one was due, not after it ran: the
    // timer's lateness does not add up, so a speed plays at its rate. A frame more than an
    // interval late moves the schedule instead of bunching the next frames together.
    let due = performance.now();
    const tick = async () => {
      if (!this.playing) return;
      if (this.h >= this.last) { this.pause(true); return; }
      this.go(this.h + 1);
      await this.idle();
      const interval = 1000 / (this.payload.rate * this.speed);
      const now = performance.now();
      due = Math.max(due + interval, now - interval);
      this.playTimer = setTimeout(tick, Math.max(0, due - now));
    };
    this.playTimer = setTimeout(tick, 0);
  }

  pause(settled) {
    if (!this.playing) return;
    this.playing = false;
    clearTimeout(this.playTimer);
    this.syncControls();
    if (settled) this.writeUrl();
  }

  scheduleUrl() {
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(() => this.writeUrl(), URL_AFTER_MS);
  }

  // The address bar says where the stepper is (replacing the history entry: a step is not
  // a page). Python writes the same parameter once it has heard (report), so the two agree.
  writeUrl() {
    clearTimeout(this.urlTimer);
    const param = this.header && this.header.param;
    if (!param || !this.payload) return;
    const url = new URL(window.location.href);
    if (url.searchParams.get(param) === String(this.h)) return;
    url.searchParams.set(param, String(this.h));
    window.history.replaceState(window.history.state, "", url);
  }

  // Tell Python where the stepper is (one rerun of the stepper's fragment), if it does not
  // know yet: called when the user reaches for something outside the stepper.
  report() {
    if (!this.id || !this.unreported) return;
    this.unreported = false;
    this.writeUrl();
    this.api.setStateValue("position", { id: this.id, h: this.h, frontier: this.frontier });
  }

  // --- Drawing -------------------------------------------------------------------------
  request() {
    if (this.busy) { this.dirty = true; return; }
    this.busy = true;
    const loop = async () => {
      try {
        do {
          this.dirty = false;
          await this.renderOnce();
        } while (this.dirty);
      } catch (err) {
        this.showError(err);
      } finally {
        this.busy = false;
        if (this.waiters) { this.waiters.forEach((w) => w()); this.waiters = null; }
      }
    };
    loop();
  }

  idle() {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => { (this.waiters = this.waiters || []).push(resolve); });
  }

  async renderOnce() {
    const p = this.payload;
    if (!p) return;
    const h = this.h;
    const reach = this.predict ? this.frontier : this.last;
    const updates = this.charts.map((chart) => this.chartUpdate(chart, h, reach));
    await Promise.all(updates.map(async (u) => {
      if (u.moves.traces.length) {
        await this.plotly.animate(u.gd, { data: u.moves.data, traces: u.moves.traces },
          { transition: { duration: 0 }, frame: { duration: 0, redraw: false }, mode: "immediate" });
      }
      // a layout alone is a relayout: Plotly.update costs a restyle pass on top
      if (u.traces.length) await this.plotly.update(u.gd, u.data, u.layout, u.traces);
      else if (Object.keys(u.layout).length) await this.plotly.relayout(u.gd, u.layout);
    }));
    for (const chart of this.charts) if (chart.spec.canvas) this.drawCanvas(chart);
    for (const u of updates) if (u.marks) this.drawMarks(u.chart);
    for (const table of this.tables) this.drawTable(table, h);
    this.drawStatus(h, reach);
    this.syncControls();
    this.scheduleDeferred();
    this.rendered += 1;
    this.root.dataset.position = String(h);
    this.root.dataset.frontier = String(this.frontier);
    this.root.dataset.rendered = String(this.rendered);
  }

  // What waits until stepping pauses (legend names): one update, a moment after the last step.
  scheduleDeferred() {
    clearTimeout(this.deferTimer);
    this.deferTimer = setTimeout(() => {
      if (this.playing || this.busy) { this.scheduleDeferred(); return; }
      for (const chart of this.charts) {
        const u = this.chartUpdate(chart, this.h, null, true);
        if (u.traces.length) this.plotly.restyle(u.gd, u.data, u.traces);
      }
    }, DEFERRED_MS);
  }

  // The updates of a chart at position h: every channel whose value changed, plus the reveal,
  // less what is already on screen. "animate" channels move x/y with Plotly.animate (no
  // redraw); the rest go in one Plotly.update. With `deferred`, only the deferred channels.
  chartUpdate(chart, h, reach, deferred = false) {
    const perTrace = new Map();
    const moving = new Map();
    const layout = {};
    let marks = null;
    chart.spec.channels.forEach((channel, c) => {
      if (Boolean(channel.deferred) !== deferred) return;
      const i = channel.index[h];
      if (chart.shown[c] === i) return;
      chart.shown[c] = i;
      const value = channel.values[i];
      if (channel.kind === "relayout") { Object.assign(layout, value); return; }
      if (channel.kind === "marks") { (marks || (marks = new Map())).set(c, value); return; }
      const into = channel.kind === "animate" ? moving : perTrace;
      channel.traces.forEach((t, j) => {
        into.set(t, Object.assign(into.get(t) || {}, value[j]));
      });
    });
    if (!deferred) {
      if (chart.spec.canvas) chart.codes = at(chart.spec.canvas.codes, h);
      if (chart.spec.reveal) this.revealUpdate(chart, reach, perTrace, layout);
    }
    const applied = chart.applied || (chart.applied = { traces: new Map(), layout: {} });
    for (const key of Object.keys(layout)) {
      if (applied.layout[key] === layout[key]) delete layout[key];
      else applied.layout[key] = layout[key];
    }
    for (const [t, d] of perTrace) {
      const seen = applied.traces.get(t) || {};
      for (const key of Object.keys(d)) {
        if (seen[key] === d[key]) delete d[key];
        else seen[key] = d[key];
      }
      applied.traces.set(t, seen);
      if (!Object.keys(d).length) perTrace.delete(t);
    }
    // an animated trace whose x/y are those on screen is left out: a Plotly.animate costs
    // per trace it moves (a component drawn nowhere stays so, step after step)
    const moved = chart.moved || (chart.moved = new Map());
    for (const [t, d] of moving) {
      if (sameArrays(moved.get(t), d)) moving.delete(t);
      else moved.set(t, d);
    }
    const traces = Array.from(perTrace.keys());
    const keys = new Set();
    for (const d of perTrace.values()) for (const k of Object.keys(d)) keys.add(k);
    const data = {};
    for (const key of keys) data[key] = traces.map((t) => perTrace.get(t)[key]);
    const moves = { traces: Array.from(moving.keys()), data: Array.from(moving.values()) };
    if (marks) {
      for (const [c, value] of marks) chart.marks.values.set(c, value);
      chart.marks.version += 1;
    }
    return { chart, gd: chart.gd, data, layout, traces, moves, marks: Boolean(marks) };
  }

  revealUpdate(chart, reach, perTrace, layout) {
    const spec = chart.spec.reveal;
    const upto = this.predict ? spec.upto[reach] : Infinity;
    if (chart.revealed === upto) return;
    chart.revealed = upto;
    spec.traces.forEach((t, j) => {
      const { x, y } = chart.full[j];
      let xs = x;
      let ys = y;
      if (upto !== Infinity) {
        const keep = [];
        for (let i = 0; i < x.length; i++) if (x[i] <= upto) keep.push(i);
        xs = keep.map((i) => x[i]);
        ys = keep.map((i) => y[i]);
      }
      perTrace.set(t, Object.assign(perTrace.get(t) || {}, { x: xs, y: ys }));
    });
    const hidden = upto !== Infinity && reach < this.last;
    for (const a of spec.annotations) layout[`annotations[${a}].visible`] = !hidden;
    if (upto === Infinity) {
      layout["xaxis.range"] = spec.x_range;
      if (chart.yRange) layout["yaxis.range"] = chart.yRange;
      else layout["yaxis.autorange"] = true;
    } else {
      // the axes show what is revealed, nothing more (a fixed y range would tell the end),
      // unless the payload fixes y (a probability axis tells nothing)
      layout["xaxis.range"] = [spec.x_range[0], Math.max(4, upto * 1.2 + 1)];
      if (spec.fixed_y) {
        if (chart.yRange) layout["yaxis.range"] = chart.yRange;
        return;
      }
      // a log axis takes its range in decades
      const log = chart.gd._fullLayout && chart.gd._fullLayout.yaxis
        && chart.gd._fullLayout.yaxis.type === "log";
      const ys = [];
      for (const t of spec.traces) {
        for (const v of perTrace.get(t).y) {
          if (Number.isFinite(v) && (!log || v > 0)) ys.push(log ? Math.log10(v) : v);
        }
      }
      if (ys.length) {
        const lo = Math.min(...ys);
        const hi = Math.max(...ys);
        const pad = log ? Math.max(0.25, 0.08 * (hi - lo)) : Math.max(1, 0.08 * (hi - lo));
        layout["yaxis.range"] = [lo - pad, hi + pad];
      }
    }
  }

  drawStatus(h, reach) {
    const p = this.payload;
    const text = p.text;
    this.title.textContent = at(p.status.title, h);
    const parts = at(p.status.parts, h).slice();
    if (p.n > 1) {
      parts.push(this.predict ? fill(text.half_hidden, { h }) : fill(text.half, { h, last: this.last }));
    }
    this.parts.textContent = parts.length ? " · " + parts.join(" · ") : "";
    this.caption.textContent = at(p.status.caption, h);
    const formula = p.formula ? at(p.formula, h) : null;
    this.formula.hidden = !formula;
    if (formula && this.formulaBody.dataset.h !== String(p.formula.index[h])) {
      this.formulaBody.innerHTML = formula; // trusted: built from constants in Python
      this.formulaBody.dataset.h = String(p.formula.index[h]);
    }
    const end = h === this.last && p.end && p.n > 1 ? p.end : null;
    this.end.hidden = !end;
    if (end) {
      this.end.textContent = end.text;
      this.end.dataset.level = end.level;
    }
    for (const m of this.metricCards || []) m.value.textContent = at(m.spec, h);
    const note = p.notes ? at(p.notes, reach) : null;
    this.note.hidden = !note;
    if (note) {
      this.note.textContent = note.text;
      this.note.dataset.level = note.level;
    }
  }

  syncControls() {
    if (!this.payload) return;
    const b = this.buttons;
    const last = this.last;
    b.back.disabled = this.h === 0;
    b.e.disabled = this.nextOf("E") === null;
    b.m.disabled = this.nextOf("M") === null;
    b.step.disabled = this.nextFull() === null;
    b.run.disabled = this.h >= last;
    b.reset.disabled = this.h === 0 && this.frontier === 0;
    b.play.disabled = last === 0;
    b.play.textContent = this.playing ? "❚❚ " + this.payload.text.pause : "▶ " + this.payload.text.play;
    b.play.classList.toggle("emv-on", this.playing);
    const max = this.predict ? this.frontier : last;
    this.timeline.max = String(Math.max(max, 1));
    this.timeline.disabled = last === 0 || (this.predict && this.frontier === 0);
    this.timeline.value = String(this.h);
    this.count.textContent = this.payload.labels[this.h] || "";
  }

  drawTable(table, h) {
    const i = table.spec.rows.index[h];
    table.title.textContent = at(table.spec.title, h);
    if (table.shownRows === i) return;
    table.shownRows = i;
    table.body.replaceChildren(...table.spec.rows.values[i].map((row) => {
      const tr = el("tr");
      for (const cell of row) tr.appendChild(el("td", { text: cell }));
      return tr;
    }));
  }

  showError(err) {
    this.message.textContent = String(err && err.message ? err.message : err);
    this.message.classList.add("emv-error");
    console.error(err);
  }

  // --- Marks: a cursor, rings and bars drawn over the chart, without Plotly --------------
  // A Plotly.animate recomputes every trace of its figure and a bar chart is redrawn whole,
  // so marks that change at every step (a cursor on a curve, rings on the values shown,
  // bars over fixed axes) are drawn here, in an SVG over the plot area placed with Plotly's
  // axes, and follow its redraws (zoom, reveal).
  //
  // A relayout costs as much as a redraw too (Plotly recomputes the whole layout to change a
  // tick label), so where a step changes an axis's scale, a marks channel's value may carry
  // its own view of the axes, a frame: {"frame": {"y": [lo, hi]}, "marks": [...]} puts lo
  // and hi at the ends of that axis's home range (the figure's; the axis stays put, with no
  // ticks of its own), and "axis" marks draw its ticks, grid and title as Plotly would.
  setupMarks(chart) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "emv-marks");
    const under = document.createElementNS(SVG_NS, "g"); // grid lines, under every mark
    const clip = document.createElementNS(SVG_NS, "svg"); // lines stay inside the plot area
    svg.append(under, clip);
    const paper = chart.gd.querySelector(".main-svg");
    paper.parentNode.insertBefore(svg, paper.nextSibling);
    const layout = chart.spec.figure.layout || {};
    const home = {};
    for (const [name, axis] of Object.entries(layout)) {
      if (/^[xy]axis\d*$/.test(name) && axis && axis.range) {
        home[name.replace("axis", "")] = axis.range;
      }
    }
    chart.marks = { svg, layers: { under, clip, over: svg }, home, values: new Map(), nodes: [],
      version: 0, drawn: null };
    chart.gd.on("plotly_afterplot", () => this.drawMarks(chart));
    chart.gd.on("plotly_relayout", () => this.drawMarks(chart));
    chart.gd.on("plotly_relayouting", () => this.drawMarks(chart));
  }

  // Plotly's dash patterns (Drawing.dashStyle), so that a mark looks like the trace it replaces.
  static dash(dash, width) {
    const d = Math.max(+width || 1, 3);
    return { dot: `${d}px,${d}px`, dash: `${3 * d}px,${3 * d}px` }[dash] || "";
  }

  drawMarks(chart) {
    const m = chart.marks;
    const fl = chart.gd._fullLayout;
    if (!m || !fl || !fl.xaxis || !fl.xaxis.c2p || !fl._size) return;
    const size = fl._size;
    // drawn already for these values over these axes (Plotly's redraw events and the
    // stepper's own call may come for the same step)
    const axes = Object.keys(fl).filter((k) => /^[xy]axis\d*$/.test(k) && fl[k] && fl[k]._offset !== undefined)
      .map((k) => [k, fl[k].range, fl[k]._offset, fl[k]._length, fl[k].type]);
    const key = JSON.stringify([m.version, size, axes]);
    if (m.drawn === key) return;
    m.drawn = key;
    Object.assign(m.svg.style, { left: size.l + "px", top: size.t + "px" });
    m.svg.setAttribute("width", size.w);
    m.svg.setAttribute("height", size.h);
    m.layers.clip.setAttribute("width", size.w);
    m.layers.clip.setAttribute("height", size.h);
    // An axis as a mark sees it: Plotly's axis, and the maps between the mark's data and
    // the axis's own coordinates (the identity, unless a frame places the data on it).
    const view = (id, frame) => {
      const ax = fl[id.replace(/^([xy])/, "$1axis")];
      const r = frame && frame[id];
      const h = m.home[id];
      const linear = r && h && r[1] !== r[0];
      return {
        ax, id,
        to: linear ? (v) => h[0] + ((v - r[0]) / (r[1] - r[0])) * (h[1] - h[0]) : (v) => v,
        from: linear ? (c) => r[0] + ((c - h[0]) / (h[1] - h[0])) * (r[1] - r[0]) : (c) => c,
      };
    };
    // px from the plot area's corner (a subplot's axes start further in)
    const px = (a, v) => {
      const c = a.to(v);
      return Number.isFinite(c) && (a.ax.type !== "log" || c > 0)
        ? a.ax.c2p(c) + a.ax._offset - (a.id[0] === "x" ? size.l : size.t) : NaN;
    };
    const frameOf = ([x, y] = ["x", "y"], frame = null) => {
      const xa = view(x, frame);
      const ya = view(y, frame);
      const x0 = xa.ax._offset - size.l;
      const y0 = ya.ax._offset - size.t;
      return { fl, xa, ya, px, size: { x0, y0, x1: x0 + xa.ax._length, y1: y0 + ya.ax._length } };
    };
    let n = 0;
    const measures = [];
    chart.spec.channels.forEach((channel, c) => {
      if (channel.kind !== "marks" || !m.values.has(c)) return;
      const value = m.values.get(c);
      const { frame = null, marks } = Array.isArray(value) ? { marks: value } : value;
      marks.forEach((mark, j) => {
        const style = channel.marks[j];
        const draw = Stepper.MARKS[style.type];
        let node = m.nodes[n];
        if (!node || node.dataset.type !== style.type) {
          node = document.createElementNS(SVG_NS, draw.tag);
          node.dataset.type = style.type;
          if (m.nodes[n]) m.nodes[n].replaceWith(node);
          else m.layers[draw.layer].appendChild(node);
          m.nodes[n] = node;
        }
        node.dataset.mark = String(n);
        if (style.name) node.dataset.name = style.name;
        node.dataset.x = JSON.stringify(Array.from(mark.x || []));
        node.dataset.y = JSON.stringify(Array.from(mark.y || []));
        const measure = draw.draw(node, style, mark, frameOf(style.axes, frame));
        if (measure) measures.push(measure);
        n += 1;
      });
    });
    // Texts placed by their size (a bar's, a title moved off its labels) are measured once
    // every mark is written, then placed: reading a size after a change lays the page out
    // again, which costs more than the drawing, so all reads come before all writes.
    measures.map((measure) => measure()).forEach((place) => place());
  }

  // A polyline through the points, clipped to the plot area, broken where a point is not
  // finite (as Plotly's lines, without connectgaps).
  static drawLine(node, style, value, { xa, ya, px }) {
    let d = "";
    let run = [];
    const end = () => { if (run.length > 1) d += "M" + run.join("L"); run = []; };
    for (let i = 0; i < value.x.length; i++) {
      const x = px(xa, value.x[i]);
      const y = px(ya, value.y[i]);
      if (Number.isFinite(x) && Number.isFinite(y)) run.push(x.toFixed(2) + "," + y.toFixed(2));
      else end();
    }
    end();
    node.setAttribute("d", d);
    node.setAttribute("fill", "none");
    node.setAttribute("stroke", style.color);
    node.style.strokeWidth = style.width + "px";
    node.style.strokeDasharray = Stepper.dash(style.dash, style.width);
  }

  // Unfilled circles on the points inside the axes' ranges.
  static drawRings(node, style, value, { size, xa, ya, px }) {
    const r = style.size / 2;
    const rings = [];
    for (let i = 0; i < value.x.length; i++) {
      const x = px(xa, value.x[i]);
      const y = px(ya, value.y[i]);
      // as Plotly hides markers outside the axes' ranges, even unclipped ones
      const inside = x >= size.x0 - 0.5 && x <= size.x1 + 0.5 && y >= size.y0 - 0.5
        && y <= size.y1 + 0.5;
      if (Number.isFinite(x) && Number.isFinite(y) && inside) rings.push([x, y]);
    }
    Stepper.children(node, rings.length, () => {
      const ring = document.createElementNS(SVG_NS, "circle");
      ring.setAttribute("r", r);
      ring.setAttribute("fill", "none");
      ring.setAttribute("stroke", style.color);
      ring.style.strokeWidth = style.width + "px";
      return ring;
    });
    rings.forEach(([x, y], i) => {
      node.childNodes[i].setAttribute("cx", x.toFixed(2));
      node.childNodes[i].setAttribute("cy", y.toFixed(2));
    });
  }

  // Bars as Plotly draws them: a rect per value from `base` to `base + value` along the
  // value axis, `width` data units wide across it, outlined `outline[i]` px in `style.line`;
  // its text inside at the bar's end (white, as Plotly's on a dark bar) or outside past it,
  // shrunk to fit the bar as Plotly's; a <title> that hover shows. Clamped to the axes.
  static drawBars(node, style, value, { fl, size, xa, ya, px }) {
    const h = style.orientation === "h";
    const [along, across] = h ? [xa, ya] : [ya, xa];
    const at = h ? value.y : value.x;
    const length = h ? value.x : value.y;
    const half = style.width / 2;
    const font = fl.font || {};
    const outside = style.textposition === "outside";
    const clamp = (v, a, b) => Math.min(Math.max(v, a), b);
    Stepper.children(node, at.length, () => {
      const g = document.createElementNS(SVG_NS, "g");
      const rect = document.createElementNS(SVG_NS, "rect");
      rect.style.pointerEvents = "all";
      rect.appendChild(document.createElementNS(SVG_NS, "title"));
      const text = document.createElementNS(SVG_NS, "text");
      text.setAttribute("fill", style.textcolor || (outside ? font.color || "#444" : "#fff"));
      text.setAttribute("font-family", font.family || "sans-serif");
      text.style.pointerEvents = "none";
      g.append(rect, text);
      return g;
    });
    const shown = []; // the texts to place, once measured
    for (let i = 0; i < at.length; i++) {
      const [rect, text] = node.childNodes[i].childNodes;
      const base = value.base ? value.base[i] : 0;
      const [v0, v1] = Stepper.crisp(px(along, base), px(along, base + length[i]));
      const [c0, c1] = Stepper.crisp(px(across, at[i] - half), px(across, at[i] + half));
      const ok = [v0, v1, c0, c1].every(Number.isFinite);
      const box = { x: 0, y: 0, w: 0, h: 0 };
      if (ok) {
        const [x0, x1] = h ? [v0, v1] : [c0, c1];
        const [y0, y1] = h ? [c0, c1] : [v0, v1];
        box.x = clamp(Math.min(x0, x1), size.x0, size.x1);
        box.y = clamp(Math.min(y0, y1), size.y0, size.y1);
        box.w = clamp(Math.max(x0, x1), size.x0, size.x1) - box.x;
        box.h = clamp(Math.max(y0, y1), size.y0, size.y1) - box.y;
      }
      rect.setAttribute("x", box.x.toFixed(2));
      rect.setAttribute("y", box.y.toFixed(2));
      rect.setAttribute("width", box.w.toFixed(2));
      rect.setAttribute("height", box.h.toFixed(2));
      rect.setAttribute("fill", value.colors ? value.colors[i] : style.color);
      const line = value.outline ? value.outline[i] : 0;
      rect.setAttribute("stroke", line > 0 ? style.line : "none");
      rect.style.strokeWidth = line > 0 ? line + "px" : "";
      rect.firstChild.textContent = value.hover ? value.hover[i] : "";
      const label = value.text ? value.text[i] : "";
      text.textContent = label;
      if (!label || !ok || (!outside && (box.w <= 0 || box.h <= 0))) {
        text.setAttribute("visibility", "hidden");
        continue;
      }
      text.setAttribute("visibility", "visible");
      text.setAttribute("font-size", style.textsize || font.size || 12);
      shown.push({ text, box, up: h ? v1 >= v0 : v1 <= v0 });
    }
    // the texts' places, once every mark is written: one layout for all (see drawMarks)
    return () => {
      const measured = shown.map(({ text }) => ({ bb: text.getBBox(),
        x: Number(text.getAttribute("x")) || 0, y: Number(text.getAttribute("y")) || 0 }));
      return () => shown.forEach((bar, k) => Stepper.placeBarText(bar, measured[k], h, outside));
    };
  }

  // Plotly's bar text: its box at the bar's end, 3 px in (or out), scaled down to fit the
  // bar's width (and inside, its length); `bb` measured at the text's `x`, `y`.
  static placeBarText({ text, box, up }, { bb, x: ax, y: ay }, h, outside) {
    const pad = 3;
    const fontSize = Number(text.getAttribute("font-size"));
    const room = h ? box.h : box.w;
    const scale = outside ? Math.min(1, room / bb.width)
      : Math.min(1, (box.w - 2 * pad) / bb.width, (box.h - 2 * pad) / bb.height);
    if (!(scale > 0.3)) { text.setAttribute("visibility", "hidden"); return; }
    if (scale < 1) { // the box shrinks about the text's anchor, with its font
      text.setAttribute("font-size", (fontSize * scale).toFixed(2));
      bb = { x: ax + (bb.x - ax) * scale, y: ay + (bb.y - ay) * scale,
        width: bb.width * scale, height: bb.height * scale };
    }
    // the bar's end: its top (or right) unless drawn the other way (in pixels, as Plotly)
    let cx;
    let cy;
    if (h) {
      cy = box.y + box.h / 2;
      const endX = up ? box.x + box.w : box.x;
      cx = outside ? endX + (up ? pad + bb.width / 2 : -pad - bb.width / 2)
        : endX + (up ? -pad - bb.width / 2 : pad + bb.width / 2);
    } else {
      cx = box.x + box.w / 2;
      const endY = up ? box.y : box.y + box.h;
      cy = outside ? endY + (up ? -pad - bb.height / 2 : pad + bb.height / 2)
        : endY + (up ? pad + bb.height / 2 : -pad - bb.height / 2);
    }
    text.setAttribute("x", (ax + cx - (bb.x + bb.width / 2)).toFixed(2));
    text.setAttribute("y", (ay + cy - (bb.y + bb.height / 2)).toFixed(2));
  }

  // Plotly's "line-ew-open" markers: a horizontal stroke `size` px long at each point inside
  // the axes' ranges, with the point's text (if any) centred over it, as "top center".
  static drawTicks(node, style, value, { fl, size, xa, ya, px }) {
    const font = fl.font || {};
    Stepper.children(node, value.x.length, () => {
      const g = document.createElementNS(SVG_NS, "g");
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("stroke", style.color);
      path.style.strokeWidth = style.width + "px";
      path.setAttribute("fill", "none");
      const rect = document.createElementNS(SVG_NS, "rect"); // the hover target
      rect.setAttribute("fill", "transparent");
      rect.style.pointerEvents = "all";
      rect.appendChild(document.createElementNS(SVG_NS, "title"));
      const text = document.createElementNS(SVG_NS, "text");
      text.setAttribute("fill", font.color || "#444");
      text.setAttribute("font-family", font.family || "sans-serif");
      text.setAttribute("font-size", font.size || 12);
      text.setAttribute("text-anchor", "middle");
      g.append(path, rect, text);
      return g;
    });
    const r = 0.7 * style.size; // Plotly's "line-ew": 1.4 times the marker's size long
    for (let i = 0; i < value.x.length; i++) {
      const [path, rect, text] = node.childNodes[i].childNodes;
      const x = px(xa, value.x[i]);
      const y = px(ya, value.y[i]);
      // hidden outside the axes' ranges (a zoom), as Plotly hides markers
      const ok = Number.isFinite(x) && Number.isFinite(y) && x >= size.x0 - 0.5
        && x <= size.x1 + 0.5 && y >= size.y0 - 0.5 && y <= size.y1 + 0.5;
      path.setAttribute("d", ok ? `M${(x - r).toFixed(2)},${y.toFixed(2)}H${(x + r).toFixed(2)}` : "");
      rect.setAttribute("x", ok ? (x - r).toFixed(2) : 0);
      rect.setAttribute("y", ok ? (y - 4).toFixed(2) : 0);
      rect.setAttribute("width", ok ? 2 * r : 0);
      rect.setAttribute("height", ok ? 8 : 0);
      rect.firstChild.textContent = value.hover ? value.hover[i] : "";
      const label = ok && value.text ? value.text[i] : "";
      text.textContent = label;
      // Plotly's "top center": the text's baseline a little over half the marker's size
      // above the point
      text.setAttribute("x", ok ? x.toFixed(2) : 0);
      text.setAttribute("y", ok ? (y - style.size / 2 - 6).toFixed(2) : 0);
    }
  }

  // A framed axis as Plotly draws an axis (Plotly's own is left without ticks): a tick mark
  // and a label per tick, the grid lines off the axis's ends, and its title, moved off the
  // labels as Plotly moves it. The ticks are the value's (`x` or `y` along the axis, with
  // `text`), or else Plotly's automatic ticks for the part of the frame on screen: how many
  // depends on the axis's length in px, which only the page knows (a legend's margin, the
  // window, a zoom). The style and fonts are those of Plotly's axis (its template's).
  static drawAxis(node, style, value, { fl, xa, ya, px }) {
    const size = fl._size; // the plot area, in the paper
    const isX = style.axis === "x";
    const [a, other] = isX ? [xa, ya] : [ya, xa];
    const ax = a.ax;
    const given = isX ? value.x : value.y;
    const ticks = given && value.text ? Array.from(given, (v, i) => ({ v, text: value.text[i] }))
      : Stepper.linearTicks(a.from(ax.range[0]), a.from(ax.range[1]), ax._length, ax._id[0], {
        exponentformat: ax.exponentformat, minexponent: ax.minexponent,
        separators: fl.separators, separatethousands: ax.separatethousands });
    if (!node.firstChild) {
      const make = (tag) => document.createElementNS(SVG_NS, tag);
      node.append(make("path"), make("path"), make("g"), make("text")); // grid, ticks, labels, title
    }
    const [grid, marks, labels, title] = node.childNodes;
    // the axis's start, and where its line and the counter axis's box lie (overlay px)
    const start = isX ? ax._offset - size.l : ax._offset - size.t;
    const across = isX ? size.t : size.l;
    const lineAt = ax._mainLinePosition - across;
    const c0 = other.ax._offset - across;
    const c1 = c0 + other.ax._length;
    const at = ticks.map((t) => px(a, t.v));
    const shown = ticks.map((t, i) => Number.isFinite(at[i]) && at[i] >= start - 0.5
      && at[i] <= start + ax._length + 0.5);
    const line = (ax.linewidth || 1) / 2;
    const out = ax.ticks === "outside" ? ax.ticklen : 0;
    // Plotly's grid: not within a pixel of the axis's ends (its line, the other's)
    let d = "";
    let m = "";
    at.forEach((p, i) => {
      if (!shown[i]) return;
      const q = p.toFixed(2);
      if (ax.showgrid && p - start > 1 && p - start < ax._length - 1) {
        d += isX ? `M${q},${c0}V${c1}` : `M${c0},${q}H${c1}`;
      }
      if (out) m += isX ? `M${q},${lineAt + line}v${out}` : `M${lineAt - line},${q}h${-out}`;
    });
    const strokes = [[grid, ax.gridcolor, ax.gridwidth], [marks, ax.tickcolor, ax.tickwidth]];
    for (const [path, color, width] of strokes) {
      path.setAttribute("fill", "none");
      path.setAttribute("stroke", color);
      path.setAttribute("shape-rendering", "crispEdges");
      path.style.strokeWidth = (width || 1) + "px";
    }
    grid.setAttribute("d", d);
    marks.setAttribute("d", m);
    // the labels: Plotly's standoff (makeLabelFns), x labels under their tick, y labels left
    const font = ax.tickfont || fl.font;
    const standoff = out + (ax.showticklabels && (out || ax.showline) ? 0.2 * font.size : 0) + line;
    Stepper.children(labels, ticks.length, () => document.createElementNS(SVG_NS, "text"));
    ticks.forEach((t, i) => {
      const label = labels.childNodes[i];
      Stepper.font(label, font);
      label.setAttribute("text-anchor", isX ? "middle" : "end");
      const [x, y] = isX ? [at[i], lineAt + standoff + font.size]
        : [lineAt - standoff, at[i] + 0.35 * font.size];
      Stepper.setText(label, shown[i] ? t.text : "", shown[i] ? x : 0);
      label.setAttribute("x", shown[i] ? x.toFixed(2) : 0);
      label.setAttribute("y", shown[i] ? y.toFixed(2) : 0);
    });
    // the title, at Plotly's standoff from the axis (axes.js, drawTitle), moved off the labels
    const tf = { ...fl.font, ...(style.titlefont || {}) };
    const lw = ax.linewidth ? ax.linewidth - 1 : 0;
    const labelRoom = isX ? (ax.showticklabels ? 1.5 : 0.5) : (ax.showticklabels ? 0.5 : 0);
    const gap = 10 + 1.5 * tf.size + lw + tf.size * labelRoom;
    const [x, y] = isX ? [start + ax._length / 2, c1 + gap]
      : [c0 - gap, start + ax._length / 2];
    Stepper.font(title, tf);
    title.setAttribute("text-anchor", "middle");
    Stepper.setText(title, style.title || "", x);
    title.setAttribute("x", x.toFixed(2));
    title.setAttribute("y", y.toFixed(2));
    title.setAttribute("transform", isX ? "" : `rotate(-90,${x.toFixed(2)},${y.toFixed(2)})`);
    if (!style.title) return null;
    // Plotly's "avoid" (Titles.draw): past every label it overlaps, with 2 px to spare,
    // but not off the paper
    return () => {
      const tb = title.getBoundingClientRect();
      const paper = fl._paper.node().getBoundingClientRect();
      const boxes = Array.from(labels.childNodes, (label) => (label.textContent
        ? label.getBoundingClientRect() : null)).filter(Boolean);
      return () => {
        const pad = 2;
        const room = isX ? paper.bottom - tb.bottom : tb.left - paper.left;
        let shift = 0;
        for (const lb of boxes) {
          if (tb.left <= lb.right + pad && lb.left <= tb.right + pad && tb.top <= lb.bottom + pad
            && lb.top <= tb.bottom + pad) {
            shift = Math.max(shift, isX ? lb.bottom - tb.top + pad : tb.right - lb.left + pad);
          }
        }
        shift = room < 0 ? room : Math.min(room, shift);
        if (shift) {
          const move = isX ? `translate(0,${shift.toFixed(2)})`
            : `translate(${(-shift).toFixed(2)},0)`;
          title.setAttribute("transform", `${move} ${title.getAttribute("transform")}`);
        }
      };
    };
  }

  // A note at a point of the plot area ("ref": "paper") or of the mark's axes' box
  // ("domain"), as a Plotly annotation without an arrow: its box (the text and 2 px around
  // it, Plotly's border and padding) anchored there ("xanchor", "yanchor"), its lines
  // aligned "left", "center" or "right". The value's `text` ("" hides it).
  static drawLabel(node, style, value, { fl, size }) {
    const text = node.firstChild || node.appendChild(document.createElementNS(SVG_NS, "text"));
    Stepper.font(text, { ...fl.font, ...(style.font || {}) });
    const align = style.align || "center";
    text.setAttribute("text-anchor", { left: "start", center: "middle", right: "end" }[align]);
    Stepper.setText(text, value.text || "", 0);
    text.removeAttribute("transform");
    if (!value.text) return null;
    return () => {
      const bb = text.getBBox();
      return () => {
        const [x0, x1, y0, y1] = style.ref === "paper" ? [0, fl._size.w, 0, fl._size.h]
          : [size.x0, size.x1, size.y0, size.y1];
        const pad = 2;
        // Plotly rounds the text's size, then the box's place
        const w = Math.round(bb.width) + 2 * pad;
        const h = Math.round(bb.height) + 2 * pad;
        const fx = { left: 0, center: 0.5, right: 1 }[style.xanchor || "center"];
        const fy = { top: 0, middle: 0.5, bottom: 1 }[style.yanchor || "middle"];
        const left = x0 + style.x * (x1 - x0) - fx * w;
        const top = y1 - style.y * (y1 - y0) - fy * h;
        const dx = Math.round(left) + pad - bb.x;
        const dy = Math.round(top) + pad - bb.y;
        text.setAttribute("transform", `translate(${dx.toFixed(2)},${dy.toFixed(2)})`);
      };
    };
  }

  // A text's font, as Plotly sets it on its text.
  static font(text, font) {
    text.setAttribute("font-family", font.family || "sans-serif");
    text.setAttribute("font-size", font.size || 12);
    text.setAttribute("fill", font.color || "#444");
    text.style.whiteSpace = "pre";
  }

  // Text as Plotly writes it: lines at <br> (1.3 em apart, each starting at x), and
  // <sup>…</sup> raised and smaller (a tick label's power of ten); no other markup.
  static setText(text, value, x) {
    const lines = String(value).split(/<br\s*\/?>/i);
    text.replaceChildren(...lines.map((line, i) => {
      const row = document.createElementNS(SVG_NS, "tspan");
      row.setAttribute("x", typeof x === "number" ? x.toFixed(2) : x);
      row.setAttribute("dy", i ? "1.3em" : "0em");
      line.split(/<\/?sup>/i).forEach((part, j) => {
        if (!part) return;
        const span = document.createElementNS(SVG_NS, "tspan");
        span.textContent = part;
        if (j % 2) { span.setAttribute("dy", "-0.6em"); span.style.fontSize = "70%"; }
        row.appendChild(span);
      });
      return row;
    }));
  }

  // Plotly's automatic ticks on a linear axis over [r0, r1], `length` px long (plotly.js
  // axes.js: prepTicks, autoTicks, tickFirst, calcTicks): at most one per 80 px on an x axis,
  // 40 on a y, 4 to 9 in all, 1, 2 or 5 times a power of ten apart, from 0; each with its
  // label as Plotly writes it.
  static linearTicks(r0, r1, length, letter, format = {}) {
    const [lo, hi] = r0 <= r1 ? [r0, r1] : [r1, r0];
    if (!(hi > lo) || !Number.isFinite(hi - lo)) return [];
    const nt = Math.min(Math.max(length / (letter === "y" ? 40 : 80), 4), 9) + 1;
    const rough = (hi - lo) / nt;
    const base = Math.pow(10, Math.floor(Math.log(rough) / Math.LN10));
    const dtick = base * ([2, 5].find((s) => s > rough / base) || 10);
    const slack = (hi - lo) * 1e-4; // so that a tick rounded off an end stays
    // each value as Plotly stores it: a multiple of dtick when within 1e-6 dtick of one
    const snap = (v) => {
      const k = Math.round(v / dtick) * dtick;
      return v !== k && Math.abs(v - k) < dtick * 1e-6 ? k : v;
    };
    const ticks = [];
    // + 0, Plotly's tick0: the first tick is 0, not -0
    for (let v = Math.ceil((lo - slack) / dtick) * dtick + 0, prev = null;
      v <= hi + slack && v !== prev && ticks.length < 1000; prev = v, v = Stepper.increment(v, dtick)) {
      ticks.push(snap(v));
    }
    const label = Stepper.tickFormat(dtick, Math.max(Math.abs(lo), Math.abs(hi)), format);
    return ticks.map((v) => ({ v, text: label(v) }));
  }

  // x + delta without float noise (plotly.js lib/increment.js), so ticks are 0.3, not
  // 0.30000000000000004.
  static increment(x, delta) {
    const inv = 1 / Math.abs(delta);
    let y = inv > 1 ? (inv * x + inv * delta) / inv : x + delta;
    const n = String(y).length;
    if (n > 16 && n >= String(delta).length + String(x).length) {
      const p = parseFloat(y).toPrecision(12);
      if (p.indexOf("e+") === -1) y = +p;
    }
    return y;
  }

  // Plotly's tick labels on a linear axis (plotly.js 4, axes.js: autoTickRound, numFormat,
  // formatLinear): rounded two digits past dtick's first, trailing zeros dropped, a true
  // minus sign; past 10^minexponent a power of ten taken out of every label but 0's
  // ("exponentformat"); thousands separated beyond four digits ("separators": the decimal
  // point, then the thousands').
  static tickFormat(dtick, maxend, { exponentformat = "B", minexponent = 3, separators = ".,",
    separatethousands = false } = {}) {
    const round = 2 - Math.floor(Math.log(dtick) / Math.LN10 + 0.01);
    const rangeexp = Math.floor(Math.log(maxend) / Math.LN10 + 0.01);
    let fmt = exponentformat;
    const si = fmt === "SI" || fmt === "B";
    let exponent = 0;
    if (Math.abs(rangeexp) > minexponent && fmt !== "none") {
      const prefixed = si && rangeexp <= 14 && rangeexp >= -15; // SI steps of 10^3
      exponent = prefixed ? 3 * Math.round((rangeexp - 1) / 3) : rangeexp;
    }
    if (si && (exponent > 14 || exponent < -15)) fmt = "power";
    const [point, thousands] = separators;
    const separate = (s) => {
      const [whole, part] = s.split(".");
      let w = whole;
      if (thousands && (part !== undefined || w.length > 4 || separatethousands)) {
        while (/(\d+)(\d{3})/.test(w)) w = w.replace(/(\d+)(\d{3})/, "$1" + thousands + "$2");
      }
      return part === undefined ? w : w + point + part;
    };
    const power = exponent < 0 ? "\u2212" + -exponent : (fmt === "power" ? "" : "+") + exponent;
    const suffix = !exponent ? "" : {
      e: "e" + power, E: "E" + power, power: "×10<sup>" + power + "</sup>",
      B: exponent === 9 ? "B" : SI_PREFIXES[exponent / 3 + 5],
      SI: SI_PREFIXES[exponent / 3 + 5],
    }[fmt] || "";
    return (value) => {
      if (Math.abs(value / dtick) < 1e-6) return "0";
      let r = round;
      let v = Math.abs(value);
      if (v < Math.pow(10, -r) / 2) return "0";
      if (exponent) { v *= Math.pow(10, -exponent); r += exponent; }
      let s;
      if (r === 0) s = String(Math.round(v));
      else if (r < 0) s = String(Math.round(v / Math.pow(10, -r)) * Math.pow(10, -r));
      else s = v.toFixed(Math.min(20, r)).replace(/\.?0+$/, "");
      return (value < 0 ? "\u2212" : "") + separate(s) + suffix;
    };
  }

  // A bar's two edges in whole pixels, as Plotly's (crisp, no anti-aliased seam); one
  // thinner than 4 px grows outwards to whole pixels, so that it stays visible.
  static crisp(a, b) {
    const c = (a + b) / 2;
    const edge = (v) => (Math.abs(v - c) >= 2 ? Math.round(v) : (v > c ? Math.ceil(v) : Math.floor(v)));
    return [edge(a), edge(b)];
  }

  // Keep `count` children in `node`, making new ones with `make`.
  static children(node, count, make) {
    while (node.childNodes.length > count) node.lastChild.remove();
    while (node.childNodes.length < count) node.appendChild(make());
  }

  // --- Points on a canvas under the SVG overlays (2D) -------------------------------------
  // The points are painted into one ImageData (anti-aliased discs, blended in premultiplied
  // alpha): one putImageData per frame, where a canvas call per point is slow on a CPU.
  setupCanvas(chart) {
    const container = chart.gd.querySelector(".svg-container");
    const canvas = el("canvas", { class: "emv-points" });
    container.insertBefore(canvas, container.firstChild);
    chart.canvas = canvas;
    const later = () => this.scheduleDraw(chart);
    chart.gd.on("plotly_relayout", later);
    chart.gd.on("plotly_relayouting", later);
    chart.gd.on("plotly_afterplot", later);
    chart.gd.addEventListener("mousemove", (ev) => this.hover2d(chart, ev));
    chart.gd.addEventListener("mouseleave", () => { this.tooltip.hidden = true; });
    const spec = chart.spec.canvas;
    chart.rgb = spec.colors.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  }

  scheduleDraw(chart) {
    chart.stale = true;
    if (chart.frame) return;
    chart.frame = requestAnimationFrame(() => {
      chart.frame = null;
      if (chart.stale) this.drawCanvas(chart);
    });
  }

  // Pixel offsets of a disc of diameter `size` (CSS px) and how much of each pixel it covers.
  static disc(size) {
    const r = size / 2;
    const R = Math.ceil(r + 0.5);
    const ox = [];
    const oy = [];
    const cover = [];
    for (let dy = -R; dy <= R; dy++) {
      for (let dx = -R; dx <= R; dx++) {
        const c = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(dx, dy)));
        if (c > 0) { ox.push(dx); oy.push(dy); cover.push(c); }
      }
    }
    return { ox: Int16Array.from(ox), oy: Int16Array.from(oy), cover: Float32Array.from(cover) };
  }

  // The points on screen: the payload's, minus those the user removed, plus those added.
  points(chart) {
    const spec = chart.spec.canvas;
    const edits = chart.edits;
    const n = spec.x.length;
    if (!edits || (!edits.removed.size && !edits.added.length)) {
      return { x: spec.x, y: spec.y, codes: chart.codes, index: null, n };
    }
    const keep = [];
    for (let i = 0; i < n; i++) if (!edits.removed.has(i)) keep.push(i);
    const m = keep.length + edits.added.length;
    const x = new Float64Array(m);
    const y = new Float64Array(m);
    const codes = new Uint16Array(m);
    const index = new Int32Array(m); // payload index, or -(j + 1) for the j-th added point
    const grey = spec.colors.length - 1;
    keep.forEach((i, j) => {
      x[j] = spec.x[i]; y[j] = spec.y[i]; codes[j] = chart.codes ? chart.codes[i] : grey; index[j] = i;
    });
    edits.added.forEach(([ax, ay], j) => {
      const k = keep.length + j;
      x[k] = ax; y[k] = ay; codes[k] = grey; index[k] = -(j + 1);
    });
    return { x, y, codes, index, n: m };
  }

  // Repaints only when something it shows changed: the colours, the points, or the view.
  drawCanvas(chart) {
    chart.stale = false;
    const fl = chart.gd._fullLayout;
    if (!fl || !chart.canvas || !fl.xaxis || !fl.xaxis.l2p) return;
    const size = fl._size;
    const dpr = window.devicePixelRatio || 1;
    const view = [size.l, size.t, size.w, size.h, fl.xaxis.range, fl.yaxis.range, dpr,
      chart.edits ? chart.edits.version : 0].join();
    if (chart.painted && chart.painted.view === view && chart.painted.codes === chart.codes) return;
    chart.painted = { view, codes: chart.codes };
    const canvas = chart.canvas;
    const W = Math.max(1, Math.round(size.w * dpr));
    const H = Math.max(1, Math.round(size.h * dpr));
    canvas.style.left = size.l + "px";
    canvas.style.top = size.t + "px";
    canvas.style.width = size.w + "px";
    canvas.style.height = size.h + "px";
    if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
    const spec = chart.spec.canvas;
    const discKey = spec.size * dpr;
    if (!chart.discFor || chart.discFor !== discKey) {
      chart.disc = Stepper.disc(spec.size * dpr);
      chart.discFor = discKey;
    }
    const { ox, oy, cover } = chart.disc;
    const pts = this.points(chart);
    const xa = fl.xaxis;
    const ya = fl.yaxis;
    const px = new Float32Array(pts.n);
    const py = new Float32Array(pts.n);
    const acc = chart.acc && chart.acc.length === W * H * 4 ? chart.acc : new Float32Array(W * H * 4);
    acc.fill(0);
    const alpha = spec.opacity;
    const grey = chart.rgb.length - 1;
    for (let i = 0; i < pts.n; i++) {
      px[i] = xa.l2p(pts.x[i]);
      py[i] = ya.l2p(pts.y[i]);
      const cx = Math.round(px[i] * dpr);
      const cy = Math.round(py[i] * dpr);
      const rgb = chart.rgb[pts.codes ? pts.codes[i] : grey] || chart.rgb[grey];
      for (let m = 0; m < ox.length; m++) {
        const x = cx + ox[m];
        const y = cy + oy[m];
        if (x < 0 || y < 0 || x >= W || y >= H) continue;
        const a = alpha * cover[m];
        const o = (y * W + x) * 4;
        const keep = 1 - a;
        acc[o] = rgb[0] * a + acc[o] * keep;
        acc[o + 1] = rgb[1] * a + acc[o + 1] * keep;
        acc[o + 2] = rgb[2] * a + acc[o + 2] * keep;
        acc[o + 3] = a + acc[o + 3] * keep;
      }
    }
    chart.acc = acc;
    const g = canvas.getContext("2d");
    const image = g.createImageData(W, H);
    const out = image.data;
    for (let o = 0; o < acc.length; o += 4) {
      const a = acc[o + 3];
      if (a <= 0) continue;
      out[o] = acc[o] / a;
      out[o + 1] = acc[o + 1] / a;
      out[o + 2] = acc[o + 2] / a;
      out[o + 3] = a * 255;
    }
    g.putImageData(image, 0, 0);
    chart.drawn = { pts, px, py };
  }

  nearest(chart, ev, within) {
    if (!chart.drawn || !chart.canvas) return null;
    const rect = chart.canvas.getBoundingClientRect();
    const x = ev.clientX - rect.left;
    const y = ev.clientY - rect.top;
    if (x < 0 || y < 0 || x > rect.width || y > rect.height) return null;
    const { px, py } = chart.drawn;
    let best = -1;
    let bestD = within * within;
    for (let i = 0; i < px.length; i++) {
      const d = (px[i] - x) ** 2 + (py[i] - y) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    }
    return best < 0 ? null : best;
  }

  hoverText(coords, h, hover) {
    const lines = hover.columns.map((name, i) => name + " = " + fmt(coords[i]));
    const idx = hover.index[h];
    const rows = [];
    if (idx < 0) {
      lines.push(this.payload.text.no_resp);
    } else {
      const r = responsibilities(coords, hover.params[idx]);
      lines.push(this.payload.text.responsibilities + ":");
      r.forEach((v, k) => rows.push(["k = " + (k + 1), v.toFixed(2), k]));
    }
    return { lines, rows };
  }

  showTooltip(ev, content, colors) {
    const tip = this.tooltip;
    tip.replaceChildren(...content.lines.map((line) => el("div", { text: line })));
    for (const [name, value, k] of content.rows) {
      const swatch = el("span", { class: "emv-swatch" });
      swatch.style.background = colors[k % colors.length];
      tip.appendChild(el("div", { class: "emv-resp" }, swatch, el("span", { text: name + ": " + value })));
    }
    const box = this.root.getBoundingClientRect();
    tip.style.left = ev.clientX - box.left + 14 + "px";
    tip.style.top = ev.clientY - box.top + 14 + "px";
    tip.hidden = false;
  }

  hover2d(chart, ev) {
    if (chart.dragging) return;
    const i = this.nearest(chart, ev, chart.spec.canvas.size / 2 + 4);
    if (i === null) { this.tooltip.hidden = true; return; }
    const { pts } = chart.drawn;
    const xy = [pts.x[i], pts.y[i]];
    const added = pts.index !== null && pts.index[i] < 0;
    const hover = chart.spec.hover;
    const content = hover && !added
      ? this.hoverText(xy, this.h, hover)
      : { lines: (hover ? hover.columns : ["x", "y"]).map((n, j) => n + " = " + fmt(xy[j])), rows: [] };
    this.showTooltip(ev, content, hover ? hover.colors : []);
  }

  hover3d(chart, ev) {
    const point = ev.points && ev.points[0];
    if (!point || point.curveNumber !== 0) return;
    const coords = [point.x, point.y, point.z];
    const content = this.hoverText(coords, this.h, chart.spec.hover);
    this.showTooltip(ev.event, content, chart.spec.hover.colors);
  }

  // --- Editing: add and remove points, drag a mean at half-step 0 (2D) -------------------
  setupEdit(chart) {
    chart.edits = { added: [], removed: new Set(), version: 0, log: [], sent: 0 };
    const gd = chart.gd;
    let press = null;
    let clickTimer = null;
    gd.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0 || !chart.canvas) return;
      const grab = this.grabMean(chart, ev);
      if (grab !== null) {
        // capture phase: Plotly would start a zoom box
        ev.stopPropagation();
        ev.preventDefault();
        this.startDrag(chart, grab, ev);
        return;
      }
      if (clickTimer) { clearTimeout(clickTimer); clickTimer = null; press = null; return; }
      press = { x: ev.clientX, y: ev.clientY, shift: ev.shiftKey };
    }, true);
    // "click", not "pointerup": Plotly covers the page while a button is down, so the
    // release lands on its cover; the click still reaches the chart.
    gd.addEventListener("click", (ev) => {
      if (!press) return;
      const moved = Math.hypot(ev.clientX - press.x, ev.clientY - press.y) > CLICK_SLOP_PX;
      const at0 = press;
      press = null;
      if (moved) return;
      const event = { clientX: ev.clientX, clientY: ev.clientY, shiftKey: at0.shift || ev.shiftKey };
      clickTimer = setTimeout(() => { clickTimer = null; this.editAt(chart, event); }, DOUBLE_CLICK_MS);
    }, true);
  }

  toData(chart, ev) {
    const fl = chart.gd._fullLayout;
    const rect = chart.canvas.getBoundingClientRect();
    const x = ev.clientX - rect.left;
    const y = ev.clientY - rect.top;
    if (x < 0 || y < 0 || x > rect.width || y > rect.height) return null;
    return [fl.xaxis.p2l(x), fl.yaxis.p2l(y)];
  }

  editAt(chart, ev) {
    if (ev.shiftKey) {
      const i = this.nearest(chart, ev, REMOVE_PX);
      if (i === null) return;
      const { x, y } = chart.drawn.pts;
      this.applyEdit(chart, { op: "remove", x: x[i], y: y[i] });
    } else {
      const xy = this.toData(chart, ev);
      if (!xy) return;
      this.applyEdit(chart, { op: "add", x: xy[0], y: xy[1] });
    }
  }

  // One click, logged, so that clicks made while Python reruns EM are not lost: they are
  // applied again to the run that comes back (see load).
  applyEdit(chart, edit) {
    const edits = chart.edits;
    const spec = chart.spec.canvas;
    if (edit.op === "add") {
      edits.added.push([edit.x, edit.y]);
    } else {
      const j = edits.added.findIndex(([ax, ay]) => ax === edit.x && ay === edit.y);
      if (j >= 0) {
        edits.added.splice(j, 1);
      } else {
        // the payload's points are float32: compare at that precision
        const fx = Math.fround(edit.x);
        const fy = Math.fround(edit.y);
        let found = -1;
        for (let i = 0; i < spec.x.length && found < 0; i++) {
          if (!edits.removed.has(i) && spec.x[i] === fx && spec.y[i] === fy) found = i;
        }
        if (found < 0) return;
        edits.removed.add(found);
      }
    }
    edits.log.push(edit);
    edits.version += 1;
    this.drawCanvas(chart);
    this.root.dataset.edits = String(edits.added.length + edits.removed.size);
    clearTimeout(this.editTimer);
    this.editTimer = setTimeout(() => this.sendEdits(chart), EDIT_AFTER_MS);
  }

  sendEdits(chart) {
    const edits = chart.edits;
    if (!edits.added.length && !edits.removed.size) return;
    edits.sent = edits.log.length;
    this.message.textContent = "";
    this.api.setTriggerValue("edit", {
      id: this.id, h: this.h,
      added: edits.added.map(([x, y]) => [Number(x), Number(y)]),
      removed: Array.from(edits.removed).sort((a, b) => a - b),
    });
  }

  meansXY(chart) {
    const t = chart.spec.edit.means_trace;
    const gd = chart.gd;
    return t === null || t === undefined ? null : { x: gd.data[t].x, y: gd.data[t].y };
  }

  grabMean(chart, ev) {
    if (this.h !== 0 || !chart.spec.edit || chart.spec.edit.means_trace === null) return null;
    const means = this.meansXY(chart);
    const fl = chart.gd._fullLayout;
    if (!means || !fl) return null;
    const rect = chart.canvas.getBoundingClientRect();
    const x = ev.clientX - rect.left;
    const y = ev.clientY - rect.top;
    let best = null;
    let bestD = GRAB_PX * GRAB_PX;
    for (let k = 0; k < means.x.length; k++) {
      const d = (fl.xaxis.l2p(means.x[k]) - x) ** 2 + (fl.yaxis.l2p(means.y[k]) - y) ** 2;
      if (d <= bestD) { bestD = d; best = k; }
    }
    return best;
  }

  startDrag(chart, k, ev) {
    const edit = chart.spec.edit;
    const gd = chart.gd;
    const start = this.toData(chart, ev);
    if (!start) return;
    const means = this.meansXY(chart);
    const origin = [means.x[k], means.y[k]];
    const ell = edit.ellipse_traces[k];
    const base = {
      ex: Float64Array.from(gd.data[ell].x), ey: Float64Array.from(gd.data[ell].y),
      hx: Float64Array.from(gd.data[edit.halo_trace].x), hy: Float64Array.from(gd.data[edit.halo_trace].y),
      mx: Float64Array.from(means.x), my: Float64Array.from(means.y),
    };
    chart.dragging = true;
    this.tooltip.hidden = true;
    let frame = null;
    let delta = [0, 0];
    const move = (e) => {
      const now = this.toData(chart, e) || start;
      delta = [now[0] - start[0], now[1] - start[1]];
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = null;
        const [dx, dy] = delta;
        const ex = base.ex.map((v) => v + dx);
        const ey = base.ey.map((v) => v + dy);
        const hx = base.hx.slice();
        const hy = base.hy.slice();
        for (let i = k * edit.segment; i < (k + 1) * edit.segment; i++) { hx[i] += dx; hy[i] += dy; }
        const mx = base.mx.slice();
        const my = base.my.slice();
        mx[k] += dx;
        my[k] += dy;
        chart.moved = null; // what is on screen is no longer what a step last moved there
        this.plotly.restyle(gd, { x: [ex, hx, mx], y: [ey, hy, my] }, [ell, edit.halo_trace, edit.means_trace]);
      });
    };
    const up = () => {
      window.removeEventListener("pointermove", move, true);
      window.removeEventListener("pointerup", up, true);
      chart.dragging = false;
      const mean = [origin[0] + delta[0], origin[1] + delta[1]];
      if (delta[0] !== 0 || delta[1] !== 0) {
        this.root.dataset.dragged = String(k + 1);
        this.api.setTriggerValue("drag", { id: this.id, k, mean });
      }
    };
    window.addEventListener("pointermove", move, true);
    window.addEventListener("pointerup", up, true);
  }
}

// The marks the stepper draws itself (see `marks` in emviz/figures/stepper.py): the element
// each is drawn in, its layer (under every other mark, clipped to the plot area, or over
// it), and how it is drawn.
Stepper.MARKS = {
  line: { tag: "path", layer: "clip", draw: Stepper.drawLine },
  rings: { tag: "g", layer: "over", draw: Stepper.drawRings },
  bars: { tag: "g", layer: "over", draw: Stepper.drawBars },
  ticks: { tag: "g", layer: "over", draw: Stepper.drawTicks },
  axis: { tag: "g", layer: "under", draw: Stepper.drawAxis },
  label: { tag: "g", layer: "over", draw: Stepper.drawLabel },
};

// ------------------------------------------------------------------------------------
// Streamlit's entry point
// ------------------------------------------------------------------------------------
export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue, key } = component;
  let stepper = parentElement.__emvizStepper;
  if (!stepper) {
    stepper = new Stepper(parentElement, { setStateValue, setTriggerValue, key });
    parentElement.__emvizStepper = stepper;
  }
  stepper.api = { setStateValue, setTriggerValue, key: stepper.api.key || key };
  window.__emvizActive = stepper;
  if (!data) return undefined;
  let header;
  let body;
  try {
    ({ header, body } = splitData(data));
  } catch (err) {
    stepper.showError(err);
    return undefined;
  }
  if (header.id === stepper.id) {
    // the same run: only a new command (a shared link's half-step, a reset) moves it
    stepper.header = header;
    const memory = Stepper.memory(stepper.api.key);
    if (header.goto !== null && header.goto !== undefined && memory.nonce !== header.nonce) {
      memory.nonce = header.nonce;
      stepper.pause(false);
      stepper.go(header.goto);
    }
    return undefined;
  }
  if (!body.length) {
    // only a header, for a run this page does not hold (it was sent while this element was
    // away): ask Python for the whole run
    setTriggerValue("command", "resend");
    return undefined;
  }
  if (!stepper.payload) stepper.message.textContent = "…";
  let payload;
  try {
    payload = decode(JSON.parse(utf8.decode(body)));
  } catch (err) {
    stepper.showError(err);
    return undefined;
  }
  stepper.enqueue(payload, header);
  return undefined;
}
