/* The course page's charts (Chart.js, vendored in static/vendor): vital signs and the ICE score
   over days since infusion, with each reading's CRS or ICANS grade as a labelled band and the
   marked treatments as dashed lines. The same values are in the table view and the summary. */
(function () {
  "use strict";

  var GRADE_COLOURS = ["rgba(31,122,77,0.13)", "rgba(230,190,0,0.22)", "rgba(214,120,0,0.25)", "rgba(180,35,24,0.28)", "rgba(110,10,10,0.38)"];

  // Bands: one shaded strip per reading, from it to the next, with its grade written in it.
  function bandsPlugin(points, gradeKey) {
    return {
      id: "gradeBands",
      beforeDatasetsDraw: function (chart) {
        var area = chart.chartArea, x = chart.scales.x, ctx = chart.ctx;
        if (!points.length) return;
        ctx.save();
        ctx.font = "11px system-ui, sans-serif";
        ctx.textBaseline = "top";
        var lastLabelEnd = -Infinity;
        for (var i = 0; i < points.length; i++) {
          var grade = points[i][gradeKey];
          if (grade === null || grade === undefined) continue;
          var start = Math.max(x.getPixelForValue(points[i].day), area.left);
          var next = i + 1 < points.length ? points[i + 1].day : points[i].day + 0.17;
          var end = Math.min(x.getPixelForValue(next), area.right);
          if (end <= start) continue;
          ctx.fillStyle = GRADE_COLOURS[Math.min(grade, 4)];
          ctx.fillRect(start, area.top, end - start, area.bottom - area.top);
          var changed = i === 0 || points[i - 1][gradeKey] !== grade;
          // A grade above 0 is always labelled; grade 0 only where there is room.
          if (changed && (grade > 0 || start > lastLabelEnd)) {
            ctx.fillStyle = "#1d2433";
            ctx.fillText("G" + grade, start + 2, area.top + 2);
            lastLabelEnd = start + 20;
          }
        }
        ctx.restore();
      }
    };
  }

  function marksPlugin(marks) {
    return {
      id: "treatmentMarks",
      afterDatasetsDraw: function (chart) {
        var area = chart.chartArea, x = chart.scales.x, ctx = chart.ctx;
        ctx.save();
        ctx.strokeStyle = "#2352a0";
        ctx.fillStyle = "#2352a0";
        ctx.setLineDash([4, 3]);
        ctx.font = "11px system-ui, sans-serif";
        ctx.textBaseline = "bottom";
        marks.forEach(function (mark, index) {
          var px = x.getPixelForValue(mark.day);
          if (px < area.left || px > area.right) return;
          ctx.beginPath();
          ctx.moveTo(px, area.top + 14);
          ctx.lineTo(px, area.bottom);
          ctx.stroke();
          ctx.fillText(mark.label, Math.min(px + 3, area.right - 60), area.bottom - 2 - (index % 3) * 12);
        });
        ctx.restore();
      }
    };
  }

  var SERIES = {
    temperature: { source: "vitals", grade: "crs", min: 35, max: 41, colour: "#b42318" },
    heart_rate: { source: "vitals", grade: "crs", colour: "#9a5b00" },
    systolic: { source: "vitals", grade: "crs", colour: "#14213d" },
    spo2: { source: "vitals", grade: "crs", max: 100, colour: "#2352a0" },
    ice: { source: "neuro", grade: "icans", min: 0, max: 10, colour: "#5b2a86" }
  };

  window.trackerCharts = function () {
    var holder = document.getElementById("chart-data");
    if (!holder || !window.Chart) return;
    var data = JSON.parse(holder.textContent);
    var lastDay = 0;
    data.vitals.concat(data.neuro).forEach(function (p) { lastDay = Math.max(lastDay, p.day); });
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var key = canvas.getAttribute("data-chart"), spec = SERIES[key];
      if (!spec) return;
      var points = data[spec.source];
      var values = points.filter(function (p) { return p[key] !== null && p[key] !== undefined; })
        .map(function (p) { return { x: p.day, y: p[key] }; });
      new window.Chart(canvas, {
        type: "line",
        data: { datasets: [{ label: canvas.getAttribute("aria-label"), data: values, borderColor: spec.colour, backgroundColor: spec.colour, pointRadius: 2.5, borderWidth: 1.6, tension: 0 }] },
        options: {
          animation: false,
          maintainAspectRatio: false,
          parsing: false,
          plugins: { legend: { display: false }, tooltip: { callbacks: { title: function (items) { return "Day +" + items[0].parsed.x.toFixed(1); } } } },
          scales: {
            x: { type: "linear", min: 0, max: Math.max(1, Math.ceil(lastDay)), title: { display: true, text: "Days since infusion" }, ticks: { stepSize: 1 } },
            y: { suggestedMin: spec.min, suggestedMax: spec.max }
          }
        },
        plugins: [bandsPlugin(points, spec.grade), marksPlugin(data.marks)]
      });
    });
  };
})();
