// Posting without a reload: a form that writes is sent with fetch, and the page it answers with (after
// the server's redirect, or with the error shown beside the control) replaces the header and the main
// content in place; the address follows. Without JavaScript the same forms post and redirect as usual.
(function () {
  if (!window.fetch || !window.DOMParser) return;
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || (form.method || "").toLowerCase() !== "post" || form.hasAttribute("data-reload")) return;
    event.preventDefault();
    var button = event.submitter;
    var body = new FormData(form);
    if (button && button.name) body.append(button.name, button.value);
    if (button) button.disabled = true;
    fetch(form.action || location.href, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        return response.text().then(function (html) { return { url: response.url, html: html }; });
      })
      .then(function (answer) {
        var next = new DOMParser().parseFromString(answer.html, "text/html");
        ["header.site", "main"].forEach(function (selector) {
          var now = document.querySelector(selector), then = next.querySelector(selector);
          if (now && then) now.replaceWith(then);
        });
        document.title = next.title;
        if (answer.url && answer.url !== location.href) history.pushState(null, "", answer.url);
        if (window.communityEvalsSortable) window.communityEvalsSortable(document);
        var alert = document.querySelector("main [role=alert], main [role=status]");
        (alert || document.querySelector("main h1") || document.body).setAttribute("tabindex", "-1");
        (alert || document.querySelector("main h1") || document.body).focus();
      })
      .catch(function () { form.submit(); })
      .finally(function () { if (button) button.disabled = false; });
  });
})();
