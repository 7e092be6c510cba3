/* Draws the impact charts with Chart.js (served from npm as a static file). Each <canvas data-impact-chart="id">
   reads its data from the JSON element with that id (Django's json_script): no inline script, CSP-safe.
   Every chart has a text alternative and its table on the page; without JavaScript the tables remain. */
(function () {
  "use strict";

  function draw() {
    if (typeof window.Chart === "undefined") {
      return;
    }
    document.querySelectorAll("canvas[data-impact-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-impact-chart"));
      if (!source) {
        return;
      }
      var spec = JSON.parse(source.textContent);
      new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: spec.datasets.length > 1 } },
          scales: { y: { beginAtZero: true } }
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
