// Live regions: fetch this same page again and swap one region in place, when a score of the
// benchmark changes (SSE, data-benchmark) or every few seconds (data-poll, the feed, which shows
// events the score stream does not carry). Without JavaScript the page is complete; this only saves a reload.
(function () {
  var status = document.getElementById("live-status");
  if (!status || status.dataset.live !== "on") return;
  var regionId = status.dataset.region || "board";
  var pending = false;
  function refresh() {
    if (pending) return;
    pending = true;
    fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      var next = new DOMParser().parseFromString(html, "text/html").getElementById(regionId);
      var region = document.getElementById(regionId);
      if (next && region && next.innerHTML !== region.innerHTML) {
        region.replaceWith(next);
        if (window.communityEvalsSortable) window.communityEvalsSortable(next);
        status.setAttribute("data-updated", new Date().toISOString());
      }
    }).catch(function () {}).finally(function () { pending = false; });
  }
  if (status.dataset.poll) {
    setInterval(refresh, Math.max(2, Number(status.dataset.poll)) * 1000);
    return;
  }
  if (!window.EventSource) return;
  var source = new EventSource("/api/events/stream?benchmark=" + encodeURIComponent(status.dataset.benchmark));
  source.addEventListener("score-changed", function () { setTimeout(refresh, 150); });
})();
