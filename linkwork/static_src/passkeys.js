// Adding a passkey (linkwork/accounts/templates/accounts/passkey_add.html): django-otp-webauthn's
// own script drives the browser and says how it went; once the passkey is kept, go on to the
// list of passkeys (the page with data-lw-passkey-done), where the server's message says so.
const done = document.querySelector("[data-lw-passkey-done]")?.dataset.lwPasskeyDone;
if (done) {
  document.addEventListener("otp_webauthn.register_complete", () => {
    window.location.assign(done);
  });
}
