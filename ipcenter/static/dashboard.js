// Draws each dashboard chart from the table beside it: the chart and the table are one set of numbers.
// <canvas data-table="ID" data-chart="bar|line" data-columns="1,2">: labels from each body row's <th>,
// one dataset per listed column (its header's text), values from the cells' data-value; data-max caps the value
// axis where the figure has a top (a score out of 5).
(function () {
  "use strict";
  var colours = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1"];
  document.querySelectorAll("canvas[data-table]").forEach(function (canvas) {
    var table = document.getElementById(canvas.dataset.table);
    if (!table || typeof Chart === "undefined") { return; }
    // The body's rows of figures (each headed by a <th>); a table saying it has none gets no chart.
    var rows = Array.prototype.slice.call(table.tBodies[0].rows).filter(function (row) {
      return row.cells[0].tagName === "TH";
    });
    if (!rows.length) { canvas.parentElement.hidden = true; return; }
    if (canvas.dataset.horizontal) {  // a bar and its label per row, however many rows
      canvas.parentElement.style.height = Math.max(250, rows.length * 22 + 60) + "px";
    }
    var headers = table.tHead.rows[0].cells;
    var datasets = canvas.dataset.columns.split(",").map(function (column, index) {
      column = parseInt(column, 10);
      return {
        label: headers[column].textContent.trim(),
        data: rows.map(function (row) { return parseFloat(row.cells[column].dataset.value || "0"); }),
        backgroundColor: colours[index % colours.length],
        borderColor: colours[index % colours.length],
        fill: false
      };
    });
    var labels = rows.map(function (row) { return row.cells[0].textContent.trim(); });
    var valueAxis = canvas.dataset.horizontal ? "x" : "y", labelAxis = canvas.dataset.horizontal ? "y" : "x";
    var scales = {};
    // Counts are whole numbers; a label too long for the axis is shortened (the table beside has it whole).
    scales[valueAxis] = {beginAtZero: true, max: canvas.dataset.max ? parseFloat(canvas.dataset.max) : undefined,
                         ticks: {precision: 0}};
    var shortLabels = shortened(labels);
    scales[labelAxis] = {ticks: {autoSkip: !canvas.dataset.horizontal, callback: function (value) {
      return shortLabels[value] || "";
    }}};
    new Chart(canvas, {
      type: canvas.dataset.chart,
      data: {labels: labels, datasets: datasets},
      options: {responsive: true, maintainAspectRatio: false, animation: false,
                indexAxis: canvas.dataset.horizontal ? "y" : "x", scales: scales}
    });
  });

  // Labels over 26 characters keep both ends (the kind, the stage); where two would then read the same, more of
  // their ends is kept until they differ.
  function shortened(labels) {
    var distinct = new Set(labels).size, result = labels;
    for (var tail = 14; tail <= 80; tail += 4) {
      result = labels.map(function (label) {
        return label.length > 26 && label.length > tail + 12 ? label.slice(0, 11) + "…" + label.slice(-tail) : label;
      });
      if (new Set(result).size === distinct) break;
    }
    return result;
  }
})();
