// Live media states on the edit page: poll while any form is queued or processing.
(function () {
  const panel = document.querySelector(".media-panel");
  if (!panel) return;
  const labels = { pending: "Chờ xử lý", queued: "Trong hàng đợi", processing: "Đang xử lý",
    ready: "Sẵn sàng", failed: "Lỗi", stale: "Cần làm lại", none: "Chưa có" };
  const busy = (s) => s === "queued" || s === "processing";
  async function refresh() {
    let data;
    try {
      const res = await fetch(panel.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (!res.ok) return schedule();
      data = await res.json();
    } catch (e) { return schedule(); }
    let anyBusy = false;
    for (const kind of ["audio", "video", "briefing"]) {
      const dd = panel.querySelector(`[data-kind="${kind}"]`);
      const form = data[kind];
      if (!dd || !form) continue;
      const state = dd.querySelector('[data-role="state"]');
      state.textContent = labels[form.status] || form.status;
      state.className = `state state--${form.status}`;
      const bar = dd.querySelector('[data-role="progress"]');
      bar.value = form.progress || 0;
      bar.hidden = !busy(form.status);
      dd.querySelector('[data-role="error"]').textContent = form.error || "";
      anyBusy = anyBusy || busy(form.status);
    }
    if (anyBusy) schedule();
    else if (panel.querySelector("[data-role=cancel]")) window.location.reload(); // show the result
  }
  function schedule() { setTimeout(refresh, 2000); }
  if (panel.querySelector(".state--queued, .state--processing")) schedule();
})();
