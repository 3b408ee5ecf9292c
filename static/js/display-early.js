// The reader's display preferences (text size, high contrast), applied before the first paint.
// A file, not an inline script: the Content-Security-Policy allows scripts from /static only.
// "js": the compact phone masthead (its buttons work only with static/js/masthead.js).
document.documentElement.classList.add("js");
try {
  const p = JSON.parse(localStorage.getItem("dnx-display") || "{}");
  if (p.size) document.documentElement.style.setProperty("--zoom", p.size / 100);
  if (p.contrast) document.documentElement.classList.add("contrast-high");
} catch (e) { /* no storage: the defaults */ }
