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
        status.textContent = copied ? "Link copied." : "Press Ctrl+C to copy the selected link.";
      }
    });
  });
});
