// spendgate audit site: filters the index's table by the data attributes of its rows.
// No framework and no network; without this script every row stays visible.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("decisions");
  var count = document.getElementById("count");
  if (!form || !table || !count) {
    return;
  }
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var texts = rows.map(function (row) {
    return (row.textContent + " " + (row.dataset.search || "")).toLowerCase();
  });

  function value(name) {
    return form.elements[name].value.trim();
  }

  function matches(row, index, wanted) {
    var data = row.dataset;
    if (wanted.status && data.status !== wanted.status) { return false; }
    if (wanted.vendor && data.vendor !== wanted.vendor) { return false; }
    if (wanted.department && data.department !== wanted.department) { return false; }
    if (wanted.rule && (" " + data.rules + " ").indexOf(" " + wanted.rule + " ") < 0) { return false; }
    if (wanted.from && data.date < wanted.from) { return false; }
    if (wanted.to && data.date > wanted.to) { return false; }
    if (wanted.latest && data.latest !== "true") { return false; }
    return wanted.terms.every(function (term) { return texts[index].indexOf(term) >= 0; });
  }

  function apply() {
    var wanted = {
      status: value("status"),
      vendor: value("vendor"),
      department: value("department"),
      rule: value("rule"),
      from: value("from"),
      to: value("to"),
      latest: form.elements.latest.checked,
      terms: value("text").toLowerCase().split(/\s+/).filter(Boolean)
    };
    var shown = 0;
    rows.forEach(function (row, index) {
      var visible = matches(row, index, wanted);
      row.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    count.textContent = "Showing " + shown + " of " + rows.length + " records";
  }

  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  // A reset changes the fields after its event: filter once they are cleared.
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  apply();
}());
