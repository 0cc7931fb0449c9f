// Live SLA countdowns: every element with data-due shows the time left (or overdue), once a second.
(function () {
  function fmt(minutes) {
    var late = minutes < 0, m = Math.abs(Math.floor(minutes));
    var d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
    var text = d ? d + " d " + h + " h" : (h ? h + " h " + String(mm).padStart(2, "0") + " m" : mm + " m");
    return late ? "overdue " + text : text;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (!isNaN(due)) { el.textContent = fmt((due - now) / 60000); }
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();
