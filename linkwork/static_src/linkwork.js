// Linkwork's own progressive enhancements. Every page works without them.

// Copy buttons: <button data-lw-copy="ID" hidden> copies the text of the element #ID, and says
// so in #ID-status (a live region). Shown only where the browser can copy (a secure page).
for (const button of document.querySelectorAll("[data-lw-copy]")) {
  const source = document.getElementById(button.dataset.lwCopy);
  const status = document.getElementById(`${button.dataset.lwCopy}-status`);
  if (!navigator.clipboard || !source) {
    continue;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      status.textContent = button.dataset.lwCopied;
    } catch {
      status.textContent = button.dataset.lwCopyFailed;
    }
  });
}

// The inactivity warning (linkwork.core.sessions): two minutes before an unused sign-in ends,
// show #idle-warning; "Stay signed in" tells the server and starts the count again. When the
// time is up, reload: the server signs out only if no other tab kept the sign-in alive.
const idleWarning = document.getElementById("idle-warning");
if (idleWarning) {
  const idleMs = Number(idleWarning.dataset.lwIdle) * 1000;
  const warnBeforeMs = 2 * 60 * 1000;
  let timers = [];
  const start = () => {
    for (const timer of timers) {
      clearTimeout(timer);
    }
    idleWarning.hidden = true;
    timers = [
      setTimeout(() => {
        idleWarning.hidden = false;
        idleWarning.querySelector("[data-lw-stay]").focus();
      }, Math.max(idleMs - warnBeforeMs, 0)),
      setTimeout(() => window.location.reload(), idleMs + 5000),
    ];
  };
  let lastKept = Date.now();
  const keepAlive = async () => {
    const token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
    lastKept = Date.now();
    await fetch(idleWarning.dataset.lwKeepAlive, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    });
    start();
  };
  idleWarning.querySelector("[data-lw-stay]").addEventListener("click", keepAlive);
  // Typing a long note is using Linkwork too: past half the time, typing keeps the sign-in.
  document.addEventListener("input", () => {
    if (Date.now() - lastKept > idleMs / 2) {
      keepAlive();
    }
  });
  start();
}
