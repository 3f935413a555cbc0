import * as api from "../api.js";
import { signedIn } from "../app.js";
import { login } from "../session.js";
import { busy, h } from "../ui.js";

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
    submit, error);
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
