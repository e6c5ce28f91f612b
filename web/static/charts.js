// Draws the charts of the dashboard and target pages with ECharts; each chart's data
// sits in its element's data-chart attribute, so pages need no inline scripts.
(function () {
  "use strict";

  var palette = ["#0b5394", "#e69138", "#6aa84f", "#cc0000", "#674ea7", "#45818e"];

  function trend(spec) {
    var series = {
      type: "line",
      name: spec.name,
      data: spec.y,
      symbolSize: 5,
      areaStyle: { opacity: 0.08 }
    };
    if (spec.target !== null && spec.target !== undefined) {
      series.markLine = {
        symbol: "none",
        silent: true,
        lineStyle: { type: "dashed", color: "#cc0000" },
        label: { formatter: "目标 " + spec.target, position: "insideEndTop" },
        data: [{ yAxis: spec.target }]
      };
    }
    return {
      color: palette,
      animation: false,
      grid: { left: 48, right: 16, top: 20, bottom: 28 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: spec.x, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", axisLabel: { fontSize: 10 }, max: spec.max },
      series: [series]
    };
  }

  function bars(spec) {
    return {
      color: palette,
      animation: false,
      grid: { left: 120, right: 24, top: 32, bottom: 24 },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: spec.categories, inverse: true },
      series: spec.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, barMaxWidth: 14 };
      })
    };
  }

  function draw(root) {
    if (!window.echarts || !root.querySelectorAll) return;
    root.querySelectorAll("[data-chart]").forEach(function (element) {
      if (element.dataset.drawn) return;
      var spec = JSON.parse(element.dataset.chart);
      var chart = window.echarts.init(element, null, { renderer: "svg" });
      chart.setOption(spec.kind === "bars" ? bars(spec) : trend(spec));
      element.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // Loaded by the pages that draw charts: on a full load before DOMContentLoaded, on a boosted
  // navigation after htmx has swapped the page in (and again on each such navigation, hence
  // the listener is added only once).
  if (!window.chainPlanCharts) {
    window.chainPlanCharts = true;
    document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
})();
