// Narration player with read-along: the sentence being spoken is highlighted in the
// article, and clicking a sentence plays from there. Without JS the native <audio> stays.
// Once started, the player docks to the bottom of the screen when its place scrolls away
// (play/pause, time, speed stay at hand). Read-along scrolls the page only while the reader
// has not scrolled away themselves; then a "back to the sentence" button appears instead.
(function () {
  "use strict";
  const root = document.querySelector("[data-player]");
  if (!root) return;
  const audio = root.querySelector("audio");
  const $ = (sel) => root.querySelector(sel);
  const playBtn = $("[data-action=toggle]");
  const seek = $("[data-role=seek]");
  const time = $("[data-role=time]");
  const rate = $("[data-action=rate]");
  const follow = $("[data-action=readalong]");
  const back = $("[data-action=back]");
  const slot = root.parentElement;
  let detached = false;     // the reader scrolled away from the voice: do not pull them back
  let autoScrolling = false; // our own smooth scroll is moving the page (not the reader)
  let autoScrollUntil = 0;   // … at the latest until then
  let sentences = [];      // [{start, end, spans: [HTMLElement]}]
  let current = -1;
  let timingsLoaded = null;
  const labels = {
    play: root.dataset.labelPlay || "Phát bài đọc",
    pause: root.dataset.labelPause || "Tạm dừng",
    position: root.dataset.labelPosition || "{now} trên {total}",
  };

  audio.removeAttribute("controls");
  root.classList.add("player--enhanced");

  const clock = (s) => {
    if (!isFinite(s)) return "0:00";
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  };
  const duration = () => (isFinite(audio.duration) ? audio.duration : Number(root.dataset.duration) || 0);

  function render() {
    const playing = !audio.paused;
    playBtn.setAttribute("aria-pressed", String(playing));
    // Labels come from the page, in the reader's language.
    playBtn.setAttribute("aria-label", playing ? labels.pause : labels.play);
    playBtn.querySelector("[data-role=icon]").textContent = playing ? "❚❚" : "▶";
    seek.max = String(Math.round(duration()));
    seek.value = String(Math.round(audio.currentTime));
    seek.setAttribute("aria-valuetext", labels.position
      .replace("{now}", clock(audio.currentTime)).replace("{total}", clock(duration())));
    time.textContent = `${clock(audio.currentTime)} / ${clock(duration())}`;
  }

  playBtn.addEventListener("click", () => {
    if (audio.paused) { loadTimings(); audio.play(); } else { audio.pause(); }
  });
  root.querySelectorAll("[data-skip]").forEach((btn) => btn.addEventListener("click", () => {
    audio.currentTime = Math.min(duration(), Math.max(0, audio.currentTime + Number(btn.dataset.skip)));
    render();
  }));
  seek.addEventListener("input", () => { audio.currentTime = Number(seek.value); render(); });
  rate.addEventListener("change", () => { audio.playbackRate = Number(rate.value); });
  ["play", "pause", "timeupdate", "durationchange", "ended", "seeked"].forEach((ev) =>
    audio.addEventListener(ev, () => { render(); highlight(); dock(); }));
  back.addEventListener("click", () => { detached = false; back.hidden = true; highlight(true); });

  // --- docking: the compact player stays on screen once the narration has started --------
  let slotVisible = true;
  function started() { return !audio.paused || audio.currentTime > 0; }
  function dock() {
    const docked = !slotVisible && started() && !audio.ended;
    if (docked === root.classList.contains("player--docked")) return;
    // Keep the place the player leaves, so the page does not jump under the reader.
    slot.style.minHeight = docked ? `${slot.offsetHeight}px` : "";
    root.classList.toggle("player--docked", docked);
  }
  if ("IntersectionObserver" in window) {
    new IntersectionObserver((entries) => {
      slotVisible = entries[entries.length - 1].isIntersecting;
      dock();
    }).observe(slot);
  }

  // A scroll the reader makes (wheel, touch, keys, scrollbar) while the voice goes on: a
  // gesture takes over from our own scrolling; where the page ends up decides.
  const byReader = () => { autoScrolling = false; };
  ["wheel", "touchstart", "touchmove", "pointerdown"].forEach((ev) =>
    window.addEventListener(ev, byReader, { passive: true }));
  window.addEventListener("keydown", (event) => {
    if (["PageDown", "PageUp", "ArrowDown", "ArrowUp", "Home", "End", " "].includes(event.key)) byReader();
  });
  // Our own smooth scroll ends with "scrollend" (or, in older browsers, after a second).
  window.addEventListener("scrollend", () => { autoScrolling = false; });
  window.addEventListener("scroll", () => {
    if (autoScrolling && Date.now() > autoScrollUntil) autoScrolling = false;
    if (!autoScrolling) readerScrolled();
  }, { passive: true });
  function readerScrolled() {
    if (current < 0 || audio.paused) return;
    const away = !inView(sentences[current].spans[0]);
    if (away !== detached) { detached = away; back.hidden = !away; }
  }
  function inView(el) {
    const box = el.getBoundingClientRect();
    const bottom = window.innerHeight - (root.classList.contains("player--docked") ? root.offsetHeight : 0);
    return box.bottom > 0 && box.top < bottom;
  }
  follow.addEventListener("change", () => { if (follow.checked) loadTimings(); highlight(); });

  // --- read-along ---------------------------------------------------------------------
  function loadTimings() {
    if (timingsLoaded || !root.dataset.timings) return timingsLoaded;
    timingsLoaded = fetch(root.dataset.timings, { mode: "cors" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((data) => { sentences = mark(data.sentences || []); highlight(); })
      .catch(() => { sentences = []; });
    return timingsLoaded;
  }

  // Fold the readable text (title, lede, body) into one string whose every character
  // points back at a text node, so each sentence can be found in page order.
  function textMap() {
    const regions = document.querySelectorAll("[data-readalong]");
    let text = "";
    const map = [];
    let lastSpace = true;
    regions.forEach((region) => {
      const walker = document.createTreeWalker(region, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const value = node.nodeValue;
        for (let i = 0; i < value.length; i++) {
          const space = /\s/.test(value[i]);
          if (space && lastSpace) continue;
          text += space ? " " : value[i];
          map.push([node, i]);
          lastSpace = space;
        }
      }
      if (!lastSpace) { text += " "; map.push(null); lastSpace = true; }
    });
    return { text, map };
  }

  function mark(items) {
    const { text, map } = textMap();
    const found = [];
    let cursor = 0;
    for (const item of items) {
      const needle = String(item.text || "").replace(/\s+/g, " ").trim();
      if (!needle || !(item.end > item.start)) continue;
      const at = text.indexOf(needle, cursor);
      if (at < 0) continue;
      cursor = at + needle.length;
      found.push({ start: item.start, end: item.end, from: at, to: cursor, spans: [] });
    }
    // Wrap from the last sentence backwards: splitting a text node keeps its first part,
    // so positions of earlier sentences stay valid.
    for (let k = found.length - 1; k >= 0; k--) {
      const s = found[k];
      const pieces = [];
      for (let i = s.from; i < s.to; i++) {
        const ref = map[i];
        if (!ref) continue;
        const last = pieces[pieces.length - 1];
        if (last && last.node === ref[0] && last.end === ref[1]) last.end = ref[1] + 1;
        else pieces.push({ node: ref[0], start: ref[1], end: ref[1] + 1 });
      }
      for (let p = pieces.length - 1; p >= 0; p--) {
        const { node, start, end } = pieces[p];
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, end);
        const span = document.createElement("span");
        span.className = "ra";
        span.dataset.start = String(s.start);
        range.surroundContents(span);
        s.spans.unshift(span);
      }
    }
    document.querySelectorAll("[data-readalong]").forEach((region) =>
      region.addEventListener("click", (event) => {
        const span = event.target.closest && event.target.closest(".ra");
        if (!span || !follow.checked) return;
        audio.currentTime = Number(span.dataset.start);
        audio.play();
      }));
    return found;
  }

  function highlight(force) {
    let index = -1;
    if (follow.checked && sentences.length && (!audio.paused || audio.currentTime > 0)) {
      const t = audio.currentTime;
      let lo = 0, hi = sentences.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (sentences[mid].start <= t) { index = mid; lo = mid + 1; } else { hi = mid - 1; }
      }
      if (index >= 0 && t > sentences[index].end + 1.0) index = -1;
    }
    if (index === current && !force) return;
    if (current >= 0) sentences[current].spans.forEach((el) => el.classList.remove("ra--now"));
    current = index;
    if (current < 0) return;
    const spans = sentences[current].spans;
    spans.forEach((el) => el.classList.add("ra--now"));
    if (detached) return; // the reader is elsewhere: the button brings them back
    if ((force || !audio.paused) && !inView(spans[0])) {
      autoScrolling = true;
      autoScrollUntil = Date.now() + 1500;
      spans[0].scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }

  document.body.classList.add("has-readalong");
  render();
})();
