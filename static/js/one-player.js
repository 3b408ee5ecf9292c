// One player at a time, on every page: starting any audio or video pauses every other one
// (media events do not bubble, so listen in the capture phase).
(function () {
  "use strict";
  document.addEventListener("play", (event) => {
    document.querySelectorAll("audio, video").forEach((media) => {
      if (media !== event.target && !media.paused) media.pause();
    });
  }, true);
})();
