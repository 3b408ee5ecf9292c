// The media panel on the edit page (templates/editor/_media_panel.html): polls the JSON route
// while a form is queued or processing and updates states, progress, errors, facts, players and
// buttons in place, so an editor's unsaved text is never lost to a reload. The buttons post
// with fetch and get the same JSON back; without JavaScript they are plain forms.
(function () {
  "use strict";
  const panel = document.querySelector(".media-panel");
  if (!panel || !panel.dataset.statusUrl) return;
  const KINDS = ["audio", "video", "briefing"];
  const FAST = 2000;
  const SLOWEST = 30000;
  let delay = FAST;
  let timer = null;

  const role = (root, name) => root.querySelector(`[data-role="${name}"]`);
  function show(el, visible) { if (el) el.hidden = !visible; }
  function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }

  function message(text, ok) {
    const box = role(panel, "message");
    if (!box) return;
    box.textContent = text || "";
    box.className = `media-panel__message flash${ok === false ? " flash--error" : ""}`;
    box.hidden = !text;
  }

  function renderRead(read) {
    if (!read) return;
    const state = role(panel, "read-state");
    setText(state, read.label);
    state.className = `state state--${read.css}`;
    show(role(panel, "scheduled"), !!read.scheduled_at);
    setText(role(panel, "scheduled-at"), read.scheduled_at || "");
    show(role(panel, "published"), !!read.published_at);
    setText(role(panel, "published-at"), read.published_at || "");
  }

  // A render finished (or was replaced): put a fresh player in — for video the same markup as
  // the page's own players, made adaptive (HLS) by video-player.js.
  function renderPlayer(section, kind, preview) {
    const box = role(section, "player");
    if (!box) return;
    const version = preview ? preview.version : "";
    if (box.dataset.version === version) return;
    box.dataset.version = version;
    box.replaceChildren();
    if (!preview) return;
    const media = document.createElement(kind === "audio" ? "audio" : "video");
    media.controls = true;
    media.preload = "none";
    if (kind === "audio") {
      media.src = preview.mp3;
      media.setAttribute("aria-label", panel.dataset.labelAudio || "");
      box.appendChild(media);
      return;
    }
    if (preview.poster) media.poster = preview.poster;
    media.setAttribute("playsinline", "");
    media.setAttribute("crossorigin", "anonymous");
    media.setAttribute("aria-label", panel.dataset.labelVideo || "");
    const source = document.createElement("source");
    source.src = preview.mp4;
    source.type = "video/mp4";
    media.appendChild(source);
    const root = document.createElement("div");
    root.className = "vplayer";
    root.dataset.vplayer = "";
    root.dataset.hls = preview.hls || "";
    root.dataset.hlsLib = panel.dataset.hlsLib || "";
    const start = document.createElement("button");
    start.type = "button";
    start.className = "vplayer__start";
    start.dataset.role = "start";
    start.hidden = true;
    start.setAttribute("aria-label", panel.dataset.labelVideo || "");
    start.innerHTML = '<span aria-hidden="true">▶</span>';
    const qualityBox = document.createElement("label");
    qualityBox.className = "vplayer__quality";
    qualityBox.dataset.role = "quality-box";
    qualityBox.hidden = true;
    qualityBox.append(panel.dataset.labelQuality || "");
    const quality = document.createElement("select");
    quality.dataset.role = "quality";
    quality.add(new Option(panel.dataset.labelAuto || "Auto", "-1"));
    qualityBox.appendChild(quality);
    root.append(media, start, qualityBox);
    box.appendChild(root);
    if (window.dnxVideoPlayer) window.dnxVideoPlayer(root);
  }

  function renderForm(kind, form) {
    const section = panel.querySelector(`[data-kind="${kind}"]`);
    if (!section || !form) return;
    if (kind === "briefing") show(section, form.status !== "none");
    const state = role(section, "state");
    setText(state, form.label);
    state.className = `state state--${form.status}`;
    const bar = role(section, "progress");
    show(bar, form.busy);
    if (form.status === "processing") bar.value = form.progress || 0;
    else bar.removeAttribute("value"); // queued: indeterminate
    show(role(section, "percent"), form.status === "processing");
    setText(role(section, "percent"), `${form.progress || 0}%`);
    const error = role(section, "error");
    setText(error, form.error || "");
    show(error, !!form.error);
    show(role(section, "engine"), !!form.engine_label);
    setText(role(section, "engine"), form.engine_label || "");
    show(role(section, "duration"), !!form.duration_label);
    setText(role(section, "duration-value"), form.duration_label || "");
    show(role(section, "renditions"), form.renditions.length > 0);
    setText(role(section, "renditions-value"), form.renditions.join(" · "));
    renderPlayer(section, kind, form.preview);
    const retry = role(section, "retry");
    show(retry, !!form.retry_url);
    if (form.retry_url) retry.action = form.retry_url;
    setText(role(retry, "retry-label"), form.retry_label);
    const cancel = role(section, "cancel");
    show(cancel, !!form.cancel_url);
    if (form.cancel_url) cancel.action = form.cancel_url;
    if (kind === "audio") show(role(section, "preview-narration"), !!form.preview_narration_url);
  }

  function render(data) {
    renderRead(data.read);
    KINDS.forEach((kind) => renderForm(kind, data[kind]));
    if (data.busy) schedule(true);
  }

  async function refresh() {
    timer = null;
    let res;
    try {
      res = await fetch(panel.dataset.statusUrl, { headers: { Accept: "application/json" },
        credentials: "same-origin" });
    } catch (e) {
      return schedule(false); // offline for a moment: try again, less often
    }
    if (res.status >= 400 && res.status < 500) return; // logged out or no longer allowed
    if (!res.ok) return schedule(false);
    delay = FAST;
    render(await res.json());
  }

  function schedule(fresh) {
    if (timer) return;
    delay = fresh ? FAST : Math.min(delay * 2, SLOWEST);
    timer = setTimeout(refresh, delay);
  }

  // Retry / regenerate / cancel / preview narration without leaving the page.
  panel.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!["retry", "cancel", "preview-narration"].includes(form.dataset.role)) return;
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      const res = await fetch(form.action, { method: "POST", body: new FormData(form),
        headers: { Accept: "application/json" }, credentials: "same-origin" });
      const type = res.headers.get("Content-Type") || "";
      if (!type.includes("application/json")) throw new Error(String(res.status));
      const data = await res.json();
      message(data.message, data.ok);
      render(data);
    } catch (e) {
      message(panel.dataset.labelFailed, false);
    } finally {
      button.disabled = false;
    }
  });

  if (panel.querySelector("[data-kind] .state--queued, [data-kind] .state--processing")) {
    schedule(true);
  }
})();
