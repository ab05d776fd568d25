// ebrain chat: asks through the server's SSE conversation routes and renders the answer with
// numbered citation links. No inline handlers, no eval (the UI's CSP forbids both).
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root) return;
  var S = JSON.parse(root.getAttribute("data-i18n") || "{}");
  var form = document.getElementById("ask-form");
  var box = document.getElementById("question");
  var button = document.getElementById("ask-button");
  var list = document.getElementById("messages");
  var picker = document.getElementById("assistant");
  var conversation = root.getAttribute("data-conversation") || "";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    });
  }

  async function failure(response) {
    try {
      var body = await response.json();
      return (body.error && body.error.message) || response.statusText;
    } catch (e) {
      return response.status + " " + response.statusText;
    }
  }

  function message(role) {
    var item = el("article", "msg " + role);
    item.appendChild(el("h2", "sr-only", role === "user" ? S.you : S.assistant));
    list.appendChild(item);
    return item;
  }

  function citeHref(c) {
    var url = "/ui/doc/" + encodeURIComponent(c.document_id) + "?start=" + c.char_start +
      "&end=" + c.char_end + "&n=" + c.n;
    if (c.page) url += "&page=" + c.page;
    return url + "#passage";
  }

  // The answer's text with [n] / [n, m] markers turned into links to the cited passages.
  function linked(text, citations) {
    var byN = {};
    citations.forEach(function (c) { byN[c.n] = c; });
    var out = el("div", "text");
    var pattern = /\[(\d{1,3}(?:\s*[,，]\s*\d{1,3})*)\]/g;
    var last = 0, m;
    while ((m = pattern.exec(text)) !== null) {
      out.appendChild(document.createTextNode(text.slice(last, m.index)));
      m[1].split(/\s*[,，]\s*/).forEach(function (n) {
        var c = byN[Number(n)];
        if (!c) { out.appendChild(document.createTextNode("[" + n + "]")); return; }
        var a = el("a", "cite", "[" + n + "]");
        a.href = citeHref(c);
        a.setAttribute("aria-label", S.open + " " + n + ": " + c.title);
        out.appendChild(a);
      });
      last = pattern.lastIndex;
    }
    out.appendChild(document.createTextNode(text.slice(last)));
    return out;
  }

  function sources(citations) {
    var box = el("section", "sources-box");
    box.appendChild(el("h3", "sr-only", S.sources));
    var ol = el("ol", "sources");
    citations.forEach(function (c) {
      var li = el("li");
      li.value = c.n;
      var a = el("a", null, c.title || ("#" + c.document_id));
      a.href = citeHref(c);
      li.appendChild(a);
      if (c.page) li.appendChild(document.createTextNode(" · " + S.page.replace("{n}", c.page)));
      if (!c.verified) li.appendChild(el("span", "verified-no", " " + S.unverified));
      ol.appendChild(li);
    });
    box.appendChild(ol);
    return box;
  }

  function notice(kind, text, items) {
    var p = el("div", "notice " + kind);
    p.setAttribute("role", kind === "error" ? "alert" : "status");
    p.appendChild(el("span", null, text));
    if (items && items.length) {
      var ul = el("ul");
      items.forEach(function (t) { ul.appendChild(el("li", null, t)); });
      p.appendChild(ul);
    }
    return p;
  }

  function feedback(traceId) {
    var wrap = el("div", "feedback");
    var id = "fb-" + traceId;
    var label = el("label", "sr-only", S.comment);
    label.htmlFor = id;
    var comment = el("input");
    comment.id = id;
    comment.maxLength = 4000;
    comment.placeholder = S.comment;
    var status = el("span", "muted");
    status.setAttribute("role", "status");
    [["up", S.helpful], ["down", S.unhelpful]].forEach(function (pair) {
      var b = el("button", "rate-" + pair[0], pair[1]);
      b.type = "button";
      b.addEventListener("click", async function () {
        var r = await post("/api/feedback", { trace_id: traceId, rating: pair[0], comment: comment.value });
        status.textContent = r.ok ? S.thanks : S.error + " " + (await failure(r));
        if (r.ok) wrap.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
      });
      wrap.appendChild(b);
    });
    wrap.appendChild(label);
    wrap.appendChild(comment);
    wrap.appendChild(status);
    return wrap;
  }

  function finish(item, answer) {
    var text = item.querySelector(".text");
    text.replaceWith(linked(answer.text || "", answer.citations || []));
    if (answer.blocked) item.appendChild(notice("error refusal", S.blocked));
    else if (answer.refused) {
      var closest = (answer.closest || []).map(function (d) { return d.title || ""; }).filter(Boolean);
      item.appendChild(notice("warn refusal", S.refused + (closest.length ? " " + S.closest : ""), closest));
    }
    if ((answer.flagged_sources || []).length) {
      var titles = answer.flagged_sources.map(function (f) { return f.title || ("#" + f.chunk_id); });
      item.appendChild(notice("warn flagged", S.flagged, titles));
    }
    if ((answer.citations || []).length) item.appendChild(sources(answer.citations));
    if (answer.trace_id) item.appendChild(feedback(answer.trace_id));
    item.setAttribute("data-done", answer.refused ? "refused" : "answered");
  }

  // Read the SSE body: `delta` text, then one `answer` (or `error`).
  async function consume(response, item) {
    var text = item.querySelector(".text");
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "", started = false, ended = false, deltas = 0;
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      var cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        var raw = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        var name = "message", data = "";
        raw.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
        });
        var body = data ? JSON.parse(data) : {};
        if (name === "delta") {
          if (!started) { text.textContent = ""; text.className = "text"; started = true; }
          text.textContent += body.text || "";
          item.setAttribute("data-deltas", String(++deltas));
        } else if (name === "answer") { finish(item, body); ended = true; }
        else if (name === "error") { fail(item, (body.error || {}).message || ""); ended = true; }
      }
    }
    if (!ended) fail(item, "");
  }

  function fail(item, why) {
    item.appendChild(notice("error", S.error + " " + why));
    item.setAttribute("data-done", "error");
  }

  async function ensureConversation() {
    if (conversation) return conversation;
    var r = await post("/api/conversations", { assistant: picker ? picker.value : null });
    if (!r.ok) throw new Error(await failure(r));
    conversation = (await r.json()).id;
    root.setAttribute("data-conversation", conversation);
    if (picker) picker.disabled = true;
    history.replaceState(null, "", "/ui/chat?c=" + encodeURIComponent(conversation));
    return conversation;
  }

  function remember(question) {
    var none = document.getElementById("no-history");
    if (none) none.remove();
    var ul = document.getElementById("history");
    if (!ul || ul.querySelector('a[href$="' + CSS.escape(encodeURIComponent(conversation)) + '"]')) return;
    var li = el("li");
    var a = el("a", null, question.slice(0, 80) || S.untitled);
    a.href = "/ui/chat?c=" + encodeURIComponent(conversation);
    a.setAttribute("aria-current", "true");
    li.appendChild(a);
    ul.insertBefore(li, ul.firstChild);
  }

  async function ask(question) {
    var mine = message("user");
    mine.appendChild(el("div", "text", question));
    var item = message("assistant");
    item.setAttribute("aria-busy", "true");
    item.appendChild(el("div", "text muted", S.thinking));
    try {
      var id = await ensureConversation();
      remember(question);
      var r = await post("/api/conversations/" + encodeURIComponent(id) + "/messages",
        { question: question, stream: true });
      if (!r.ok) fail(item, await failure(r));
      else await consume(r, item);
    } catch (e) {
      fail(item, e && e.message ? e.message : "");
    } finally {
      item.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var question = box.value.trim();
    if (!question || button.disabled) return;
    button.disabled = true;
    box.value = "";
    try { await ask(question); } finally { button.disabled = false; box.focus(); }
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
})();
