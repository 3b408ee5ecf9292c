// The phone masthead's two buttons: search opens the search field in the header (focused),
// the menu opens the panel with the sections and the display tools. Without this file the
// search button is a link to the search page and the sections stay a scrolling strip
// (the "js" class on <html>, set by display-early.js, is what turns the compact layout on).
(function () {
  "use strict";
  const header = document.querySelector(".masthead");
  if (!header) return;
  const toggles = header.querySelectorAll("[data-masthead-toggle]");
  const close = (except) => toggles.forEach((other) => {
    if (other === except) return;
    other.setAttribute("aria-expanded", "false");
    const target = document.getElementById(other.dataset.mastheadToggle);
    if (target) target.classList.remove("is-open");
  });
  toggles.forEach((button) => {
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", (event) => {
      const target = document.getElementById(button.dataset.mastheadToggle);
      if (!target) return;
      event.preventDefault();  // the search link: open the field here instead
      close(button);
      const open = !target.classList.contains("is-open");
      target.classList.toggle("is-open", open);
      button.setAttribute("aria-expanded", String(open));
      const field = open && target.querySelector("input");
      if (field) field.focus();
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const opened = header.querySelector("[data-masthead-toggle][aria-expanded=true]");
    if (!opened) return;
    close(null);
    opened.focus();
  });
})();
