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
