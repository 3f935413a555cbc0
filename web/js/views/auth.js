import * as api from "../api.js";
import { signedIn, signOut } from "../app.js";
import { login, session } from "../session.js";
import { busy, errorBox, h, icon, spinner } from "../ui.js";

// What the API answers for a token that is unknown, used or expired: the
// same for all, so the screens say it in one sentence.
const DEAD_LINK = "Invalid or expired token";
const PASSWORD_CHANGED = "Your password has been changed. Log in with the new one.";

function field(label, attrs) {
  return h("label.field", h("span", label), h("input", attrs));
}

function shell(main, form, switcher) {
  main.className = "view auth";
  main.append(h("div.auth-card", h("h1.logo", "Instagram"), form), h("div.auth-card.auth-switch", switcher));
}

export function loginView(main) {
  // Kept until the next login: the screen may be drawn twice on the way here.
  const notice = sessionStorage.getItem("instagram.login-message");
  const error = h("p.form-error", { role: "alert" });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, "Log in");
  const form = h("form.auth-form", { novalidate: true, "aria-label": "Log in" },
    notice ? h("p.notice", { role: "status" }, notice) : null,
    field("Email", { name: "email", type: "email", autocomplete: "email", required: true }),
    field("Password", { name: "password", type: "password", autocomplete: "current-password", required: true }),
    submit, error,
    h("p.center.forgot", h("a", { href: "#/forgot-password" }, "Forgot password?")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const email = form.email.value.trim();
    const password = form.password.value;
    if (!email || !password) { error.textContent = "Enter your email and password."; return; }
    submit.textContent = "Logging in…";
    busy(submit, async () => { await login(email, password); signedIn(); },
      (failure) => { error.textContent = failure.message; })
      .finally(() => { submit.textContent = "Log in"; });
  });
  shell(main, form, h("p", "Don't have an account? ", h("a", { href: "#/signup" }, "Sign up")));
  form.email.focus();
}

export function signupView(main) {
  const error = h("p.form-error", { role: "alert" });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, "Sign up");
  const form = h("form.auth-form", { novalidate: true, "aria-label": "Sign up" },
    h("p.muted.center", "Sign up to see photos from your friends."),
    field("Email", { name: "email", type: "email", autocomplete: "email", required: true }),
    field("Full name", { name: "full_name", autocomplete: "name" }),
    field("Username", { name: "username", autocomplete: "username", required: true }),
    field("Password", { name: "password", type: "password", autocomplete: "new-password", required: true }),
    submit, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = {
      email: form.email.value.trim(), username: form.username.value.trim(),
      password: form.password.value, full_name: form.full_name.value.trim() || undefined,
    };
    if (!body.email || !body.username || !body.password) { error.textContent = "Email, username and password are required."; return; }
    submit.textContent = "Signing up…";
    busy(submit, async () => {
      await api.request("POST", "/api/auth/register", body, { auth: false });
      await login(body.email, body.password);
      signedIn();
    }, (failure) => { error.textContent = failure.message; })
      .finally(() => { submit.textContent = "Sign up"; });
  });
  shell(main, form, h("p", "Have an account? ", h("a", { href: "#/login" }, "Log in")));
  form.email.focus();
}

// The token of a mailed link: `#/verify-email?token=…` (chalicelib/mail.py `link`).
function linkToken() {
  const query = location.hash.split("?")[1] || "";
  return new URLSearchParams(query).get("token") || "";
}

// Register's rule, checked before asking: 8 to 72 bytes (bcrypt reads 72).
function passwordProblem(password) {
  const bytes = new TextEncoder().encode(password).length;
  if (bytes < 8) return "Your password must be at least 8 characters.";
  if (bytes > 72) return "Your password is too long: at most 72 bytes (fewer with accents or emoji).";
  return "";
}

// A screen of the auth style with an icon and a title, for the pages
// about getting into an account; -> where its content goes.
function card(main, title, body, { symbol = "lock", back = false } = {}) {
  main.className = "view auth";
  const content = h("div.auth-body", body);
  main.append(h("div.auth-card", h("div.auth-icon", icon(symbol)), h("h2.auth-title", title), content));
  if (back && !session.me) main.append(h("div.auth-card.auth-switch", h("p", h("a", { href: "#/login" }, "Back to login"))));
  return content;
}

// Each token is posted once, however often its screen is drawn.
const verifications = new Map();

export async function verifyEmailView(main) {
  const token = linkToken();
  const into = session.me
    ? h("a.btn.btn-primary.btn-block", { href: "#/" }, "Continue to Instagram")
    : h("a.btn.btn-primary.btn-block", { href: "#/login" }, "Log in");
  if (!token) { incomplete(main); return; }
  const body = card(main, "Confirming your email", spinner("Confirming your email…"), { symbol: "mail" });
  const title = main.querySelector(".auth-title");
  if (!verifications.has(token)) {
    verifications.set(token, api.request("POST", "/api/auth/verify-email", { token }, { auth: false }));
  }
  try {
    await verifications.get(token);
  } catch (error) {
    if (error.status !== 400 || error.detail !== DEAD_LINK) {
      verifications.delete(token);
      body.replaceChildren(errorBox(error, () => { main.replaceChildren(); verifyEmailView(main); }));
      return;
    }
    const unverified = session.me && session.me.email_verified === false;
    const next = !session.me ? h("p.muted", "Log in to ask for a new link: the banner at the top offers one.")
      : unverified ? h("p.muted", "Ask for a new one: we'll mail it to ", h("strong", session.me.email), ".")
        : h("p.muted", "Your email address is confirmed already.");
    title.textContent = "This link can't be used";
    body.replaceChildren(h("p", { role: "alert" }, "This link has already been used or has expired."), next,
      unverified ? resendButton() : into);
    return;
  }
  if (session.me) {
    // The link may be another account's: ask whose address is verified now.
    const me = await api.get("/api/auth/me").catch(() => null);
    if (me && me.id === session.me.id) session.me.email_verified = me.email_verified;
    showEmailBanner();
  }
  title.textContent = "Email confirmed";
  body.replaceChildren(h("p.auth-done", { role: "status" }, "Your email is verified."),
    h("p.muted", "Thanks for confirming your address."), into);
}

function resendButton() {
  const button = h("button.btn.btn-primary.btn-block", { type: "button" }, "Send a new link");
  const said = h("p.form-error", { role: "alert" });
  button.addEventListener("click", () => busy(button, async () => {
    await resend();
    button.replaceWith(h("p", { role: "status" }, "Sent. Check your email."));
  }, (failure) => { said.textContent = failure.message; }));
  return h("div", button, said);
}

// POST .../resend; an address verified meanwhile (400) needs no banner.
async function resend() {
  try {
    await api.post("/api/auth/verify-email/resend");
  } catch (error) {
    if (error.status === 400) {
      session.me.email_verified = true;
      showEmailBanner();
    }
    throw error;
  }
}

export function resetPasswordView(main) {
  const token = linkToken();
  const error = h("p.form-error", { role: "alert" });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, "Reset password");
  const form = h("form.auth-form", { novalidate: true, "aria-label": "Reset password" },
    h("p.muted.center", "Choose a new password: at least 8 characters."),
    field("New password", { name: "password", type: "password", autocomplete: "new-password", required: true }),
    field("Re-type new password", { name: "again", type: "password", autocomplete: "new-password", required: true }),
    submit, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.replaceChildren();
    const password = form.password.value;
    const problem = passwordProblem(password);
    if (problem) { error.textContent = problem; return; }
    if (form.again.value !== password) { error.textContent = "The passwords don't match."; return; }
    busy(submit, async () => {
      await api.request("POST", "/api/auth/password-reset/confirm", { token, new_password: password }, { auth: false });
      // The reset retires every session, this tab's too: log in afresh.
      signOut(PASSWORD_CHANGED);
    }, (failure) => {
      if (failure.status === 400 && failure.detail === DEAD_LINK) {
        error.replaceChildren("This link has already been used or has expired. ",
          h("a", { href: "#/forgot-password" }, "Get a new link."));
      } else error.textContent = failure.message;
    });
  });
  if (!token) { incomplete(main); return; }
  form.addEventListener("input", () => error.replaceChildren());
  card(main, "Create a new password", form, { back: true });
  form.password.focus();
}

function incomplete(main) {
  card(main, "This link is incomplete", h("p.muted", "Open the whole link from the mail, or copy all of it into the address bar."),
    { back: true });
}

export function forgotPasswordView(main) {
  const error = h("p.form-error", { role: "alert" });
  const submit = h("button.btn.btn-primary.btn-block", { type: "submit" }, "Send login link");
  const form = h("form.auth-form", { novalidate: true, "aria-label": "Reset your password" },
    h("p.muted.center", "Enter your email and we'll send you a link to get back into your account."),
    field("Email", { name: "email", type: "email", autocomplete: "email", required: true }),
    submit, error);
  const body = card(main, "Trouble logging in?", form, { back: true });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const email = form.email.value.trim();
    if (!email) { error.textContent = "Enter your email."; return; }
    busy(submit, async () => {
      await api.request("POST", "/api/auth/password-reset", { email }, { auth: false });
      body.replaceChildren(h("p", { role: "status" }, "If an account uses this address, we've sent it a link to reset the password."),
        h("p.muted", "The link works for one hour. Check your spam folder if it doesn't arrive."));
    }, (failure) => { error.textContent = failure.message; });
  });
  form.email.focus();
}

// The slim bar over every signed-in screen while the address is unconfirmed.
const DISMISSED = "instagram.email-banner-dismissed";

export function showEmailBanner() {
  const bar = document.querySelector(".email-banner");
  const me = session.me;
  if (!me || me.email_verified !== false || sessionStorage.getItem(DISMISSED) === String(me.id)) {
    bar.hidden = true;
    bar.replaceChildren();
    return;
  }
  if (!bar.hidden && bar.dataset.user === String(me.id)) return;  // drawn already: keep "Sent"
  bar.dataset.user = String(me.id);
  const said = h("span.email-banner-said", { role: "status" });
  const send = h("button.link-btn", { type: "button" }, "Resend");
  send.addEventListener("click", () => busy(send, async () => {
    said.textContent = "";
    await resend();
    send.hidden = true;
    said.textContent = "Sent";
  }, (failure) => { if (failure.status !== 400) said.textContent = failure.message; }));
  const close = h("button.icon-btn.email-banner-close", { type: "button", "aria-label": "Dismiss" }, icon("close"));
  close.addEventListener("click", () => {
    sessionStorage.setItem(DISMISSED, String(me.id));
    showEmailBanner();
  });
  bar.replaceChildren(h("p", "Confirm your email address — we sent a link to ", h("strong", me.email), ". ", send, " ", said), close);
  bar.hidden = false;
}
