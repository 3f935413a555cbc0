// The app: a hash router, the navigation bars and the session's start.
import * as api from "./api.js";
import { emit, on } from "./bus.js";
import { startLive } from "./live.js";
import { session, start, logout } from "./session.js";
import { avatar, errorBox, h, icon, spinner, toast } from "./ui.js";
import { forgotPasswordView, loginView, resetPasswordView, showEmailBanner, signupView, verifyEmailView } from "./views/auth.js";
import { feedView } from "./views/feed.js";
import { postView } from "./views/post.js";
import { newPostView } from "./views/compose.js";
import { profileView, userListView, profileByNameView, editProfileView, requestsView } from "./views/profile.js";
import { inboxView, threadView } from "./views/messages.js";
import { notificationsView, startUnreadPolling } from "./views/notifications.js";
import { searchView, hashtagView, savedView } from "./views/explore.js";
import { storyView } from "./views/stories.js";

const ROUTES = [
  [/^\/login$/, loginView, { public: true }],
  [/^\/signup$/, signupView, { public: true }],
  [/^\/forgot-password$/, forgotPasswordView, { public: true }],
  // The mailed links (chalicelib/mail.py): opened signed in or not.
  [/^\/verify-email(\?.*)?$/, verifyEmailView, { public: true, anyone: true }],
  [/^\/reset-password(\?.*)?$/, resetPasswordView, { public: true, anyone: true }],
  [/^\/$/, feedView],
  [/^\/p\/(\d+)$/, postView],
  [/^\/new$/, newPostView],
  [/^\/new\/story$/, (main) => newPostView(main, [], { story: true })],
  [/^\/u\/(\d+)$/, profileView],
  [/^\/u\/(\d+)\/(followers|following)$/, userListView],
  [/^\/@([^/]+)$/, profileByNameView],
  [/^\/edit$/, editProfileView],
  [/^\/requests$/, requestsView],
  [/^\/inbox$/, inboxView],
  [/^\/inbox\/(\d+)$/, threadView],
  [/^\/notifications$/, notificationsView],
  [/^\/search$/, searchView],
  [/^\/tags\/([^/]+)$/, hashtagView],
  [/^\/saved$/, savedView],
  [/^\/stories\/(\d+)$/, storyView],
];

const main = document.getElementById("main");
let cleanup = null;
let rendering = 0;

export function navigate(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

function currentPath() {
  return decodeURI(location.hash.replace(/^#/, "")) || "/";
}

async function render() {
  const path = currentPath();
  const turn = ++rendering;
  if (cleanup) { try { cleanup(); } catch (error) { console.error(error); } cleanup = null; }
  const match = ROUTES.map(([pattern, view, options]) => [path.match(pattern), view, options || {}]).find(([found]) => found);
  if (!session.me && !(match && match[2].public)) {
    sessionStorage.setItem("instagram.after-login", path);
    return navigate("/login");
  }
  if (session.me && match && match[2].public && !match[2].anyone) return navigate("/");
  showChrome(Boolean(session.me));
  showEmailBanner();
  highlightNav(path);
  // Each screen draws into its own element: one still loading when the
  // person moves on draws into a detached element, never over the next.
  const view = h("div.view");
  main.replaceChildren(view);
  window.scrollTo(0, 0);
  if (!match) {
    view.append(h("div.empty", h("h2", "Sorry, this page isn't available."), h("p", h("a", { href: "#/" }, "Go back to Instagram."))));
    return;
  }
  try {
    const result = await match[1](view, match[0].slice(1));
    if (turn === rendering) cleanup = typeof result === "function" ? result : null;
    else if (typeof result === "function") result();
  } catch (error) {
    if (error.status === 401 || turn !== rendering) return;
    view.replaceChildren(errorBox(error, render));
  }
}

const NAV = [
  { path: "/", label: "Home", icon: "home", where: "both" },
  { path: "/search", label: "Search", icon: "search", where: "both" },
  { path: "/new", label: "New post", icon: "plus", where: "both" },
  { path: "/inbox", label: "Messages", icon: "send", where: "both" },
  { path: "/notifications", label: "Notifications", icon: "heart", where: "both", badge: true },
  { path: "/me", label: "Profile", icon: "user", where: "both", me: true },
];

function navLink(item, place) {
  const link = h("a.nav-link", { href: item.me ? `#/u/${session.me.id}` : `#${item.path}`, "data-path": item.path, title: item.label },
    item.me ? avatar(session.me, 26) : icon(item.icon), h("span.nav-label", item.label));
  link.setAttribute("aria-label", item.label);
  if (item.badge) link.append(h("span.badge", { hidden: true, "data-badge": place }));
  return link;
}

function buildNav() {
  const top = document.querySelector(".topnav");
  const bottom = document.querySelector(".bottomnav");
  // Phones: the familiar top bar (notifications, messages) and a bottom bar.
  top.replaceChildren(...NAV.map((item) => navLink(item, "top")));
  bottom.replaceChildren(...NAV.filter((item) => !["/notifications", "/inbox"].includes(item.path)).map((item) => navLink(item, "bottom")));
  for (const link of top.querySelectorAll(".nav-link")) {
    if (!["/notifications", "/inbox"].includes(link.dataset.path)) link.classList.add("desktop-only");
  }
}

function showChrome(visible) {
  document.querySelector(".topbar").hidden = !visible;
  document.querySelector(".bottomnav").hidden = !visible;
  document.body.classList.toggle("signed-in", visible);
}

function highlightNav(path) {
  for (const link of document.querySelectorAll(".nav-link")) {
    const target = link.dataset.path === "/me" && session.me ? `/u/${session.me.id}` : link.dataset.path;
    const active = target === "/" ? path === "/" : path === target || path.startsWith(`${target}/`);
    link.classList.toggle("active", active);
    if (active) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
}

on("notifications:unread", ({ count }) => {
  for (const badge of document.querySelectorAll("[data-badge]")) {
    badge.hidden = !count;
    badge.textContent = count > 99 ? "99+" : String(count);
  }
});

on("me:changed", () => { buildNav(); highlightNav(currentPath()); });

on("unauthorized", () => {
  if (!session.me && !api.token.get()) return;
  signOut("Your session has expired. Please log in again.");
});

let stopUpdates = null;

// The unread badge's polling and the live WebSocket, while signed in.
function startUpdates() {
  const stopUnread = startUnreadPolling();
  const stopLive = startLive();
  return () => { stopUnread(); stopLive(); };
}

export function signedIn() {
  sessionStorage.removeItem("instagram.login-message");
  buildNav();
  if (stopUpdates) stopUpdates();
  stopUpdates = startUpdates();
  const after = sessionStorage.getItem("instagram.after-login");
  sessionStorage.removeItem("instagram.after-login");
  navigate(after && after !== "/login" && after !== "/signup" ? after : "/");
}

export function signOut(message) {
  if (stopUpdates) { stopUpdates(); stopUpdates = null; }
  logout();
  emit("notifications:unread", { count: 0 });
  if (message) sessionStorage.setItem("instagram.login-message", message);
  navigate("/login");
}

async function boot() {
  main.replaceChildren(spinner());
  try {
    if (await start()) {
      buildNav();
      stopUpdates = startUpdates();
    }
  } catch (error) {
    if (error.status !== 401) {
      main.replaceChildren(errorBox(error, () => location.reload()));
      return;
    }
  }
  window.addEventListener("hashchange", render);
  render();
}

window.addEventListener("unhandledrejection", (event) => {
  if (event.reason && event.reason.status === 401) { event.preventDefault(); return; }
  toast((event.reason && event.reason.message) || "Something went wrong.", "error");
});

boot();
