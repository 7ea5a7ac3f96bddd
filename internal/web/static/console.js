// Small helpers for the console; every page works without them.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); return; }
  var b = e.submitter || e.target.querySelector('button');
  if (b && e.target.enctype === 'multipart/form-data') { b.disabled = true; b.textContent = '正在处理…'; }
});
document.addEventListener('click', function (e) {
  var a = e.target.closest('[data-back]');
  if (a && window.history.length > 1) { e.preventDefault(); window.history.back(); }
});
