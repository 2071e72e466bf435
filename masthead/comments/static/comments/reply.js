/* Leave a Reply, enhanced: "Reply" moves the form under the comment being answered (without
   JavaScript the link reloads the page with ?replytocom=N, which the server understands too),
   a page that sat in a cache for hours fetches a fresh form token, and a second click on
   "Post Comment" is ignored (the server would store the comment once anyway). */
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var form = respond && respond.querySelector("form.comment-form");
  if (!form) { return; }
  var home = document.createComment("respond-home");
  respond.parentNode.insertBefore(home, respond);
  var parentInput = form.elements.comment_parent;
  var title = document.getElementById("reply-title");
  var cancelLine = respond.querySelector(".cancel-reply");
  var button = form.querySelector("button[type=submit]");

  function replyTo(item, id, author) {
    item.appendChild(respond);
    parentInput.value = id;
    title.textContent = "Reply to " + author;
    cancelLine.hidden = false;
    form.elements.comment.focus();
  }

  function cancel() {
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentInput.value = "0";
    title.textContent = "Leave a Reply";
    cancelLine.hidden = true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.reply-link");
    if (link) {
      event.preventDefault();
      replyTo(link.closest("li.comment"), link.dataset.comment, link.dataset.author);
    } else if (event.target.closest && event.target.closest("#cancel-reply")) {
      event.preventDefault();
      cancel();
    }
  });

  var issued = parseInt(form.dataset.issued, 10);
  if (issued && Date.now() / 1000 - issued > 12 * 3600 && window.fetch) {
    fetch("/comments/token/" + form.dataset.article + "/", {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.token) { form.elements.form_token.value = data.token; } })
      .catch(function () {});
  }

  form.addEventListener("submit", function () {
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
  window.addEventListener("pageshow", function () { button.disabled = false; });
}());
