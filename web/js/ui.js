// DOM helpers, icons and the small widgets every view shares.

// h("div.card", {onclick}, child, ...): an element with classes, attributes and children.
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className += ` ${value}`;
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = "http://www.w3.org/2000/svg";
const PATHS = {
  home: "M3 10.5 12 3l9 7.5V21a1 1 0 0 1-1 1h-5v-7h-6v7H4a1 1 0 0 1-1-1z",
  search: "M10.5 3a7.5 7.5 0 1 1 0 15 7.5 7.5 0 0 1 0-15zM16 16l5.5 5.5",
  plus: "M12 7v10M7 12h10M5 2h14a3 3 0 0 1 3 3v14a3 3 0 0 1-3 3H5a3 3 0 0 1-3-3V5a3 3 0 0 1 3-3z",
  heart: "M16.8 3.3c-2 0-3.6 1-4.8 2.8C10.8 4.3 9.2 3.3 7.2 3.3 4.3 3.3 2 5.7 2 8.8c0 5.6 7.4 10.4 10 12 2.6-1.6 10-6.4 10-12 0-3.1-2.3-5.5-5.2-5.5z",
  comment: "M20.7 16.7A9.5 9.5 0 1 0 17 20.5L22 22z",
  send: "M22 3 9.2 10.1M22 3l-6.5 18-4.3-8.6L2 8.3z",
  save: "M19 21l-7-5.5L5 21V3h14z",
  user: "M12 12a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zM3.5 21.5c.8-4 4.2-6.5 8.5-6.5s7.7 2.5 8.5 6.5",
  back: "M15 4 7 12l8 8",
  close: "M5 5l14 14M19 5 5 19",
  more: "M5 12h.01M12 12h.01M19 12h.01",
  grid: "M3 3h18v18H3zM9 3v18M15 3v18M3 9h18M3 15h18",
  lock: "M6 10V7a6 6 0 0 1 12 0v3M4 10h16v12H4z",
  left: "M14 6l-6 6 6 6",
  right: "M10 6l6 6-6 6",
  photos: "M3 5h14v14H3zM7 2h14v14M7 14l3-4 3 3 2-2 2 3",
  mail: "M3 5h18v14H3zM3 6l9 7 9-7",
};

export function icon(name, { filled = false, label } = {}) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", `icon icon-${name}${filled ? " filled" : ""}`);
  if (label) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", label); }
  else svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", PATHS[name]);
  svg.append(path);
  return svg;
}

export function spinner(label = "Loading…") {
  return h("div.spinner", { role: "status", "aria-label": label }, h("span.visually-hidden", label));
}

export function errorBox(error, retry) {
  return h("div.error", { role: "alert" },
    h("p", error.message || String(error)),
    retry ? h("button.btn.btn-secondary", { type: "button", onclick: retry }, "Try again") : null);
}

export function toast(text, kind = "info") {
  const box = document.querySelector(".toasts");
  const item = h(`div.toast.toast-${kind}`, text);
  box.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 6000 : 3000);
}

// Runs action once at a time for this button: a second click while the
// first request is in flight does nothing. Errors go to onError or a toast.
export async function busy(button, action, onError) {
  if (button.disabled || button.getAttribute("aria-busy") === "true") return;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await action();
  } catch (error) {
    if (error.signedOut) return;
    if (onError) onError(error); else toast(error.message, "error");
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

const PALETTE = ["#f58529", "#dd2a7b", "#8134af", "#515bd4", "#2a9d8f", "#e76f51", "#457b9d"];

export function avatar(user, size = 32) {
  const name = (user && user.username) || "?";
  const url = user && user.profile_image_url;
  const box = h("span.avatar", { style: `width:${size}px;height:${size}px;font-size:${Math.round(size * 0.42)}px` });
  if (url) box.append(h("img", { src: url, alt: `${name}'s profile picture`, loading: "lazy" }));
  else {
    box.style.background = PALETTE[(user && user.id ? Number(user.id) : 0) % PALETTE.length];
    box.append(h("span", { "aria-hidden": "true" }, name[0].toUpperCase()));
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", `${name}'s profile picture`);
  }
  return box;
}

export function timeAgo(iso) {
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  const units = [["w", 604800], ["d", 86400], ["h", 3600], ["m", 60]];
  for (const [unit, size] of units) if (seconds >= size) return `${Math.floor(seconds / size)}${unit}`;
  return "just now";
}

export const plural = (count, word) => `${count.toLocaleString()} ${word}${count === 1 ? "" : "s"}`;

// Text with #hashtags and @mentions as links.
export function richText(text) {
  const parts = [];
  const pattern = /([#@])([A-Za-z0-9_.]*[A-Za-z0-9_])/g;
  let last = 0;
  for (const match of (text || "").matchAll(pattern)) {
    const before = match.index === 0 ? "" : text[match.index - 1];
    if (/[A-Za-z0-9_]/.test(before)) continue;
    parts.push(text.slice(last, match.index));
    const [whole, sign, name] = match;
    parts.push(h("a.tag", { href: sign === "#" ? `#/tags/${encodeURIComponent(name.toLowerCase())}` : `#/@${encodeURIComponent(name)}` }, whole));
    last = match.index + whole.length;
  }
  parts.push(text.slice(last));
  return parts;
}

export function emptyState(title, text) {
  return h("div.empty", h("h2", title), text ? h("p", text) : null);
}

// Calls load() whenever sentinel scrolls into view, until it returns false.
// A list that loads the next page of `pages` whenever `sentinel` comes into
// view: each item drawn by row into list, the spinner and errors in status,
// empty() once nothing came at all. failure(error) may answer what to show
// for an error instead of the usual box (a 401 shows nothing: it goes back
// to login). Returns what stops it.
export function pagedList({ list, status, sentinel, pages, row, empty, failure = () => null }) {
  const observer = infinite(sentinel, async () => {
    status.replaceChildren(spinner());
    try {
      const items = await pages.next();
      list.append(...items.map(row));
      status.replaceChildren(pages.done && !list.children.length ? empty() : "");
      return !pages.done;
    } catch (error) {
      const shown = failure(error) || (error.status !== 401 ? errorBox(error) : null);
      if (shown) status.replaceChildren(shown);
      return false;
    }
  });
  return () => observer.disconnect();
}

export function infinite(sentinel, load) {
  let running = false;
  let finished = false;
  const observer = new IntersectionObserver(async (entries) => {
    if (!entries.some((entry) => entry.isIntersecting) || running || finished) return;
    running = true;
    try {
      if ((await load()) === false) { finished = true; observer.disconnect(); return; }
    } finally {
      running = false;
    }
    // Still in view after a short page: observing afresh reports it again.
    if (sentinel.isConnected) { observer.unobserve(sentinel); observer.observe(sentinel); }
  }, { rootMargin: "400px" });
  observer.observe(sentinel);
  return observer;
}
