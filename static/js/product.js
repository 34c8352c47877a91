/* product.js - the variant picker, enhanced. Without JavaScript the option
   selects submit a GET form and the server renders the chosen variant; with
   it, choosing an option updates price, availability, SKU and image in place. */
(function () {
  "use strict";
  /* Thumbnails show their image in the gallery instead of leaving the page. */
  var main = document.getElementById("main-image");
  var thumbs = document.querySelectorAll("a[data-thumb]");
  for (var t = 0; t < thumbs.length; t++) {
    thumbs[t].addEventListener("click", function (ev) {
      var img = this.querySelector("img");
      if (!main || !img) return;
      ev.preventDefault();
      main.src = this.getAttribute("href");
      main.alt = img.alt;
    });
  }

  var data = document.getElementById("variants-data");
  var form = document.querySelector(".variant-picker");
  if (!data || !form) return;
  var variants;
  try { variants = JSON.parse(data.textContent); } catch (e) { return; }
  var selects = form.querySelectorAll("select[data-option-index]");

  function chosen() {
    var values = [];
    for (var i = 0; i < selects.length; i++) values.push(selects[i].value);
    for (var j = 0; j < variants.length; j++) {
      var v = variants[j], match = true;
      for (var k = 0; k < values.length; k++) {
        if (v.options[k] !== values[k]) { match = false; break; }
      }
      if (match) return v;
    }
    return null;
  }

  function show(v) {
    var price = document.getElementById("price-amount");
    var compare = document.getElementById("compare-at");
    var avail = document.getElementById("availability");
    var sku = document.getElementById("sku");
    var img = document.getElementById("main-image");
    if (!v) {
      avail.textContent = "Unavailable";
      avail.setAttribute("data-available", "false");
      return;
    }
    price.textContent = v.price;
    if (v.compare_at) { compare.textContent = v.compare_at; compare.hidden = false; }
    else { compare.hidden = true; }
    avail.textContent = v.available ? "In stock" : "Sold out";
    avail.setAttribute("data-available", v.available ? "true" : "false");
    sku.textContent = v.sku ? "SKU " + v.sku : "";
    if (img && v.image) { img.src = v.image.src; if (v.image.alt) img.alt = v.image.alt; }
    if (window.history && history.replaceState) {
      var url = new URL(window.location.href);
      url.search = "";
      url.searchParams.set("variant", v.id);
      history.replaceState(null, "", url.toString());
    }
  }

  for (var i = 0; i < selects.length; i++) {
    selects[i].addEventListener("change", function () { show(chosen()); });
  }
})();
