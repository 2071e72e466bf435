/* The article editor: live preview, word count, slug suggestion, tag suggestions, autosave.
 * Plain JavaScript, no libraries, no external requests. The page works without it: every
 * action is an ordinary form submission; this only adds conveniences on top. */
(function () {
  "use strict";
  var form = document.getElementById("article-form");
  if (!form) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var body = form.elements.body;
  var headline = form.elements.headline;
  var slug = form.elements.slug;
  var tags = form.elements.tags;
  var status = document.getElementById("autosave-status");

  function post(url, data) {
    return fetch(url, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Accept": "application/json"}
    });
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  /* Live preview: the server renders with the same code as the public page. */
  var preview = document.getElementById("body-preview");
  var words = document.getElementById("word-count");
  var minutes = document.getElementById("reading-time");
  var refreshPreview = debounce(function () {
    var data = new FormData();
    data.append("body", body.value);
    post(form.dataset.previewUrl, data).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (result) {
      if (!result) return;
      preview.innerHTML = result.html;  // sanitised server-side (core/html.py)
      words.textContent = result.words;
      minutes.textContent = result.minutes;
    }).catch(function () {});
  }, 300);
  if (body && preview) body.addEventListener("input", refreshPreview);

  /* Slug suggestion, as Django's slugify does it, until the slug is edited by hand. */
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\x00-\x7f]/g, "")
      .toLowerCase().replace(/[^\w\s-]/g, "").trim().replace(/[-\s]+/g, "-").slice(0, 200)
      .replace(/^[-_]+|[-_]+$/g, "");
  }
  if (slug && headline && form.dataset.slugAuto === "1") {
    var suggested = slug.value === "" || slug.value === slugify(headline.value);
    slug.addEventListener("input", function () { suggested = slug.value === ""; });
    headline.addEventListener("input", function () {
      if (suggested) slug.value = slugify(headline.value);
    });
    /* A headline typed before this deferred script ran sent its input events to no one. */
    if (suggested && headline.value) slug.value = slugify(headline.value);
  }

  /* Tag suggestions: the native <datalist> offers the whole field with the last tag completed. */
  var datalist = document.getElementById("tag-suggestions");
  if (tags && datalist) {
    tags.addEventListener("input", debounce(function () {
      var parts = tags.value.split(",");
      var last = parts.pop().trim();
      if (last.length < 1) { datalist.innerHTML = ""; return; }
      var before = parts.map(function (p) { return p.trim(); }).filter(Boolean);
      fetch(form.dataset.tagsUrl + "?q=" + encodeURIComponent(last), {
        credentials: "same-origin", headers: {"Accept": "application/json"}
      }).then(function (r) { return r.ok ? r.json() : {tags: []}; }).then(function (result) {
        datalist.innerHTML = "";
        result.tags.forEach(function (name) {
          if (before.indexOf(name) !== -1) return;
          var option = document.createElement("option");
          option.value = before.concat([name]).join(", ");
          datalist.appendChild(option);
        });
      }).catch(function () {});
    }, 200));
  }

  /* Autosave of drafts: a few seconds after typing stops (or every 30 s while it goes on). */
  var dirty = false, saving = false, submitting = false, lastSave = Date.now();
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });
  if (form.dataset.autosave !== "1") return;

  function autosave() {
    if (!dirty || saving || submitting || !headline.value.trim()) return;
    saving = true;
    dirty = false;
    var data = new FormData(form);
    data.delete("lead_image_upload");  // files are uploaded only with a real save
    data.set("action", "autosave");
    // getAttribute: `form.action` would be the submit buttons, which are named "action".
    post(form.getAttribute("action"), data).then(function (r) {
      return r.json().then(function (result) { return {ok: r.ok, result: result}; });
    }).then(function (answer) {
      lastSave = Date.now();
      if (answer.ok && answer.result.saved) {
        form.elements.version.value = answer.result.version;
        status.textContent = "Draft saved at " + answer.result.saved_at + ".";
        if (form.getAttribute("action") !== answer.result.edit_url) {
          form.setAttribute("action", answer.result.edit_url);
          history.replaceState(null, "", answer.result.edit_url);
        }
      } else {
        dirty = true;
        status.textContent = "Not saved: " + (answer.result.errors || []).join(" ");
      }
    }).catch(function () {
      dirty = true;
      status.textContent = "Not saved (offline?). Retrying…";
    }).finally(function () { saving = false; });
  }
  var idle = debounce(autosave, 3000);
  form.addEventListener("input", idle);
  setInterval(function () { if (Date.now() - lastSave > 30000) autosave(); }, 5000);
})();
