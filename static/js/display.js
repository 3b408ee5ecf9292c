// Font size and high contrast, kept per reader in localStorage (WCAG 1.4.4, 1.4.3); and the
// page's small behaviours that would otherwise be inline handlers, which the
// Content-Security-Policy refuses: "Are you sure?" before a destructive form (data-confirm on
// the form or its button) and the print button (data-action=print). Also, on every page, one
// player at a time: starting any audio or video pauses every other one.
(function () {
  "use strict";
  const root = document.documentElement;
  const load = () => { try { return JSON.parse(localStorage.getItem("dnx-display") || "{}"); } catch (e) { return {}; } };
  const save = (p) => { try { localStorage.setItem("dnx-display", JSON.stringify(p)); } catch (e) {} };
  const contrast = document.querySelectorAll("[data-display=contrast]");
  const sync = () => contrast.forEach((btn) => btn.setAttribute("aria-pressed", String(root.classList.contains("contrast-high"))));
  document.querySelectorAll("[data-display]").forEach((btn) => btn.addEventListener("click", () => {
    const p = load();
    if (btn.dataset.display === "contrast") {
      p.contrast = !p.contrast;
      root.classList.toggle("contrast-high", p.contrast);
    } else {
      const size = Math.min(150, Math.max(90, (p.size || 100) + (btn.dataset.display === "larger" ? 10 : -10)));
      p.size = size;
      root.style.setProperty("--zoom", size / 100);
    }
    save(p);
    sync();
  }));
  sync();
  document.addEventListener("submit", (event) => {
    const asking = (event.submitter && event.submitter.dataset.confirm) || event.target.dataset.confirm;
    if (asking && !window.confirm(asking)) event.preventDefault();
  });
  document.querySelectorAll("[data-action=print]").forEach((btn) =>
    btn.addEventListener("click", () => window.print()));
  // Media events do not bubble: listen in the capture phase (players added later count too).
  document.addEventListener("play", (event) => {
    document.querySelectorAll("audio, video").forEach((media) => {
      if (media !== event.target && !media.paused) media.pause();
    });
  }, true);
})();
