// Progressive enhancement only: every page works without this file.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("case-filters");
  if (form) liveFilters(form);
});

// Accent- and case-blind text, for the type-to-filter boxes of long facets.
const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().trim();

// The filters of /cases/ update the results in place: the same URL is fetched (the server's
// cached page), its live regions replace ours, and focus stays on the control just used.
function liveFilters(form) {
  const query = form.querySelector("input[name=q]");
  const status = document.getElementById("results-status");
  const panel = document.getElementById("filters-panel");
  const wide = window.matchMedia("(min-width: 48.01rem)");
  let inFlight = null;
  let replacing = false;
  const shownUrl = () => location.origin + location.pathname + location.search;
  let displayed = shownUrl();

  function formUrl() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (String(value).trim()) params.append(name, value);
    }
    // The first order offered is the default one: it needs no parameter.
    const sort = form.elements.namedItem("sort");
    if (sort && sort.selectedIndex === 0) params.delete("sort");
    const search = params.toString();
    return new URL(form.getAttribute("action"), location.href).href + (search ? `?${search}` : "");
  }

  function apply() {
    const url = formUrl();
    // Words typed but not searched for yet: a new search is a new page.
    if (query && query.value.trim() !== query.defaultValue.trim()) {
      location.assign(url);
    } else if (url !== displayed) {
      show(url, true);
    } else if (inFlight) {
      // Undone before the answer came (ticked, then unticked): what is shown is right.
      inFlight.abort();
      inFlight = null;
    }
  }

  async function show(url, push) {
    if (inFlight) inFlight.abort();
    const request = (inFlight = new AbortController());
    let html;
    try {
      const response = await fetch(url, { signal: request.signal, credentials: "same-origin" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      html = await response.text();
    } catch (error) {
      if (error.name !== "AbortError") location.assign(url);
      return;
    }
    if (request !== inFlight) return;
    inFlight = null;
    displayed = url;
    replace(new DOMParser().parseFromString(html, "text/html"));
    if (push) history.pushState(null, "", url);
  }

  function replace(fresh) {
    const focused = focusKey(document.activeElement);
    replacing = true;
    for (const region of document.querySelectorAll("[data-live]")) {
      const twin = fresh.getElementById(region.id);
      if (!twin) continue;
      carryState(region, twin);
      region.replaceWith(document.adoptNode(twin));
    }
    replacing = false;
    document.title = fresh.title;
    enhance();
    refocus(focused);
    status.textContent = document.getElementById("results-heading").textContent;
  }

  // Arrow keys only choose an order (WCAG 3.2.2): it applies on Enter, on leaving the list,
  // or with its Sort button. A ticked filter applies at once and keeps focus.
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type=checkbox]")) apply();
  });
  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key !== "Enter") return;
    if (target.matches("select[name=sort]")) {
      event.preventDefault();
      apply();
    } else if (target.matches("[data-find]")) {
      event.preventDefault(); // a filter box narrows a list; it submits nothing
    }
  });
  form.addEventListener("focusout", (event) => {
    const select = event.target;
    if (replacing || !select.matches("select[name=sort]")) return;
    const applied = [...select.options].find((option) => option.defaultSelected);
    if (select.value !== (applied || select.options[0]).value) apply();
  });
  form.addEventListener("input", (event) => {
    if (event.target.matches("[data-find]")) narrow(event.target);
  });

  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button && button.closest("[role=search]")) {
      // Shared URLs stay tidy: an empty search box is left out of the query.
      if (query && !query.value.trim()) query.disabled = true;
      return;
    }
    event.preventDefault();
    apply();
    if (button && button.id === "apply-filters" && panel.matches(":popover-open")) {
      panel.hidePopover();
      document.getElementById("results").focus();
    }
  });
  // Coming back through the history restores the page as it was left: enable the box again.
  window.addEventListener("pageshow", () => {
    if (query) query.disabled = false;
  });
  window.addEventListener("popstate", () => {
    if (shownUrl() !== displayed) show(shownUrl(), false);
  });
  // The sheet is for narrow screens; on a wide one the panel sits beside the results.
  wide.addEventListener("change", () => {
    if (wide.matches && panel.matches(":popover-open")) panel.hidePopover();
  });
  enhance();
}

// What identifies the focused control in a fresh copy of the page: its id, or name and value;
// else the live region it was in.
function focusKey(element) {
  if (!element || element === document.body) return null;
  const region = element.closest("[data-live]");
  return {
    id: element.id,
    name: element.getAttribute("name"),
    value: element.value,
    region: region && region.id,
  };
}

function refocus(key) {
  if (!key || document.activeElement !== document.body) return;
  let element = key.id && document.getElementById(key.id);
  if (!element && key.name) {
    const selector = `[name="${CSS.escape(key.name)}"][value="${CSS.escape(key.value)}"]`;
    element = document.querySelector(selector);
  }
  if (!element && key.region === "results") element = document.getElementById("results");
  if (!element) return;
  // The option just unticked may have no match left; it stays usable while focused.
  if (element.disabled && element.type === "checkbox") element.disabled = false;
  element.focus();
}

// Keep what the visitor opened and typed in the facets across a replacement.
function carryState(old, fresh) {
  for (const more of old.querySelectorAll("details[id]")) {
    const twin = fresh.querySelector(`#${CSS.escape(more.id)}`);
    if (twin && more.open) twin.open = true;
  }
  for (const box of old.querySelectorAll("[data-find]")) {
    const twin = fresh.querySelector(`#${CSS.escape(box.id)}`);
    if (twin) twin.value = box.value;
  }
}

// Long facets get their type-to-filter box (without this script they list every option).
function enhance() {
  for (const box of document.querySelectorAll("[data-find]")) {
    box.hidden = false;
    if (box.value) narrow(box);
  }
}

function narrow(box) {
  const words = fold(box.value);
  const group = box.closest("fieldset");
  const more = group.querySelector("details");
  if (words && more) more.open = true;
  for (const item of group.querySelectorAll("li")) {
    const label = item.querySelector("label");
    item.hidden = Boolean(label) && !fold(label.firstChild.textContent).includes(words);
  }
}

// A shared or cached page keeps the day it was made: a citation's accessed date is today.
document.addEventListener("DOMContentLoaded", () => {
  const today = new Date();
  const iso = [today.getFullYear(), today.getMonth() + 1, today.getDate()]
    .map((part) => String(part).padStart(2, "0"))
    .join("-");
  const lang = document.documentElement.lang === "en" ? "en-GB" : document.documentElement.lang;
  const words = today.toLocaleDateString(lang, { day: "numeric", month: "long", year: "numeric" });
  document.querySelectorAll("time[data-accessed]").forEach((time) => {
    time.dateTime = iso;
    time.textContent = words;
  });
});

// A "Copy" button beside a read-only field (the permalink); without JS the field stays
// selectable, so the button shows only when this runs.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    const field = document.getElementById(button.dataset.copy);
    const status = button.parentElement.parentElement.querySelector("[role=status]");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      field.select();
      let copied = false;
      try {
        await navigator.clipboard.writeText(field.value);
        copied = true;
      } catch {
        copied = document.execCommand("copy");
      }
      if (status) {
        // The page's language: the messages come translated in the button's data.
        status.textContent = copied ? button.dataset.copied : button.dataset.copyHint;
      }
    });
  });
});
