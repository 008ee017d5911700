// Files larger than the server accepts are refused before sending, so the form keeps what was typed.
// The limit and the message come from <body data-upload-limit data-upload-limit-message>.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var limit = Number(document.body.dataset.uploadLimit);
  var inputs = form.querySelectorAll('input[type="file"]');
  if (!limit || inputs.length === 0) return;
  var total = 0;
  inputs.forEach(function (input) {
    Array.prototype.forEach.call(input.files || [], function (file) { total += file.size; });
  });
  var shown = form.querySelector(".upload-limit-error");
  if (shown) shown.remove();
  if (total <= limit) return;
  event.preventDefault();
  var message = document.createElement("div");
  message.className = "invalid-feedback d-block upload-limit-error";
  message.setAttribute("role", "alert");
  message.textContent = document.body.dataset.uploadLimitMessage;
  inputs[0].classList.add("is-invalid");
  inputs[0].insertAdjacentElement("afterend", message);
  inputs[0].focus();
});
