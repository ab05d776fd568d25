/* ebrain knowledge-base page: drag-and-drop upload of many files through POST /api/uploads,
   per-file upload progress (from the request's byte offsets), then per-file ingest state from
   the job's server-sent events (GET /api/jobs/{id}/events, `progress` then `done`) and, for
   each failed file, its reason and what to do. No inline script (the page CSP forbids it). */
(function () {
  "use strict";

  /* Forms that delete ask first (the server acts only on the POST, with its CSRF token). */
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });

  var box = document.getElementById("upload") || document.getElementById("job");
  if (!box) { return; }
  var reasons = JSON.parse(box.getAttribute("data-reasons") || "{}");
  var labels = JSON.parse(box.getAttribute("data-labels") || "{}");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";
  var table = document.getElementById("upload-table");
  var tbody = table.querySelector("tbody");
  var status = document.getElementById("upload-status");
  var chosen = [];   /* the File objects shown in the table, by row index */
  var sending = [];  /* row indexes of the files in the current upload, in the job's order */
  var allowed = JSON.parse(box.getAttribute("data-allowed") || "[]");

  function label(key) { return labels[key] || key; }

  function cell(tr, cls) { return tr.querySelector("." + cls); }

  function sizeText(n) {
    return n >= 1048576 ? (n / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1024)) + " KB";
  }

  function newRow(file, index) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-index", String(index));
    var parts = [["name", file.name], ["num size", sizeText(file.size)], ["bar", ""],
      ["state", label("queued")], ["num chunks", ""], ["reason", ""]];
    parts.forEach(function (p) {
      var td = document.createElement("td");
      td.className = p[0];
      td.textContent = p[1];
      tr.appendChild(td);
    });
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    cell(tr, "bar").appendChild(bar);
    return tr;
  }

  function showChosen() {
    tbody.textContent = "";
    chosen.forEach(function (f, i) { tbody.appendChild(newRow(f, i)); });
    table.hidden = chosen.length === 0;
  }

  function addFiles(list) {
    for (var i = 0; i < list.length; i++) { chosen.push(list[i]); }
    showChosen();
  }

  function rowAt(i) { return tbody.querySelector('tr[data-index="' + i + '"]'); }

  /* The row of the job's i-th file (the job page lists the job's files themselves). */
  function jobRow(i) { return rowAt(sending.length ? sending[i] : i); }

  function extension(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(dot).toLowerCase() : "";
  }

  function setBar(tr, value) {
    var bar = tr && tr.querySelector("progress");
    if (bar) { bar.value = Math.max(0, Math.min(100, value)); }
  }

  /* One job file's state into its row: state, chunks, and why it failed with the hint. */
  function applyFile(tr, f) {
    if (!tr) { return; }
    tr.className = "file-" + f.state;
    var text = label(f.state);
    if (f.status && f.state === "done") { text += " (" + label(f.status) + ")"; }
    cell(tr, "state").textContent = text;
    cell(tr, "chunks").textContent = f.state === "done" ? String(f.chunks || 0) : "";
    var why = cell(tr, "reason");
    why.textContent = "";
    if (f.state === "failed") {
      var pair = reasons[f.reason || ""] || reasons[""] || ["", ""];
      var strong = document.createElement("strong");
      strong.textContent = pair[0] + " ";
      why.appendChild(strong);
      why.appendChild(document.createTextNode(pair[1]));
      if (f.message) {
        var small = document.createElement("span");
        small.className = "muted";
        small.textContent = " " + f.message;
        why.appendChild(small);
      }
    }
    if (f.state === "done" || f.state === "failed" || f.state === "cancelled") { setBar(tr, 100); }
    else if (f.state === "running") { setBar(tr, 50); }
  }

  function applyJob(job) {
    (job.files || []).forEach(function (f, i) { applyFile(jobRow(i), f); });
    var state = document.getElementById("job-state");
    if (state) { state.textContent = label(job.state); }
  }

  function summary(job) {
    var c = job.counts || {};
    var parts = [];
    ["done", "failed", "cancelled"].forEach(function (k) { if (c[k]) { parts.push(label(k) + ": " + c[k]); } });
    return label("finished") + (parts.length ? " — " + parts.join(", ") : "");
  }

  function refresh(id) {
    fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) { if (job) { applyJob(job); } })
      .catch(function () { /* the next event tries again */ });
  }

  /* Follow a job: each `progress` event refreshes the per-file states, `done` ends it. */
  function watch(id) {
    box.setAttribute("data-job", id);
    box.setAttribute("data-state", "running");
    var source = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/events");
    source.addEventListener("progress", function () { refresh(id); });
    source.addEventListener("done", function (event) {
      source.close();
      var job = JSON.parse(event.data);
      applyJob(job);
      box.setAttribute("data-state", job.state);
      status.textContent = summary(job);
      var more = document.getElementById("upload-refresh");
      if (more) { more.hidden = false; }
    });
  }

  /* Upload progress per file: the multipart body holds the files in order, so the bytes sent
     so far cover the first files fully and the current one partly. */
  function uploadProgress(event) {
    if (!event.lengthComputable) { return; }
    var files = sending.map(function (i) { return chosen[i]; });
    var sent = event.loaded * (files.reduce(function (a, f) { return a + f.size; }, 0) / event.total);
    var start = 0;
    files.forEach(function (f, i) {
      var part = f.size ? (sent - start) / f.size : 1;
      setBar(jobRow(i), Math.max(0, Math.min(1, part)) * 100);
      start += f.size;
    });
  }

  function failed(xhr) {
    var message = label("error");
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) { message += ": " + body.error.message; }
    } catch (e) { /* not JSON */ }
    status.textContent = message;
    status.className = "notice error";
  }

  function send(form) {
    if (chosen.length === 0) { status.textContent = label("none"); return; }
    /* A type the server does not accept fails here, with its reason; the others go up. */
    sending = [];
    chosen.forEach(function (f, i) {
      var ext = extension(f.name);
      if (allowed.length && allowed.indexOf(ext) < 0) {
        applyFile(rowAt(i), { state: "failed", reason: "unsupported", message: label("type") + " " + (ext || "—") });
      } else {
        sending.push(i);
      }
    });
    if (sending.length === 0) { status.textContent = label("nothing"); return; }
    var data = new FormData();
    sending.forEach(function (i) { data.append("files", chosen[i], chosen[i].name); });
    ["kb", "acl", "tags"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value.trim()) { data.append(name, field.value.trim()); }
    });
    sending.forEach(function (i) { cell(rowAt(i), "state").textContent = label("uploading"); });
    var button = document.getElementById("upload-submit");
    button.disabled = true;
    status.className = "";
    status.textContent = label("uploading") + "…";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/uploads");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.addEventListener("progress", uploadProgress);
    xhr.addEventListener("load", function () {
      button.disabled = false;
      if (xhr.status !== 202) { failed(xhr); return; }
      var job = JSON.parse(xhr.responseText);
      sending.forEach(function (i) {
        setBar(rowAt(i), 100);
        cell(rowAt(i), "state").textContent = label("queued");
      });
      status.textContent = label("sent");
      chosen = [];
      form.reset();
      watch(job.job_id);
    });
    xhr.addEventListener("error", function () { button.disabled = false; failed(xhr); });
    xhr.send(data);
  }

  var form = document.getElementById("upload-form");
  if (form) {
    var input = document.getElementById("upload-files");
    var zone = document.getElementById("dropzone");
    input.addEventListener("change", function () { chosen = []; addFiles(input.files); });
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (e.dataTransfer && e.dataTransfer.files) { addFiles(e.dataTransfer.files); }
    });
    form.addEventListener("submit", function (e) { e.preventDefault(); send(form); });
  } else {
    var running = box.getAttribute("data-state");
    if (running === "queued" || running === "running") { watch(box.getAttribute("data-job")); }
  }
}());
