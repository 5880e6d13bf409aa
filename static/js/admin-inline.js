// The organizations of a case in the admin: a new row's position follows the rows above it,
// and a contact of another organization is flagged as soon as it is chosen (the save refuses
// it on the same row too).
"use strict";
{
  const PREFIX = "caseorganization_set";
  const MISMATCH = "This contact belongs to another organization.";

  document.addEventListener("formset:added", (event) => {
    if (event.detail.formsetName !== PREFIX) return;
    const position = event.target.querySelector("input[name$='-position']");
    const taken = [...document.querySelectorAll(`input[name^='${PREFIX}-'][name$='-position']`)]
      .filter((input) => input !== position && !input.name.includes("__prefix__"))
      .map((input) => parseInt(input.value, 10))
      .filter((n) => !Number.isNaN(n));
    position.value = taken.length ? Math.max(...taken) + 1 : 0;
  });

  function check(row) {
    const contact = row.querySelector("select[name$='-contact']");
    const organization = row.querySelector("select[name$='-organization']");
    const cell = contact.closest("td");
    cell.querySelector(".contact-mismatch")?.remove();
    const owner = contact.dataset.organization;
    if (contact.value && owner && organization.value && owner !== organization.value) {
      const errors = document.createElement("ul");
      errors.className = "errorlist contact-mismatch";
      errors.setAttribute("role", "alert");
      errors.innerHTML = "<li></li>";
      errors.firstChild.textContent = MISMATCH;
      cell.prepend(errors);
    }
  }

  const $ = django.jQuery;
  $(document).on("select2:select select2:clear", `select[name^='${PREFIX}-']`, (event) => {
    const select = event.target;
    if (select.name.endsWith("-contact")) {
      select.dataset.organization = event.params?.data?.organization || "";
    }
    check(select.closest("tr"));
  });
}
