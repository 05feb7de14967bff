// The inspector's live count: polls the page's own JSON endpoint and shows how many exchanges
// arrived since this page was rendered. No other script runs on the page.
(function () {
  var count = document.getElementById("inspector-count");
  if (!count) {
    return;
  }
  var shown = Number(count.getAttribute("data-shown"));
  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", "/inspector/count.json");
    xhr.onload = function () {
      if (xhr.status !== 200) {
        return;
      }
      var c = JSON.parse(xhr.responseText);
      var fresh = Math.max(0, c.seen - shown);
      count.textContent =
        (c.running ? "recording" : "stopped") + ", " + c.seen + " seen, " + fresh + " new";
      count.className = fresh > 0 ? "fresh" : "";
    };
    xhr.send();
  }
  poll();
  setInterval(poll, 2000);
})();
