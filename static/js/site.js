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
