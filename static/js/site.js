// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("case-filters");
  if (!form) return;
  // Shared URLs stay tidy: an empty search box is left out of the query.
  const query = form.querySelector("input[name=q]");
  form.addEventListener("submit", () => {
    if (query && !query.value.trim()) query.disabled = true;
  });
  // Coming back through the history restores the page as it was left: enable the box again.
  window.addEventListener("pageshow", () => {
    if (query) query.disabled = false;
  });
  // Apply a filter or a sort as soon as it changes.
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type=checkbox], select")) {
      form.requestSubmit();
    }
  });
  // On narrow screens, start with the filter panel folded so results come first.
  const panel = form.querySelector("details.filters");
  if (panel && window.matchMedia("(max-width: 48rem)").matches) {
    panel.open = false;
  }
});

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
