// Page behaviour without inline scripts: chain-map selection, PNG export, print, select-all, export links, busy notes.
(function () {
  "use strict";

  function select(node) {
    document.querySelectorAll("#chain-map .node.selected").forEach(function (n) {
      n.classList.remove("selected");
    });
    if (node) node.classList.add("selected");
  }

  document.addEventListener("click", function (event) {
    var node = event.target.closest && event.target.closest("#chain-map .node");
    if (node) select(node);
  });

  // A map node is focusable; Enter opens its panel as a click does (no inline handlers: CSP).
  document.addEventListener("keydown", function (event) {
    var node = event.key === "Enter" && event.target.closest && event.target.closest("#chain-map .node");
    if (node) { event.preventDefault(); node.dispatchEvent(new MouseEvent("click", { bubbles: true })); }
  });

  // Filter selects marked data-autosubmit submit their form when changed.
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit();
  });

  function savePng(button) {
    var svg = document.getElementById("chain-map");
    if (!svg) return;
    var scale = 2;
    var width = svg.viewBox.baseVal.width;
    var height = svg.viewBox.baseVal.height;
    var copy = svg.cloneNode(true);
    copy.querySelectorAll(".selected").forEach(function (n) { n.classList.remove("selected"); });
    var source = new XMLSerializer().serializeToString(copy);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = width * scale;
      canvas.height = height * scale;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.dataset.filename || "chain-map.png";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      }, "image/png");
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    var button = event.target.closest("[data-save-png]");
    if (button) {
      event.preventDefault();
      savePng(button);
    }
    if (event.target.closest("[data-print]")) window.print();
    // Filters change the address bar in place; an export takes the filters shown now.
    var exporter = event.target.closest("[data-export]");
    if (exporter) exporter.href = exporter.href.split("?")[0] + window.location.search;
  });

  // Long uploads and imports: the request reports how far it has got under a key the page
  // makes up; poll it until the next page arrives. The forms are boosted, so the page stays
  // (and can poll) while htmx waits; without JavaScript they post as plain forms.
  function randomKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Math.random()).slice(2) + String(Date.now());
  }

  function poll(form, key) {
    if (!document.contains(form)) return;  // the next page has arrived
    var text = form.querySelector(".busy-text");
    var bar = form.querySelector(".busy-bar");
    fetch("/imports/progress/" + encodeURIComponent(key), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        var counted = state.total ? "：" + state.stage + " " + state.done.toLocaleString() +
          " / " + state.total.toLocaleString() + " 行" : "：" + state.stage;
        if (text) text.textContent = form.dataset.busy + counted;
        if (bar && state.total) { bar.max = state.total; bar.value = state.done; }
      })
      .catch(function () {})
      .finally(function () { setTimeout(function () { poll(form, key); }, 700); });
  }

  // Capture phase: the key must be in the form before htmx reads it to send.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-busy]");
    if (!form) return;
    var note = form.querySelector(".busy");
    var text = form.querySelector(".busy-text");
    var key = form.querySelector("input[name=progress]");
    if (note) note.hidden = false;
    if (text) text.textContent = form.dataset.busy;
    if (key) {
      key.value = randomKey();
      poll(form, key.value);
    }
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
  }, true);

  document.addEventListener("change", function (event) {
    var all = event.target.closest && event.target.closest("[data-select-all]");
    if (!all) return;
    var form = all.closest("form");
    form.querySelectorAll("input[name='" + all.dataset.selectAll + "']").forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
