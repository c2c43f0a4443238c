// Live board: when a score of this benchmark changes, fetch this same page and swap the board in place.
// Without JavaScript the page is complete; this only saves a reload.
(function () {
  var status = document.getElementById("live-status");
  if (!status || status.dataset.live !== "on" || !window.EventSource) return;
  var source = new EventSource("/api/events/stream?benchmark=" + encodeURIComponent(status.dataset.benchmark));
  var pending = false;
  source.addEventListener("score-changed", function () {
    if (pending) return;
    pending = true;
    setTimeout(function () {
      fetch(location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("board");
        var board = document.getElementById("board");
        if (next && board) { board.replaceWith(next); if (window.communityEvalsSortable) window.communityEvalsSortable(next); status.setAttribute("data-updated", new Date().toISOString()); }
      }).finally(function () { pending = false; });
    }, 150);
  });
})();
