/**
 * The dashboard page, served as is by GET /_parlel/dashboard: one HTML document with its CSS and script
 * inline, no build step and no external fetches (the fake often runs where there is no internet).
 * It polls GET /_parlel/state (see dashboard.ts for the shape) and GET /_parlel/jobs/<id>/logs.
 *
 * Kept as a raw string so a build copies nothing: the script must not use backticks or dollar-brace.
 */
export const DASHBOARD_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>parlel-batch dashboard</title>
<style>
  :root {
    --bg: #0b1020; --panel: #111a2e; --panel-2: #16213a; --border: #22304f; --text: #e6eaf3; --muted: #8c98b3;
    --accent: #7c9cff;
    --SUBMITTED: #94a3b8; --PENDING: #a78bfa; --RUNNABLE: #f5b83d; --STARTING: #38bdf8; --RUNNING: #3b82f6;
    --SUCCEEDED: #22c55e; --FAILED: #ef4444;
    --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
  }
  * { box-sizing: border-box; }
  html, body { margin: 0; background: var(--bg); color: var(--text); }
  body { font: 13px/1.45 Inter, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
  .mono { font-family: var(--mono); font-size: 12px; }
  .muted { color: var(--muted); }
  .num { font-variant-numeric: tabular-nums; }
  header.top { position: sticky; top: 0; z-index: 5; display: flex; align-items: center; gap: 18px; padding: 12px 24px;
    background: rgba(11, 16, 32, 0.92); backdrop-filter: blur(6px); border-bottom: 1px solid var(--border); }
  .brand { display: flex; align-items: baseline; gap: 10px; }
  .brand h1 { margin: 0; font-size: 17px; letter-spacing: 0.2px; }
  .brand h1 b { color: var(--accent); }
  .brand span { color: var(--muted); }
  .clock { margin-left: auto; display: flex; align-items: center; gap: 14px; color: var(--muted); }
  .clock strong { color: var(--text); font-weight: 600; }
  .pill { border: 1px solid var(--border); border-radius: 999px; padding: 2px 10px; background: var(--panel); }
  .live { display: inline-flex; align-items: center; gap: 6px; }
  .live i { width: 8px; height: 8px; border-radius: 50%; background: var(--SUCCEEDED); box-shadow: 0 0 0 3px rgba(34, 197, 94, 0.18); }
  .live.paused i { background: var(--RUNNABLE); box-shadow: 0 0 0 3px rgba(245, 184, 61, 0.18); }
  .live.error i { background: var(--FAILED); box-shadow: 0 0 0 3px rgba(239, 68, 68, 0.2); }
  button { font: inherit; color: inherit; }
  .btn { background: var(--panel-2); border: 1px solid var(--border); border-radius: 6px; padding: 4px 12px; cursor: pointer; }
  .btn:hover { border-color: var(--accent); }
  .btn[aria-pressed="true"] { background: rgba(245, 184, 61, 0.14); border-color: var(--RUNNABLE); }
  .link { background: none; border: 0; padding: 0; color: var(--text); cursor: pointer; font-weight: 600; text-align: left; }
  .link:hover { color: var(--accent); text-decoration: underline; }
  #partitions { display: grid; gap: 18px; }
  td.num, td.r, td .num { white-space: nowrap; }
  main { max-width: 1560px; margin: 0 auto; padding: 18px 24px 40px; display: grid; gap: 18px; }
  #error { background: rgba(239, 68, 68, 0.12); border: 1px solid var(--FAILED); border-radius: 8px; padding: 10px 14px; }
  section.card { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 14px 16px; }
  section.card > h2, .card-head h2 { margin: 0 0 10px; font-size: 14px; font-weight: 600; letter-spacing: 0.3px; }
  .card-head { display: flex; align-items: baseline; gap: 12px; }
  .card-head .muted { margin-left: auto; font-size: 12px; }
  .counts { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: 12px; }
  .count { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 10px 14px; position: relative; overflow: hidden; }
  .count::before { content: ""; position: absolute; inset: 0 auto 0 0; width: 3px; background: var(--c); }
  .count-label { color: var(--muted); font-size: 11px; letter-spacing: 0.6px; display: flex; align-items: center; gap: 6px; }
  .count-value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; line-height: 1.2; }
  .count-sub { color: var(--muted); font-size: 11.5px; }
  .dot { display: inline-block; width: 8px; height: 8px; border-radius: 2px; background: var(--c); flex: none; }
  [data-status="SUBMITTED"] { --c: var(--SUBMITTED); } [data-status="PENDING"] { --c: var(--PENDING); }
  [data-status="RUNNABLE"] { --c: var(--RUNNABLE); } [data-status="STARTING"] { --c: var(--STARTING); }
  [data-status="RUNNING"] { --c: var(--RUNNING); } [data-status="SUCCEEDED"] { --c: var(--SUCCEEDED); }
  [data-status="FAILED"] { --c: var(--FAILED); }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11px; font-weight: 600; letter-spacing: 0.3px;
    color: var(--c); background: color-mix(in srgb, var(--c) 16%, transparent); border: 1px solid color-mix(in srgb, var(--c) 45%, transparent); }
  .partition-head { display: flex; align-items: baseline; gap: 8px; margin: 0 0 10px; font-size: 14px; }
  .partition-head .muted { font-weight: 400; }
  .two { display: grid; grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr); gap: 14px; }
  .two h3 { margin: 0 0 6px; font-size: 12px; color: var(--muted); font-weight: 600; letter-spacing: 0.6px; text-transform: uppercase; }
  table { width: 100%; border-collapse: collapse; }
  th { text-align: left; color: var(--muted); font-weight: 500; font-size: 11.5px; padding: 6px 8px; border-bottom: 1px solid var(--border); white-space: nowrap; }
  td { padding: 6px 8px; border-bottom: 1px solid rgba(34, 48, 79, 0.55); vertical-align: middle; }
  tr:last-child td { border-bottom: 0; }
  td.r, th.r { text-align: right; }
  .state, .rstatus { font-size: 11px; font-weight: 600; letter-spacing: 0.3px; }
  .state[data-state="ENABLED"] { color: #86efac; } .state[data-state="DISABLED"] { color: var(--muted); }
  .rstatus[data-rstatus="VALID"] { color: #86efac; } .rstatus[data-rstatus="INVALID"] { color: #fca5a5; }
  .rstatus[data-rstatus="CREATING"], .rstatus[data-rstatus="UPDATING"], .rstatus[data-rstatus="DELETING"] { color: #fcd34d; }
  .chip { display: inline-block; padding: 0 6px; margin: 1px 3px 1px 0; border-radius: 4px; background: var(--panel-2); border: 1px solid var(--border); font-size: 11.5px; }
  .mini { display: inline-flex; align-items: center; gap: 4px; margin-right: 8px; font-size: 12px; font-variant-numeric: tabular-nums; }
  .meter { display: inline-block; width: 70px; height: 6px; border-radius: 3px; background: var(--panel-2); overflow: hidden; vertical-align: middle; margin-right: 8px; }
  .meter span { display: block; height: 100%; background: var(--accent); }
  .arrays { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 12px 22px; }
  .array-head { display: flex; align-items: baseline; gap: 8px; margin-bottom: 6px; }
  .array-frac { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; }
  .array-frac b { color: var(--text); }
  .progress { display: flex; height: 14px; border-radius: 7px; overflow: hidden; background: var(--panel-2); border: 1px solid var(--border); }
  .seg { height: 100%; background: var(--c); }
  .seg + .seg { box-shadow: inset 1px 0 0 rgba(11, 16, 32, 0.6); }
  .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin-top: 6px; font-size: 11.5px; color: var(--muted); }
  .legend-item { display: inline-flex; align-items: center; gap: 5px; }
  .legend-item b { color: var(--text); font-weight: 600; }
  #timeline-chart svg { display: block; width: 100%; }
  svg text { fill: var(--muted); font-size: 11px; font-family: inherit; }
  svg .lane-name { fill: var(--text); font-weight: 600; font-size: 12px; }
  svg .lane-bg { fill: rgba(255, 255, 255, 0.018); } svg .lane-bg.odd { fill: rgba(255, 255, 255, 0.04); }
  svg .grid { stroke: rgba(140, 152, 179, 0.13); }
  svg .now { stroke: var(--accent); stroke-dasharray: 3 3; }
  svg .wait { fill: rgba(245, 184, 61, 0.26); }
  svg .bar.waiting .wait { stroke: rgba(245, 184, 61, 0.55); stroke-dasharray: 3 2; }
  svg .run.succeeded { fill: var(--SUCCEEDED); } svg .run.failed { fill: var(--FAILED); }
  svg .run.running { fill: var(--RUNNING); } svg .run.starting { fill: var(--STARTING); }
  svg .bar.open { cursor: pointer; }
  svg .bar:hover .run { filter: brightness(1.25); }
  .tl-legend { display: flex; gap: 16px; margin-top: 8px; font-size: 11.5px; color: var(--muted); flex-wrap: wrap; }
  .tl-legend span { display: inline-flex; align-items: center; gap: 6px; }
  .tl-legend i { width: 18px; height: 8px; border-radius: 2px; display: inline-block; }
  tr.job-row { cursor: pointer; }
  tr.job-row:hover td, tr.job-row:focus td { background: rgba(124, 156, 255, 0.07); outline: none; }
  tr.job-row.selected td { background: rgba(124, 156, 255, 0.13); }
  .kind { font-size: 11.5px; color: var(--muted); }
  .exit-bad { color: #fca5a5; font-weight: 600; }
  .empty { color: var(--muted); margin: 6px 0; }
  .footnote { color: var(--muted); font-size: 11.5px; margin: 6px 0 0; }
  #detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(640px, 100vw); z-index: 10; background: #0f1729;
    border-left: 1px solid var(--border); box-shadow: -20px 0 40px rgba(0, 0, 0, 0.45); overflow-y: auto; padding: 18px 22px 30px; }
  #detail[hidden] { display: none; }
  .detail-head { display: flex; align-items: flex-start; gap: 12px; }
  .detail-head h2 { margin: 2px 0; font-size: 18px; }
  .detail-head .close { margin-left: auto; font-size: 18px; line-height: 1; padding: 4px 10px; }
  .kicker { color: var(--muted); font-size: 11px; letter-spacing: 0.6px; text-transform: uppercase; }
  #detail h3 { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.6px; margin: 20px 0 8px; }
  dl.meta { display: grid; grid-template-columns: 130px 1fr; gap: 4px 12px; margin: 14px 0 0; }
  dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; word-break: break-word; }
  pre { margin: 0; background: #0a0f1d; border: 1px solid var(--border); border-radius: 8px; padding: 10px 12px; font-family: var(--mono);
    font-size: 12px; white-space: pre-wrap; word-break: break-word; max-height: 360px; overflow: auto; }
  ol.history { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 2px solid var(--border); }
  ol.history li { position: relative; padding: 3px 0 3px 8px; display: flex; gap: 10px; align-items: baseline; }
  ol.history li::before { content: ""; position: absolute; left: -20px; top: 9px; width: 10px; height: 10px; border-radius: 50%; background: var(--c); border: 2px solid #0f1729; }
  ol.history .t { font-family: var(--mono); font-size: 12px; color: var(--muted); min-width: 86px; }
  ol.history .delta { color: var(--muted); font-size: 11.5px; min-width: 64px; }
  .stale { color: var(--RUNNABLE); font-size: 12px; margin-top: 8px; }
  footer { color: var(--muted); font-size: 11.5px; text-align: center; padding: 0 0 24px; }
  @media (max-width: 1100px) { .two { grid-template-columns: 1fr; } .counts { grid-template-columns: repeat(4, minmax(0, 1fr)); } }
</style>
</head>
<body>
<header class="top">
  <div class="brand"><h1><b>parlel</b>-batch</h1><span>AWS Batch fake &middot; live dashboard</span></div>
  <div class="clock">
    <span class="pill" id="clock-kind">clock</span>
    <span>now <strong id="virtual-now" class="num">&ndash;</strong></span>
    <span id="live" class="live" data-poll-count="0"><i></i><span id="updated">connecting&hellip;</span></span>
    <button id="pause" class="btn" type="button" aria-pressed="false">Pause</button>
  </div>
</header>
<main>
  <div id="error" role="alert" hidden></div>
  <section aria-label="Jobs by status"><div id="counts" class="counts"></div></section>
  <div id="partitions"></div>
  <section class="card" aria-labelledby="arrays-title">
    <div class="card-head"><h2 id="arrays-title">Array jobs</h2><span class="muted">children by status; the number is children finished (succeeded or failed)</span></div>
    <div id="arrays"></div>
  </section>
  <section class="card" aria-labelledby="timeline-title">
    <div class="card-head"><h2 id="timeline-title">Timeline</h2><span class="muted" id="timeline-note"></span></div>
    <div id="timeline-chart"></div>
    <div class="tl-legend">
      <span><i style="background: var(--SUCCEEDED)"></i>succeeded</span>
      <span><i style="background: var(--FAILED)"></i>failed</span>
      <span><i style="background: var(--RUNNING)"></i>running</span>
      <span><i style="background: var(--STARTING)"></i>starting</span>
      <span><i style="background: rgba(245, 184, 61, 0.36)"></i>waiting (submitted or RUNNABLE, until placed)</span>
    </div>
  </section>
  <section class="card" aria-labelledby="jobs-title">
    <div class="card-head"><h2 id="jobs-title">Recent jobs</h2><span class="muted" id="jobs-note"></span></div>
    <div id="jobs"></div>
  </section>
</main>
<aside id="detail" role="dialog" aria-labelledby="detail-title" hidden><div id="detail-body"></div></aside>
<footer>Polls GET /_parlel/state every second. Times are the fake's clock (UTC); on the manual clock they are virtual.</footer>
<script>
(function () {
  "use strict";
  var STATUSES = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"];
  var BAR_ORDER = ["SUCCEEDED", "FAILED", "RUNNING", "STARTING", "RUNNABLE", "PENDING", "SUBMITTED"];
  var POLL_MS = 1000;
  var state = null, paused = false, inFlight = false, polls = 0, failing = false;
  var selected = null, jobsById = {}, arraysById = {}, remembered = {}, logs = {};

  function $(id) { return document.getElementById(id); }
  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function set(el, html) { if (el._html !== html) { el.innerHTML = html; el._html = html; } }
  function pad(n, width) { n = String(n); while (n.length < (width || 2)) n = "0" + n; return n; }
  function clockTime(ms) {
    if (ms == null) return "&ndash;";
    var d = new Date(ms), ms3 = d.getUTCMilliseconds();
    return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + (ms3 ? "." + pad(ms3, 3) : "");
  }
  function dateTime(ms) { return new Date(ms).toISOString().slice(0, 19).replace("T", " ") + "Z"; }
  function duration(ms) {
    if (ms == null || !isFinite(ms)) return "&ndash;";
    if (ms < 1000) return Math.round(ms) + " ms";
    var s = ms / 1000;
    if (s < 60) return (Math.round(s * 10) / 10) + " s";
    var m = Math.floor(s / 60); s = Math.round(s - m * 60);
    if (m < 60) return m + "m " + s + "s";
    var h = Math.floor(m / 60); return h + "h " + (m - h * 60) + "m";
  }
  function badge(status) { return '<span class="badge" data-status="' + esc(status) + '">' + esc(status) + "</span>"; }
  function shortId(id) { return id.length > 13 ? id.slice(0, 8) + "&hellip;" + esc(id.slice(id.length - 4)) : esc(id); }
  function shellQuote(arg) { return /^[A-Za-z0-9_\/.:=,@+%-]+$/.test(arg) ? arg : "'" + String(arg).replace(/'/g, "'\\''") + "'"; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function kindOf(job) {
    if (job.kind === "array-parent") return "array &times; " + job.arraySize;
    if (job.kind === "array-child") return "array child #" + job.arrayIndex;
    if (job.kind === "multinode-parent") return "multi-node &times; " + job.numNodes;
    return "single";
  }

  // ---- Polling ----
  function poll() {
    if (inFlight) return;
    inFlight = true;
    polls++;
    $("live").setAttribute("data-poll-count", String(polls));
    fetch("/_parlel/state", { cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (next) {
        state = next; failing = false;
        var t = new Date();
        $("updated").textContent = "updated " + pad(t.getHours()) + ":" + pad(t.getMinutes()) + ":" + pad(t.getSeconds());
        $("error").hidden = true;
        render();
      })
      .catch(function (error) {
        failing = true;
        $("error").hidden = false;
        $("error").textContent = "Cannot read /_parlel/state (" + error.message + "). Is parlel-batch still running? Retrying every second.";
      })
      .then(function () { inFlight = false; liveClass(); });
  }
  function liveClass() { $("live").className = "live" + (paused ? " paused" : failing ? " error" : ""); }
  setInterval(function () { if (!paused) poll(); }, POLL_MS);
  $("pause").addEventListener("click", function () {
    paused = !paused;
    this.setAttribute("aria-pressed", String(paused));
    this.textContent = paused ? "Resume" : "Pause";
    if (paused) $("updated").textContent = $("updated").textContent.replace(/^updated/, "paused, updated");
    liveClass();
    if (!paused) poll();
  });

  // ---- Rendering ----
  function render() {
    if (!state) return;
    jobsById = {}; arraysById = {};
    state.jobs.forEach(function (job) { jobsById[job.jobId] = job; });
    state.arrays.forEach(function (array) {
      arraysById[array.jobId] = array;
      if (!jobsById[array.jobId]) jobsById[array.jobId] = array;
      // Children leave out what they share with their array job; take it from the parent.
      array.children.forEach(function (child) {
        jobsById[child.jobId] = Object.assign({ kind: "array-child", jobName: array.jobName, jobQueue: array.jobQueue, partition: array.partition, jobDefinition: array.jobDefinition, command: array.command }, child);
      });
    });
    $("clock-kind").textContent = state.clock === "manual" ? "manual clock" : "real clock";
    $("virtual-now").textContent = dateTime(state.now);
    renderCounts(); renderPartitions(); renderArrays(); renderTimeline(); renderJobs(); renderDetail();
  }

  function renderCounts() {
    set($("counts"), STATUSES.map(function (s) {
      var n = state.counts.jobs[s], children = state.counts.arrayChildren[s];
      return '<div class="count" data-status="' + s + '" data-status-count="' + s + '" data-children="' + children + '">' +
        '<div class="count-label"><i class="dot"></i>' + s + '</div><div class="count-value">' + n + '</div>' +
        '<div class="count-sub">' + (children ? "+" + plural(children, "array child", "array children") : "jobs") + "</div></div>";
    }).join(""));
  }

  function renderPartitions() {
    if (!state.partitions.length) { set($("partitions"), '<section class="card"><p class="empty">No compute environments, queues or jobs yet.</p></section>'); return; }
    set($("partitions"), state.partitions.map(function (p) {
      return '<section class="card partition" data-partition="' + esc(p.accountId + "/" + p.region) + '">' +
        '<h2 class="partition-head">' + esc(p.region) + ' <span class="muted">account ' + esc(p.accountId) + "</span></h2>" +
        '<div class="two"><div><h3>Job queues</h3>' + queuesTable(p.jobQueues) + "</div><div><h3>Compute environments</h3>" + environmentsTable(p.computeEnvironments) + "</div></div></section>";
    }).join(""));
  }
  function queuesTable(queues) {
    if (!queues.length) return '<p class="empty">No job queues.</p>';
    return '<table class="queues"><thead><tr><th>Name</th><th>State</th><th>Status</th><th class="r">Priority</th><th>Compute environments</th><th title="Single jobs, array children and multi-node jobs">Jobs by status</th></tr></thead><tbody>' +
      queues.map(function (q) {
        var counts = STATUSES.filter(function (s) { return q.counts[s]; }).map(function (s) {
          return '<span class="mini" data-status="' + s + '" title="' + s + '"><i class="dot"></i>' + q.counts[s] + "</span>";
        }).join("");
        return '<tr data-queue="' + esc(q.name) + '"><td class="q-name"><b>' + esc(q.name) + "</b>" + (q.schedulingPolicy ? '<div class="muted">fair share: ' + esc(q.schedulingPolicy) + "</div>" : "") + "</td>" +
          '<td class="q-state"><span class="state" data-state="' + esc(q.state) + '">' + esc(q.state) + "</span></td>" +
          '<td class="q-status"><span class="rstatus" data-rstatus="' + esc(q.status) + '" title="' + esc(q.statusReason) + '">' + esc(q.status) + "</span></td>" +
          '<td class="q-priority r num">' + esc(q.priority) + "</td>" +
          '<td class="q-ces">' + q.computeEnvironments.map(function (ce) { return '<span class="chip">' + esc(ce) + "</span>"; }).join("") + "</td>" +
          '<td class="q-jobs">' + (counts || '<span class="muted">&ndash;</span>') + "</td></tr>";
      }).join("") + "</tbody></table>";
  }
  function environmentsTable(environments) {
    if (!environments.length) return '<p class="empty">No compute environments.</p>';
    return '<table class="ces"><thead><tr><th>Name</th><th>Type</th><th>State</th><th>Status</th><th class="r">maxvCpus</th><th>vCPUs in use</th></tr></thead><tbody>' +
      environments.map(function (ce) {
        var max = ce.maxvCpus, share = max ? Math.min(100, 100 * ce.vcpusInUse / max) : 0;
        return '<tr data-compute-environment="' + esc(ce.name) + '"><td class="ce-name"><b>' + esc(ce.name) + "</b></td>" +
          '<td class="ce-type">' + esc(ce.type) + (ce.computeType ? ' <span class="muted">' + esc(ce.computeType) + "</span>" : "") + "</td>" +
          '<td class="ce-state"><span class="state" data-state="' + esc(ce.state) + '">' + esc(ce.state) + "</span></td>" +
          '<td class="ce-status"><span class="rstatus" data-rstatus="' + esc(ce.status) + '" title="' + esc(ce.statusReason) + '">' + esc(ce.status) + "</span></td>" +
          '<td class="ce-max r num">' + (max == null ? "&infin;" : max) + "</td>" +
          '<td class="ce-used num"><span class="meter"><span style="width:' + share.toFixed(1) + '%"></span></span>' + ce.vcpusInUse + "</td></tr>";
      }).join("") + "</tbody></table>";
  }

  function progressBar(array) {
    var size = array.size || 0, counts = array.counts || {};
    var segments = BAR_ORDER.filter(function (s) { return counts[s] > 0; });
    var running = (counts.RUNNING || 0) + (counts.STARTING || 0);
    var text = array.finished + " of " + size + " children finished (" + (counts.SUCCEEDED || 0) + " succeeded, " + (counts.FAILED || 0) + " failed), " + running + " running";
    return '<div class="progress" role="progressbar" aria-label="' + esc(array.jobName) + ' children finished" aria-valuemin="0" aria-valuemax="' + size +
      '" aria-valuenow="' + array.finished + '" aria-valuetext="' + esc(text) + '">' +
      segments.map(function (s) {
        return '<span class="seg" data-status="' + s + '" style="width:' + (size ? (100 * counts[s] / size).toFixed(3) : 0) + '%" title="' + s + ": " + counts[s] + '"></span>';
      }).join("") + "</div>" +
      '<div class="legend">' + (segments.length ? segments.map(function (s) {
        return '<span class="legend-item" data-status="' + s + '"><i class="dot"></i>' + s + " <b>" + counts[s] + "</b></span>";
      }).join("") : "<span>children not created yet (waiting for dependencies)</span>") + "</div>";
  }
  function renderArrays() {
    if (!state.arrays.length) { set($("arrays"), '<p class="empty">No array jobs yet.</p>'); return; }
    set($("arrays"), '<div class="arrays">' + state.arrays.map(function (a) {
      return '<div class="array" data-job-id="' + esc(a.jobId) + '"><div class="array-head"><button class="link" type="button" data-open="' + esc(a.jobId) + '">' + esc(a.jobName) + "</button>" +
        '<span class="mono muted" title="' + esc(a.jobId) + '">' + shortId(a.jobId) + '</span><span class="muted">' + esc(a.jobQueue) + "</span> " + badge(a.status) +
        '<span class="array-frac"><b>' + a.finished + "</b> / " + a.size + " finished</span></div>" + progressBar(a) + "</div>";
    }).join("") + "</div>");
  }

  // ---- Timeline: one lane per compute environment, one bar per attempt, packed into rows ----
  var STEPS = [1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5, 9e5, 18e5, 36e5, 72e5, 216e5, 432e5, 864e5];
  var MAX_ROWS = 24;
  function renderTimeline() {
    var tl = state.timeline, host = $("timeline-chart");
    $("timeline-note").textContent = plural(tl.bars.length, "attempt", "attempts") + (tl.truncated ? " (the " + state.limits.timelineAttempts + " that ended last)" : "") + " · x is the fake's clock";
    if (!tl.lanes.length) { set(host, '<p class="empty">No compute environments yet.</p>'); return; }
    var width = Math.max(640, host.clientWidth || 1000);
    var LABEL = 190, RIGHT = 30, TOP = 26, ROW = 13, BAR = 9, PAD = 7;
    var from = tl.from, to = Math.max(tl.to, tl.from + 1000), span = to - from;
    from -= span * 0.01; to += span * 0.015; span = to - from;
    var plot = width - LABEL - RIGHT;
    function x(t) { return LABEL + (t - from) / span * plot; }
    var gap = span / plot * 3;
    var byLane = {};
    tl.bars.forEach(function (b) { (byLane[b.lane] = byLane[b.lane] || []).push(b); });
    var multi = state.partitions.length > 1, y = TOP, lanes = [], bars = [];
    tl.lanes.forEach(function (lane, i) {
      var list = (byLane[lane.key] || []).slice().sort(function (a, b) { return a.waitingSince - b.waitingSince || (a.startedAt || 0) - (b.startedAt || 0); });
      // Greedy packing: a bar takes the first row free at its start. A retry stays on its previous
      // attempt's row, so a failure and the attempt after it read as one line.
      var ends = [], owners = [];
      var placed = list.map(function (b) {
        var end = b.stoppedAt != null ? b.stoppedAt : state.now, row = -1;
        for (var r = 0; r < ends.length; r++) if (ends[r] + gap <= b.waitingSince || (owners[r] === b.jobId && ends[r] <= b.waitingSince)) { row = r; break; }
        if (row < 0 && ends.length < MAX_ROWS) { row = ends.length; ends.push(end); }
        if (row < 0) { row = 0; for (var k = 1; k < ends.length; k++) if (ends[k] < ends[row]) row = k; }
        ends[row] = Math.max(ends[row], end);
        owners[row] = b.jobId;
        return [b, row];
      });
      var height = Math.max(1, ends.length) * ROW + PAD * 2 + 4, sub = [];
      if (lane.key !== "waiting") {
        if (lane.computeType) sub.push(lane.computeType);
        sub.push(lane.maxvCpus == null ? "unbounded" : lane.maxvCpus + " vCPUs");
        if (multi) sub.push(lane.partition.split("/")[1]);
      } else sub.push("RUNNABLE jobs");
      lanes.push('<g class="lane" data-lane="' + esc(lane.key) + '"><rect class="lane-bg' + (i % 2 ? " odd" : "") + '" x="0" y="' + y + '" width="' + width + '" height="' + height + '"/>' +
        '<text class="lane-name" x="10" y="' + (y + 17) + '">' + esc(lane.name) + '</text><text x="10" y="' + (y + 31) + '">' + esc(sub.join(" · ")) + "</text></g>");
      placed.forEach(function (p) {
        var b = p[0], top = y + PAD + 2 + p[1] * ROW, start = b.startedAt, end = b.stoppedAt != null ? b.stoppedAt : state.now;
        var waitEnd = start != null ? start : end, known = !!jobsById[b.jobId];
        var title = b.jobName + " (" + b.jobId + ")  attempt " + b.attempt + ": " + b.outcome + (b.exitCode != null ? ", exit " + b.exitCode : "") +
          "\nwaited " + stripTags(duration(waitEnd - b.waitingSince)) + (start != null ? ", ran " + stripTags(duration(end - start)) : "") + "\n" + clockTime(b.waitingSince) + " → " + clockTime(end);
        var parts = '<title>' + esc(title) + "</title>";
        if (waitEnd - b.waitingSince > 0) parts += '<rect class="wait" x="' + x(b.waitingSince).toFixed(1) + '" y="' + top + '" width="' + Math.max(1, x(waitEnd) - x(b.waitingSince)).toFixed(1) + '" height="' + BAR + '" rx="2"/>';
        if (start != null) parts += '<rect class="run ' + b.outcome + '" x="' + x(start).toFixed(1) + '" y="' + top + '" width="' + Math.max(2.5, x(end) - x(start)).toFixed(1) + '" height="' + BAR + '" rx="2"/>';
        bars.push('<g class="bar ' + b.outcome + (known ? " open" : "") + '" data-bar="1" data-job-id="' + esc(b.jobId) + '" data-outcome="' + b.outcome + '" data-lane="' + esc(b.lane) + '">' + parts + "</g>");
      });
      y += height;
    });
    var step = STEPS[STEPS.length - 1];
    for (var s = 0; s < STEPS.length; s++) if (span / STEPS[s] <= plot / 95) { step = STEPS[s]; break; }
    var ticks = [];
    for (var t = Math.ceil(from / step) * step; t <= to; t += step) {
      ticks.push('<line class="grid" x1="' + x(t).toFixed(1) + '" x2="' + x(t).toFixed(1) + '" y1="' + (TOP - 4) + '" y2="' + y + '"/><text x="' + x(t).toFixed(1) + '" y="' + (TOP - 9) + '" text-anchor="middle">' + clockTime(t) + "</text>");
    }
    var now = x(state.now).toFixed(1);
    var nowLine = '<line class="now" x1="' + now + '" x2="' + now + '" y1="' + (TOP - 4) + '" y2="' + y + '"/>';
    set(host, '<svg role="img" aria-label="Attempts per compute environment over time" viewBox="0 0 ' + width + " " + (y + 6) + '" width="' + width + '" height="' + (y + 6) + '">' +
      lanes.join("") + ticks.join("") + bars.join("") + nowLine + "</svg>");
  }
  function stripTags(html) { return html.replace(/&ndash;/g, "-").replace(/<[^>]*>/g, ""); }

  function renderJobs() {
    var jobs = state.jobs;
    $("jobs-note").textContent = jobs.length >= state.limits.recentJobs ? "the newest " + state.limits.recentJobs + " jobs" : plural(jobs.length, "job", "jobs") + ", newest first";
    if (!jobs.length) { set($("jobs"), '<p class="empty">No jobs yet. Submit one with SubmitJob.</p>'); return; }
    set($("jobs"), '<table class="jobs"><thead><tr><th>Job</th><th>Job ID</th><th>Queue</th><th>Type</th><th>Status</th><th>Created</th><th>Started</th><th>Stopped</th><th class="r">Run time</th><th class="r">Attempts</th><th class="r">Exit</th></tr></thead><tbody>' +
      jobs.map(function (j) { return jobRow(j); }).join("") + "</tbody></table>");
  }
  function jobRow(j) {
    // An array job runs as its children; its own startedAt is when it finished, so it has no run time.
    var ran = j.startedAt != null && j.kind !== "array-parent" ? (j.stoppedAt != null ? j.stoppedAt : state.now) - j.startedAt : null;
    return '<tr class="job-row' + (j.jobId === selected ? " selected" : "") + '" tabindex="0" data-job-id="' + esc(j.jobId) + '" data-status="' + esc(j.status) + '">' +
      '<td><button class="link" type="button" data-open="' + esc(j.jobId) + '">' + esc(j.jobName) + "</button></td>" +
      '<td class="mono muted" title="' + esc(j.jobId) + '">' + shortId(j.jobId) + "</td><td>" + esc(j.jobQueue) + '</td><td class="kind">' + kindOf(j) + "</td>" +
      '<td class="job-status">' + badge(j.status) + '</td><td class="num">' + clockTime(j.createdAt) + '</td><td class="num">' + clockTime(j.startedAt) + '</td><td class="num">' + clockTime(j.stoppedAt) + "</td>" +
      '<td class="r num">' + duration(ran) + '</td><td class="r num">' + (j.attempts.length || "&ndash;") + "</td>" +
      '<td class="r num' + (j.exitCode ? " exit-bad" : "") + '">' + (j.exitCode == null ? "&ndash;" : j.exitCode) + "</td></tr>";
  }

  // ---- Job detail ----
  function open(jobId) {
    selected = jobId;
    history.replaceState(null, "", "#job=" + encodeURIComponent(jobId));
    renderDetail(); renderJobs();
    var close = document.querySelector("#detail .close");
    if (close) close.focus();
  }
  function closeDetail() {
    selected = null;
    history.replaceState(null, "", location.pathname + location.search);
    renderDetail(); renderJobs();
  }
  function renderDetail() {
    var panel = $("detail");
    if (!selected || !state) { panel.hidden = true; return; }
    var job = jobsById[selected], stale = !job;
    if (job) remembered[selected] = job; else job = remembered[selected];
    if (!job) { panel.hidden = true; return; }
    panel.hidden = false;
    loadLogs(job);
    var array = arraysById[job.jobId];
    var html = '<div class="detail-head"><div><div class="kicker">' + kindOf(job) + " &middot; " + esc(job.partition) + '</div><h2 id="detail-title">' + esc(job.jobName) + "</h2>" +
      '<div class="mono muted">' + esc(job.jobId) + '</div></div><div style="margin-left:auto; display:flex; gap:10px; align-items:center">' + badge(job.status) +
      '<button class="btn close" type="button" aria-label="Close job detail">&times;</button></div></div>';
    if (stale) html += '<p class="stale">This job has left the dashboard&#39;s window (newest ' + state.limits.recentJobs + ' jobs); showing its last known state.</p>';
    if (job.parentId) html += '<p><button class="link" type="button" data-open="' + esc(job.parentId) + '">&larr; array job ' + esc(job.parentId) + "</button></p>";
    html += '<dl class="meta" data-section="meta">' +
      row("Status reason", job.statusReason ? esc(job.statusReason) : "&ndash;", "status-reason") +
      row("Queue", esc(job.jobQueue)) + row("Job definition", esc(job.jobDefinition)) +
      row("Created", esc(dateTime(job.createdAt))) + row("Started", job.startedAt != null ? esc(dateTime(job.startedAt)) : "&ndash;") +
      row("Stopped", job.stoppedAt != null ? esc(dateTime(job.stoppedAt)) : "&ndash;") +
      row("Exit code", job.exitCode == null ? "&ndash;" : '<span class="' + (job.exitCode ? "exit-bad" : "") + '">' + job.exitCode + "</span>", "exit-code") +
      (job.reason ? row("Container reason", esc(job.reason)) : "") +
      (job.dependsOn && job.dependsOn.length ? row("Depends on", job.dependsOn.map(function (id) { return '<span class="mono">' + esc(id) + "</span>"; }).join(", ")) : "") +
      (job.isCancelled ? row("Cancelled", "yes") : "") + (job.isTerminated ? row("Terminated", "yes") : "") + "</dl>";
    html += "<h3>Command</h3>" + (job.command ? '<pre class="command" data-section="command">' + esc(job.command.map(shellQuote).join(" ")) + "</pre>" : '<p class="empty">No container command.</p>');
    if (array) html += arrayDetail(array);
    html += '<h3>Status history</h3><ol class="history" data-section="history">' + job.history.map(function (h) {
      return '<li data-status="' + esc(h.status) + '"><span class="t">' + clockTime(h.at) + "</span>" + badge(h.status) + '<span class="delta">+' + stripTags(duration(h.at - job.createdAt)) + "</span>" +
        (h.note ? '<span class="muted">' + esc(h.note) + "</span>" : "") + "</li>";
    }).join("") + '</ol><p class="footnote">Rebuilt from the job&#39;s timestamps: submission, each attempt&#39;s start and end, a retry&#39;s return to RUNNABLE, the final status and the current one. PENDING, RUNNABLE and STARTING phases before an attempt keep no timestamp once passed.</p>';
    html += "<h3>Attempts</h3>" + attemptsTable(job);
    html += "<h3>Logs</h3>" + logsBlock(job);
    // A follower stays at the newest line unless the reader has scrolled up.
    var before = document.querySelector("#detail pre.logs"), top = before ? before.scrollTop : 0;
    var atEnd = !before || top + before.clientHeight >= before.scrollHeight - 4;
    set($("detail-body"), html);
    var after = document.querySelector("#detail pre.logs");
    if (after && after !== before) after.scrollTop = atEnd ? after.scrollHeight : top;
  }
  function isLive(job) { return job.status === "RUNNING" || job.status === "STARTING"; }
  function row(label, value, section) { return "<dt>" + label + "</dt><dd" + (section ? ' data-field="' + section + '"' : "") + ">" + value + "</dd>"; }
  function attemptsTable(job) {
    if (job.kind === "array-parent") return '<p class="empty">An array job runs as its children; open a child to see its attempts.</p>';
    var current = job.status === "RUNNING" || job.status === "STARTING";
    if (!job.attempts.length && !current) return '<p class="empty">No attempts yet.</p>';
    var rows = job.attempts.map(function (a) {
      return '<tr data-attempt="' + a.number + '"><td class="num">' + a.number + "</td><td>" + esc(a.computeEnvironment || "") + '</td><td class="num">' + clockTime(a.startedAt) + '</td><td class="num">' + clockTime(a.stoppedAt) + "</td>" +
        '<td class="r num">' + duration(a.stoppedAt - a.startedAt) + '</td><td class="r num attempt-exit' + (a.exitCode ? " exit-bad" : "") + '">' + (a.exitCode == null ? "&ndash;" : a.exitCode) + "</td>" +
        '<td class="attempt-reason">' + esc(a.reason || "") + (a.reason && a.statusReason ? "<br>" : "") + '<span class="muted">' + esc(a.statusReason || "") + "</span></td></tr>";
    });
    if (current) rows.push('<tr data-attempt="' + (job.attempts.length + 1) + '"><td class="num">' + (job.attempts.length + 1) + "</td><td></td><td class=\"num\">" + clockTime(job.status === "RUNNING" ? job.startedAt : job.statusSince) +
      '</td><td colspan="3">' + badge(job.status) + '</td><td class="muted">in progress</td></tr>');
    return '<table class="attempts" data-section="attempts"><thead><tr><th>#</th><th>Compute environment</th><th>Started</th><th>Stopped</th><th class="r">Ran</th><th class="r">Exit</th><th>Reason</th></tr></thead><tbody>' + rows.join("") + "</tbody></table>";
  }
  function arrayDetail(array) {
    var shown = array.children.length;
    return "<h3>Children</h3>" + progressBar(array) +
      '<table class="children" data-section="children" style="margin-top:10px"><thead><tr><th>Index</th><th>Status</th><th>Started</th><th>Stopped</th><th class="r">Attempts</th><th class="r">Exit</th></tr></thead><tbody>' +
      array.children.map(function (c) {
        return '<tr class="job-row" tabindex="0" data-job-id="' + esc(c.jobId) + '"><td><button class="link" type="button" data-open="' + esc(c.jobId) + '">#' + c.arrayIndex + "</button></td><td>" + badge(c.status) + '</td><td class="num">' + clockTime(c.startedAt) +
          '</td><td class="num">' + clockTime(c.stoppedAt) + '</td><td class="r num">' + (c.attempts.length || "&ndash;") + '</td><td class="r num' + (c.exitCode ? " exit-bad" : "") + '">' + (c.exitCode == null ? "&ndash;" : c.exitCode) + "</td></tr>";
      }).join("") + "</tbody></table>" +
      (shown < array.size ? '<p class="footnote">' + shown + " of " + array.size + " children listed: failed first, then running, then the rest.</p>" : "");
  }
  function logsBlock(job) {
    var live = isLive(job);
    var note = live ? '<p class="footnote" data-following="true">Following: new lines appear as the job writes them.</p>' : "";
    if (!job.logLines) return note + '<p class="empty" data-section="logs">' + (live ? "No log lines yet." : "No log lines. An outcome&#39;s <span class=\"mono\">logs</span> appear here.") + "</p>";
    var entry = logs[job.jobId];
    if (!entry || !entry.lines) return note + '<p class="empty" data-section="logs">Loading ' + plural(job.logLines, "line", "lines") + "&hellip;</p>";
    return note + '<pre class="logs" data-section="logs">' + esc(entry.lines.join("\n")) + "</pre>";
  }
  /**
   * Reads the job's lines when the poll says there are more than the page holds: only the new ones
   * (?from=), so following a long log costs what it adds. Fewer lines than held means they went away.
   */
  function loadLogs(job) {
    var entry = logs[job.jobId];
    if (!job.logLines || (entry && (entry.loading || entry.count === job.logLines))) return;
    var held = entry && entry.lines && !entry.failed && job.logLines > entry.count ? entry.lines : null;
    var from = held ? held.length : 0;
    logs[job.jobId] = { loading: true, count: entry ? entry.count : 0, lines: entry && entry.lines };
    fetch("/_parlel/jobs/" + encodeURIComponent(job.jobId) + "/logs" + (from ? "?from=" + from : ""), { cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (body) { var lines = held ? held.concat(body.logs) : body.logs; logs[job.jobId] = { count: lines.length, lines: lines }; })
      .catch(function (error) { logs[job.jobId] = { count: job.logLines, lines: ["(could not read the logs: " + error.message + ")"], failed: true }; })
      .then(function () { if (selected === job.jobId) renderDetail(); });
  }

  // ---- Interaction ----
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("#detail .close")) { closeDetail(); return; }
    var opener = target.closest("[data-open]") || target.closest("tr.job-row[data-job-id]") || target.closest("g.bar.open");
    if (opener) open(opener.getAttribute("data-open") || opener.getAttribute("data-job-id"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && selected) closeDetail();
    var rowEl = event.target.closest && event.target.closest("tr.job-row[data-job-id]");
    if (event.key === "Enter" && rowEl && event.target === rowEl) open(rowEl.getAttribute("data-job-id"));
  });
  var resizeTimer = null;
  window.addEventListener("resize", function () { clearTimeout(resizeTimer); resizeTimer = setTimeout(function () { if (state) renderTimeline(); }, 100); });
  var hash = /^#job=(.+)$/.exec(location.hash);
  if (hash) selected = decodeURIComponent(hash[1]);
  poll();
})();
</script>
</body>
</html>
`;
