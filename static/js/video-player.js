// Adaptive video: hls.js (loaded only when the reader presses play) with a quality menu,
// the browser's own HLS where it has no MediaSource, and the MP4 everywhere else.
(function () {
  "use strict";
  // Also called by media-panel.js on a player it builds when a render finishes.
  function setUp(root) {
    const video = root.querySelector("video");
    const start = root.querySelector("[data-role=start]");
    const qualityBox = root.querySelector("[data-role=quality-box]");
    const quality = root.querySelector("[data-role=quality]");
    const master = root.dataset.hls;
    const mse = "MediaSource" in window || "ManagedMediaSource" in window;
    if (!master || !mse) {
      if (master && video.canPlayType("application/vnd.apple.mpegurl")) {
        video.querySelector("source").remove();
        video.src = master; // Safari on iPhone: native HLS
      }
      return; // otherwise the MP4 <source> plays as it is
    }
    // Take the MP4 away so nothing loads before the reader asks; our button starts HLS.
    const mp4 = video.querySelector("source");
    mp4.remove();
    video.load();
    start.hidden = false;

    function loadHlsLibrary() {
      if (window.Hls) return Promise.resolve(window.Hls);
      return new Promise((resolve, reject) => {
        const s = document.createElement("script");
        s.src = root.dataset.hlsLib;
        s.onload = () => resolve(window.Hls);
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }

    function fallbackToMp4() {
      video.appendChild(mp4);
      video.load();
      video.play().catch(() => {});
    }

    start.addEventListener("click", () => {
      start.hidden = true;
      loadHlsLibrary().then((Hls) => {
        if (!Hls || !Hls.isSupported()) return fallbackToMp4();
        const hls = new Hls({ capLevelToPlayerSize: true, startLevel: -1 });
        hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
          data.levels.forEach((level, i) => {
            const opt = document.createElement("option");
            opt.value = String(i);
            opt.textContent = `${Math.min(level.width, level.height)}p`;
            quality.appendChild(opt);
          });
          qualityBox.hidden = data.levels.length < 2;
          video.play().catch(() => {});
        });
        hls.on(Hls.Events.ERROR, (_e, data) => {
          if (data.fatal) { hls.destroy(); fallbackToMp4(); }
        });
        quality.addEventListener("change", () => { hls.currentLevel = Number(quality.value); });
        hls.loadSource(master);
        hls.attachMedia(video);
        root.hls = hls;
      }).catch(fallbackToMp4);
      video.focus();
    });
  }
  window.dnxVideoPlayer = setUp;
  document.querySelectorAll("[data-vplayer]").forEach(setUp);
})();
