/* svsna web SNA: charts (Observable Plot) and maps (Leaflet, no tile server), progressive enhancement.
   Every chart and map repeats a table on the same page; without JavaScript the tables remain. No eval, no inline code. */
(function () {
  "use strict";

  var SIG = {
    better: "#92d050", worse: "#c00000", similar: "#ffc000", higher: "#1f4e9b", lower: "#9ec5fe",
    "special-high": "#6f2c91", "special-low": "#d9c3e9", hot: "#b30000", cold: "#9ec5fe"
  };
  var RAMP = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var CLASS_FILL = { hot: "#b2182b", cold: "#2166ac", none: "#e8e8e8" };
  var CLASS_WORDS = { hot: "hot spot", cold: "cold spot", none: "not a significant hot or cold spot" };

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function stripStyles(node) {
    // Plot adds a <style> element to each chart; the page's CSP forbids inline styles, and app.css has the rules.
    var styles = node.querySelectorAll ? node.querySelectorAll("style") : [];
    for (var i = 0; i < styles.length; i++) styles[i].remove();
    if (node.tagName && node.tagName.toLowerCase() === "style") return null;
    return node;
  }

  // Plot's axis lettering: 10px system-ui, sans-serif
  var AXIS_FONT = "10px system-ui, sans-serif";

  function labelFitter(labels, room) {
    var ctx = document.createElement("canvas").getContext("2d");
    var measure = function (t) { return ctx ? ctx.measureText(t).width : t.length * 6; };
    if (ctx) ctx.font = AXIS_FONT;
    var widest = 0;
    labels.forEach(function (l) { widest = Math.max(widest, measure(l)); });
    var tick = 14;  // the tick and the gap before its label
    var margin = Math.ceil(Math.min(widest, room)) + tick;
    return {
      margin: Math.max(margin, 40),
      format: function (l) {
        l = String(l);
        if (measure(l) <= room) return l;
        var cut = l;
        while (cut.length > 1 && measure(cut + "\u2026") > room) cut = cut.slice(0, -1);
        return cut.replace(/\s+$/, "") + "\u2026";
      }
    };
  }

  function drawCharts() {
    if (!window.Plot) return;
    var data = readJSON("chart-data") || {};
    var els = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var spec = data[el.getAttribute("data-chart")];
      if (!spec || !spec.points) continue;
      var pts = spec.points.filter(function (p) { return p.y !== null; });
      if (pts.length < 2) continue;
      // the points come in their order (months and periods by time): the time axis keeps it, as Plot
      // would otherwise sort the shown words ("April 2021" before "March 2021"); gaps keep their place
      var order = spec.points.map(function (p) { return p.x; });
      var marks = [];
      var width = Math.min(el.clientWidth || 700, 760);
      if (spec.kind === "line") {
        marks.push(Plot.ruleY([0]));
        var limited = pts.filter(function (p) { return p.lo !== null && p.hi !== null; });
        if (spec.spc) {
          // an XmR chart: the mean and the process limits are lines across the months, as in the PDF
          var dash = { x: "x", stroke: "#6b6b6b", strokeDasharray: "4 3", strokeWidth: 1.2 };
          marks.push(Plot.lineY(limited, Object.assign({ y: "hi" }, dash)));
          marks.push(Plot.lineY(limited, Object.assign({ y: "lo" }, dash)));
          marks.push(Plot.lineY(limited, { x: "x", y: function (p) { return (p.lo + p.hi) / 2; }, stroke: "#333", strokeDasharray: "8 3", strokeWidth: 1.2 }));
        } else {
          marks.push(Plot.ruleX(limited, { x: "x", y1: "lo", y2: "hi", stroke: "#9a9a9a" }));
        }
        marks.push(Plot.lineY(pts, { x: "x", y: "y", stroke: "#1d4f91", strokeWidth: 2 }));
        marks.push(Plot.dot(pts, { x: "x", y: "y", fill: "#1d4f91", r: 3, title: function (p) { return p.x + ": " + p.y.toLocaleString(); } }));
      } else {
        marks.push(Plot.barX(pts, {
          y: "x", x: "y", fill: function (p) { return SIG[p.sig] || "#6b8fc2"; }, stroke: "#333", strokeWidth: 0.5,
          title: function (p) { return p.x + ": " + p.y.toLocaleString(); }
        }));
        // a withheld category keeps its place on the axis, marked [c] (the PDF hatches it)
        var withheld = spec.points.filter(function (p) { return p.y === null; });
        if (withheld.length) {
          marks.push(Plot.text(withheld, { y: "x", x: 0, text: function () { return "[c] withheld"; }, textAnchor: "start", dx: 4, fill: "#444" }));
        }
        marks.push(Plot.ruleY(pts.filter(function (p) { return p.lo !== null; }), { y: "x", x1: "lo", x2: "hi", stroke: "#000", strokeWidth: 1.5 }));
        marks.push(Plot.ruleX([0]));
      }
      // a bar chart's category labels get the room they need (measured), up to 45% of the width; a longer
      // one is shortened with an ellipsis (the full name is in the bar's tooltip and the table below)
      var room = Math.floor(width * 0.45);
      var fit = labelFitter(spec.points.map(function (p) { return String(p.x); }), room);
      var opts = {
        width: width, marginLeft: spec.kind === "line" ? 50 : fit.margin, marginBottom: pts.length > 12 ? 50 : 30, style: null,
        x: spec.kind === "line" ? { type: "point", domain: order, label: null, tickRotate: pts.length > 12 ? -45 : 0,
          ticks: pts.length > 24 ? pts.filter(function (p, i) { return i % 6 === 0; }).map(function (p) { return p.x; }) : undefined }
          : { label: spec.unit || null, grid: true },
        y: spec.kind === "line" ? { label: spec.unit || null, grid: true } : { label: null, domain: order, tickFormat: fit.format },
        marks: marks
      };
      if (spec.kind !== "line") opts.height = Math.max(80, spec.points.length * 22 + 40);
      try {
        var node = stripStyles(Plot.plot(opts));
        if (node) {
          hatchParts(node, spec);
          el.appendChild(node);
        }
      } catch (e) { /* the table below has the figures */ }
    }
  }

  var SVGNS = "http://www.w3.org/2000/svg";

  function hatchParts(node, spec) {
    // a part year's bar is annualised and hatched, as in the PDF's charts (its tooltip says "annualised")
    if (!spec.points.some(function (p) { return p.part; })) return;
    var svg = node.tagName && node.tagName.toLowerCase() === "svg" ? node : node.querySelector("svg");
    if (!svg) return;
    var id = "hatch-" + Math.random().toString(36).slice(2);
    var defs = document.createElementNS(SVGNS, "defs");
    var pat = document.createElementNS(SVGNS, "pattern");
    pat.setAttribute("id", id); pat.setAttribute("patternUnits", "userSpaceOnUse");
    pat.setAttribute("width", "6"); pat.setAttribute("height", "6"); pat.setAttribute("patternTransform", "rotate(45)");
    var bg = document.createElementNS(SVGNS, "rect");
    bg.setAttribute("width", "6"); bg.setAttribute("height", "6"); bg.setAttribute("fill", "#dfe8f5");
    var ln = document.createElementNS(SVGNS, "line");
    ln.setAttribute("x1", "0"); ln.setAttribute("y1", "0"); ln.setAttribute("x2", "0"); ln.setAttribute("y2", "6");
    ln.setAttribute("stroke", "#1d4f91"); ln.setAttribute("stroke-width", "2.5");
    pat.appendChild(bg); pat.appendChild(ln); defs.appendChild(pat); svg.insertBefore(defs, svg.firstChild);
    var rects = svg.querySelectorAll("rect");
    for (var i = 0; i < rects.length; i++) {
      var t = rects[i].querySelector("title");
      if (t && t.textContent.indexOf("(annualised)") >= 0) rects[i].setAttribute("fill", "url(#" + id + ")");
    }
  }

  function legend(map, breaks, extra) {
    var ctl = L.control({ position: "bottomright" });
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend");
      div.setAttribute("aria-hidden", "true");
      for (var i = 0; i < breaks.length; i++) {
        var row = document.createElement("div");
        var sw = document.createElement("i");
        sw.style.backgroundColor = breaks[i][0];
        row.appendChild(sw);
        row.appendChild(document.createTextNode(breaks[i][1]));
        div.appendChild(row);
      }
      if (extra) { var e = document.createElement("div"); e.textContent = extra; div.appendChild(e); }
      return div;
    };
    ctl.addTo(map);
  }

  function quantiles(values) {
    var v = values.filter(function (x) { return x !== null && isFinite(x); }).sort(function (a, b) { return a - b; });
    if (!v.length) return [];
    var cuts = [];
    for (var i = 1; i < RAMP.length; i++) cuts.push(v[Math.min(v.length - 1, Math.floor(i * v.length / RAMP.length))]);
    return cuts;
  }

  function colourFor(v, cuts) {
    if (v === null || v === undefined || !isFinite(v)) return null;
    var k = 0;
    while (k < cuts.length && v > cuts[k]) k++;
    return RAMP[Math.min(k, RAMP.length - 1)];
  }

  function fmt(x) { return x === null || x === undefined ? "[c]" : Number(x).toLocaleString(undefined, { maximumFractionDigits: 2 }); }

  function drawMap(el) {
    if (!window.L) return;
    var values = readJSON(el.getAttribute("data-values")) || {};
    var kind = el.getAttribute("data-map");
    var link = el.getAttribute("data-link");
    fetch(el.getAttribute("data-geo"), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("boundaries " + r.status);
      return r.json();
    }).then(function (geo) {
      var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, keyboard: true, scrollWheelZoom: false });
      var keyOf = function (f) { return kind === "districts" ? f.properties.district_name : f.properties.lsoa_code; };
      var vals = Object.keys(values).map(function (k) { return values[k] ? values[k].v : null; });
      var cuts = quantiles(vals);
      // no figure by area (the public release publishes hot-spot classes, not LSOA counts): shade by class
      var byClass = kind === "lsoa" && !cuts.length;
      var layer = L.geoJSON(geo, {
        style: function (f) {
          var d = values[keyOf(f)] || {};
          if (byClass) {
            return { color: "#333", weight: d.hot ? 2 : 0.5, fillColor: CLASS_FILL[d.cls] || CLASS_FILL.none, fillOpacity: 1 };
          }
          var fill = colourFor(d.v, cuts);
          return {
            color: d.hot ? "#b30000" : "#333", weight: d.hot ? 3 : (kind === "districts" ? 1.5 : 0.5),
            fillColor: fill || "#c8c8c8", fillOpacity: 1, dashArray: fill ? null : "3 3"
          };
        },
        onEachFeature: function (f, lyr) {
          var d = values[keyOf(f)] || {};
          var name = kind === "districts" ? f.properties.district_name : (f.properties.name || f.properties.lsoa_code);
          var what = byClass ? (CLASS_WORDS[d.cls] || CLASS_WORDS.none) : fmt(d.v) + (d.hot ? " (hot spot)" : "");
          lyr.bindTooltip(name + ": " + what, { sticky: true });
          if (link && d.href) lyr.on("click", function () { window.location.href = d.href; });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });  // the paths are made here, once the map has a view
      // the polygons are not Tab stops (a map of 190 neighbourhoods would take 190 presses to pass): the map is
      // one stop (arrow keys pan), the skip link passes it, and the table beside it has every figure and link
      layer.eachLayer(function (lyr) {
        var path = lyr.getElement ? lyr.getElement() : null;
        if (path) { path.setAttribute("tabindex", "-1"); path.setAttribute("aria-hidden", "true"); }
      });
      if (byClass) {
        legend(map, [[CLASS_FILL.hot, CLASS_WORDS.hot], [CLASS_FILL.cold, CLASS_WORDS.cold], [CLASS_FILL.none, CLASS_WORDS.none]], "");
        return;
      }
      var breaks = [];
      var lo = null;
      for (var i = 0; i < RAMP.length; i++) {
        var hi = i < cuts.length ? cuts[i] : null;
        breaks.push([RAMP[i], (lo === null ? "up to " + fmt(hi) : hi === null ? "over " + fmt(lo) : fmt(lo) + " to " + fmt(hi))]);
        lo = hi;
        if (hi === null) break;
      }
      legend(map, breaks, kind === "lsoa" ? "thick red outline: hot spot" : "");
    }).catch(function () {
      el.textContent = "The map could not be drawn; the table has the same figures.";
    });
  }

  function init() {
    drawCharts();
    var maps = document.querySelectorAll("[data-map]");
    for (var i = 0; i < maps.length; i++) drawMap(maps[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
