// The preview page's script: builds a hook request from an example, POSTs it to the service as an EHR would,
// and renders the cards. Service text reaches the DOM only through textContent, except a card's detail, which is
// markdown: it is HTML-escaped FIRST and only then given a minimal markdown subset (bold, `code`, lists, line
// breaks, http(s) links). No other source of markup exists on this page.
"use strict";

(function () {
  const ORDER_HOOKS = ["order-select", "order-sign"];
  const INDICATORS = ["info", "warning", "critical"];
  const $ = (id) => document.getElementById(id);
  let examples = [];

  function newUuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // ---- markdown, safely -------------------------------------------------------------------------------------

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      .replace(/'/g, "&#39;");
  }

  // `escaped` holds no < > " ' (escapeHtml ran first): the tags added here are the only markup.
  function inline(escaped) {
    return escaped
      // a backslash escape (\* \_ \< …) is the literal character: an entity, which no rule below matches
      .replace(/\\(&lt;|&gt;|&amp;|&quot;|&#39;|[!-\/:-@[-`{-~])/g, (m, c) =>
        c.length > 1 ? c : "&#" + c.charCodeAt(0) + ";"
      )
      .replace(/`([^`]+)`/g, "<code>$1</code>")
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(
        /\[([^\]]+)\]\((https?:\/\/[^\s()]+)\)/g,
        '<a href="$2" rel="noopener noreferrer" target="_blank">$1</a>'
      );
  }

  function renderMarkdown(text) {
    const lines = escapeHtml(text).split(/\r?\n/);
    const indents = []; // indentation of each open list
    let paragraph = [];
    let out = "";
    const flush = () => {
      if (paragraph.length) out += "<p>" + paragraph.map(inline).join("<br>") + "</p>";
      paragraph = [];
    };
    const closeLists = () => {
      while (indents.length) {
        out += "</li></ul>";
        indents.pop();
      }
    };
    for (const line of lines) {
      const item = /^(\s*)[-*+]\s+(.*)$/.exec(line);
      if (item) {
        flush();
        const indent = item[1].length;
        if (!indents.length || indent > indents[indents.length - 1]) {
          out += "<ul><li>";
          indents.push(indent);
        } else {
          while (indents.length > 1 && indent < indents[indents.length - 1]) {
            out += "</li></ul>";
            indents.pop();
          }
          out += "</li><li>";
        }
        out += inline(item[2]);
      } else if (line.trim() === "") {
        closeLists();
        flush();
      } else if (indents.length && /^\s/.test(line)) {
        out += "<br>" + inline(line.trim()); // continuation of a list item
      } else {
        closeLists();
        paragraph.push(line.trim());
      }
    }
    closeLists();
    flush();
    return out;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(String(url), window.location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(label, url) {
    const href = safeUrl(url);
    if (!href) return el("span", null, label);
    const a = el("a", null, label);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  // ---- requests ---------------------------------------------------------------------------------------------

  function withToken(headers) {
    if (document.body.dataset.auth !== "jwt") return headers;
    const field = $("token");
    if (field && field.value.trim()) {
      headers["Authorization"] = "Bearer " + field.value.trim();
      field.value = ""; // a JWT id is accepted once: the next call needs a fresh token
    }
    return headers;
  }

  function pretty(text) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (e) {
      return text;
    }
  }

  function setStatus(text) {
    $("status").textContent = text;
  }

  function currentExample() {
    return examples.find((e) => e.name === $("example").value) || null;
  }

  function selectedHook() {
    const option = $("service").selectedOptions[0];
    return option ? option.dataset.hook : "";
  }

  function compatible(exampleHook, serviceHook) {
    if (exampleHook === serviceHook) return true;
    return ORDER_HOOKS.includes(exampleHook) && ORDER_HOOKS.includes(serviceHook);
  }

  function onExampleChange() {
    const example = currentExample();
    const services = Array.from($("service").options);
    services.forEach((o) => (o.disabled = !!example && !compatible(example.hook, o.dataset.hook)));
    const current = $("service").selectedOptions[0];
    if (example && (!current || current.disabled)) {
      const same = services.find((o) => o.dataset.hook === example.hook) || services.find((o) => !o.disabled);
      if (same) $("service").value = same.value;
    }
    const orders = $("order");
    orders.replaceChildren();
    if (example && example.orders.length) {
      const selections = (example.request.context && example.request.context.selections) || [];
      example.orders.forEach((o) => {
        const option = el("option", null, o.label);
        option.value = o.reference;
        orders.append(option);
      });
      const all = el("option", null, "All draft orders");
      all.value = "";
      orders.append(all);
      if (selections.length === 1) orders.value = selections[0];
    }
    onServiceChange();
  }

  function onServiceChange() {
    const example = currentExample();
    const orderHook = ORDER_HOOKS.includes(selectedHook());
    $("order-field").hidden = !(orderHook && example && example.orders.length);
    buildRequest();
  }

  function buildRequest() {
    const example = currentExample();
    if (!example) return;
    const hook = selectedHook();
    const request = JSON.parse(JSON.stringify(example.request));
    request.hook = hook;
    request.hookInstance = newUuid();
    if (ORDER_HOOKS.includes(hook) && request.context && request.context.draftOrders) {
      const chosen = $("order").value;
      if (hook === "order-select") {
        request.context.selections = chosen ? [chosen] : example.orders.map((o) => o.reference);
      } else {
        delete request.context.selections;
        if (chosen) {
          request.context.draftOrders.entry = (request.context.draftOrders.entry || []).filter(
            (e) => e.resource && `${e.resource.resourceType}/${e.resource.id}` === chosen
          );
        }
      }
    }
    $("request").value = JSON.stringify(request, null, 2);
  }

  async function fire() {
    const serviceId = $("service").value;
    const cards = $("cards");
    cards.replaceChildren();
    cards.dataset.state = "firing";
    setStatus("Firing " + serviceId + "…");
    $("response").textContent = "";
    let response;
    let text;
    try {
      response = await fetch("/cds-services/" + encodeURIComponent(serviceId), {
        method: "POST",
        headers: withToken({ "Content-Type": "application/json", Accept: "application/json" }),
        body: $("request").value,
      });
      text = await response.text();
    } catch (error) {
      setStatus("The service could not be reached: " + error);
      cards.dataset.state = "error";
      return;
    }
    $("response").textContent = `HTTP ${response.status}\n${pretty(text)}`;
    let data = null;
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = null;
    }
    if (!response.ok || !data || !Array.isArray(data.cards)) {
      const issue = data && Array.isArray(data.issue) && data.issue[0] ? data.issue[0].diagnostics : "";
      setStatus(`HTTP ${response.status}${issue ? ": " + issue : ""}`);
      cards.append(el("p", "error", `The service answered HTTP ${response.status}. See the response below.`));
      cards.dataset.state = "error";
      return;
    }
    setStatus(`HTTP ${response.status}: ${data.cards.length} card(s)`);
    if (!data.cards.length) cards.append(el("p", "empty", "No cards: the service has nothing to say here."));
    data.cards.forEach((card) => cards.append(renderCard(card, serviceId)));
    cards.dataset.state = "done";
  }

  async function sendFeedback(serviceId, item, article, done) {
    const body = JSON.stringify({ feedback: [item] });
    const path = `/cds-services/${encodeURIComponent(serviceId)}/feedback`;
    const outcome = article.querySelector(".outcome");
    article.querySelectorAll("button, select, input").forEach((c) => (c.disabled = true));
    let status = "network error";
    try {
      const response = await fetch(path, {
        method: "POST",
        headers: withToken({ "Content-Type": "application/json" }),
        body,
      });
      status = response.status;
    } catch (e) {
      status = "network error";
    }
    $("feedback").textContent += `POST ${path} -> ${status}\n${JSON.stringify(JSON.parse(body), null, 2)}\n\n`;
    if (status === 200) {
      outcome.textContent = done;
      article.classList.add(item.outcome);
      article.dataset.feedback = item.outcome;
    } else {
      outcome.textContent = `Feedback was not recorded (HTTP ${status}).`;
      article.querySelectorAll("button, select, input").forEach((c) => (c.disabled = false));
    }
  }

  // ---- a card -----------------------------------------------------------------------------------------------

  function renderCard(card, serviceId) {
    const indicator = INDICATORS.includes(card.indicator) ? card.indicator : "unknown";
    const article = el("article", `card card-${indicator}`);
    article.dataset.indicator = indicator;

    const head = el("header", "card-head");
    head.append(el("span", "indicator", indicator), el("h2", "summary", card.summary));
    article.append(head);

    if (card.detail) {
      const detail = el("div", "detail");
      detail.innerHTML = renderMarkdown(card.detail); // escaped first: see renderMarkdown
      article.append(detail);
    }

    if (card.source && card.source.label) {
      const source = el("p", "source", "Source: ");
      source.append(card.source.url ? link(card.source.label, card.source.url) : el("span", null, card.source.label));
      if (card.source.topic && card.source.topic.code) source.append(el("span", "topic", card.source.topic.code));
      article.append(source);
    }

    (card.links || []).forEach((l) => {
      const p = el("p", "link");
      p.append(l.type === "absolute" ? link(l.label, l.url) : el("span", null, `${l.label} (SMART app)`));
      article.append(p);
    });

    const canFeedback = typeof card.uuid === "string" && card.uuid.length > 0;
    if (card.suggestions && card.suggestions.length) {
      const box = el("div", "suggestions");
      card.suggestions.forEach((suggestion) => {
        const row = el("div", "suggestion");
        const button = el("button", "suggestion-button", suggestion.label);
        button.type = "button";
        if (suggestion.isRecommended) row.append(el("span", "recommended", "recommended"));
        button.disabled = !canFeedback || !suggestion.uuid;
        button.addEventListener("click", () =>
          sendFeedback(
            serviceId,
            {
              card: card.uuid,
              outcome: "accepted",
              acceptedSuggestions: [{ id: suggestion.uuid }],
              outcomeTimestamp: new Date().toISOString(),
            },
            article,
            `Accepted: ${suggestion.label}`
          )
        );
        row.prepend(button);
        const actions = el("ul", "actions");
        (suggestion.actions || []).forEach((action) => {
          const li = el("li", null, `${action.type}: ${action.description}`);
          if (action.resource) {
            const more = el("details");
            more.append(el("summary", null, `${action.resource.resourceType || "resource"}`));
            more.append(el("pre", null, JSON.stringify(action.resource, null, 2)));
            li.append(more);
          }
          actions.append(li);
        });
        row.append(actions);
        box.append(row);
      });
      article.append(box);
    }

    if (card.overrideReasons && card.overrideReasons.length) {
      const form = el("div", "override");
      const select = el("select", "override-reason");
      select.setAttribute("aria-label", "Override reason");
      card.overrideReasons.forEach((reason, index) => {
        const option = el("option", null, reason.display || reason.code);
        option.value = String(index);
        select.append(option);
      });
      const comment = el("input", "override-comment");
      comment.placeholder = "Comment (optional)";
      const button = el("button", "override-button", "Override");
      button.type = "button";
      button.disabled = !canFeedback;
      button.addEventListener("click", () => {
        const reason = card.overrideReasons[Number(select.value)];
        const overrideReason = { reason };
        if (comment.value.trim()) overrideReason.userComment = comment.value.trim();
        sendFeedback(
          serviceId,
          { card: card.uuid, outcome: "overridden", overrideReason, outcomeTimestamp: new Date().toISOString() },
          article,
          `Overridden: ${reason.display || reason.code}`
        );
      });
      form.append(select, comment, button);
      article.append(form);
    }

    article.append(el("p", "outcome"));
    return article;
  }

  // ---- start ------------------------------------------------------------------------------------------------

  async function start() {
    $("example").addEventListener("change", onExampleChange);
    $("service").addEventListener("change", onServiceChange);
    $("order").addEventListener("change", buildRequest);
    $("fire").addEventListener("click", fire);
    try {
      const response = await fetch("/preview/examples.json", { headers: { Accept: "application/json" } });
      examples = (await response.json()).examples || [];
    } catch (e) {
      examples = [];
      setStatus("The example list could not be loaded.");
    }
    onExampleChange();
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", start);
})();
