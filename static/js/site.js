// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("case-filters");
  if (!form) return;
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
