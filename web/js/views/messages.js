// Direct messages. live.js (realtime) can emit "message" and
// "messages:read" on the bus: an open thread shows them as they come.
import * as api from "../api.js";
import { on } from "../bus.js";
import { session, user } from "../session.js";
import { avatar, busy, emptyState, errorBox, h, pagedList, spinner, timeAgo } from "../ui.js";
import { authorAvatar } from "./postcard.js";

export function inboxView(main) {
  main.className = "view narrow inbox";
  const list = h("ul.conversations", { "aria-label": "Conversations" });
  const status = h("div.list-status");
  const sentinel = h("div.sentinel");
  main.append(h("header.page-head", h("h1.page-title", "Messages"), h("a.link-btn", { href: "#/search" }, "New message")), list, status, sentinel);
  const pages = api.pages("/api/messages", 20);
  const row = (conversation) => {
    const last = conversation.last_message;
    const unread = last.receiver_id === session.me.id && !last.is_read;
    const name = h("strong", conversation.other_user_deleted ? "Deleted account" : "…");
    if (!conversation.other_user_deleted) {
      user(conversation.other_user_id).then((other) => { name.textContent = other.username; }).catch(() => { name.textContent = "Instagram user"; });
    }
    return h(`li.conversation${unread ? ".unread" : ""}`,
      h("a", { href: `#/inbox/${conversation.other_user_id}` },
        authorAvatar(conversation.other_user_id, "", 52),
        h("span.conversation-text", name,
          h("span.muted", `${last.sender_id === session.me.id ? "You: " : ""}${last.content} · ${timeAgo(last.created_at)}`)),
        unread ? h("span.unread-dot", { "aria-label": "Unread" }) : null));
  };
  return pagedList({ list, status, sentinel, pages, row,
    empty: () => emptyState("Your messages", "Send private messages to a friend: open their profile and press Message.") });
}

export async function threadView(main, [rawId]) {
  const otherId = Number(rawId);
  main.className = "view narrow thread";
  main.append(spinner());
  let other;
  try {
    other = await user(otherId);
  } catch (error) {
    if (error.status !== 404) throw error;
    // A deleted account's messages stay on this side (docs/accounts.md); there is no one to reply to.
    other = null;
  }
  const name = other ? other.username : "Deleted account";
  const list = h("ol.messages", { "aria-label": `Conversation with ${name}`, "aria-live": "polite" });
  const older = h("div.list-status");
  const input = h("input", { name: "content", placeholder: "Message…", "aria-label": "Message", autocomplete: "off", maxlength: 2000 });
  const send = h("button.link-btn", { type: "submit" }, "Send");
  const error = h("p.form-error", { role: "alert" });
  const form = h("form.message-form", h("div.comment-row", input, send), error);
  const seen = h("p.seen.muted", { hidden: true }, "Seen");
  const bubble = (message) => h(`li.message${message.sender_id === session.me.id ? ".mine" : ""}`, { "data-message-id": message.id },
    h("span.bubble", message.content), h("time.visually-hidden", { datetime: message.created_at }, timeAgo(message.created_at)));
  let newestMine = null;
  const paintSeen = () => {
    seen.hidden = !(newestMine && newestMine.is_read);
  };
  const scrollDown = () => window.scrollTo(0, document.body.scrollHeight);

  main.replaceChildren(
    h("header.thread-head", h("a.back-link", { href: "#/inbox", "aria-label": "Back to messages" }, "‹"),
      other ? h("a.user-link", { href: `#/u/${otherId}` }, avatar(other, 32), h("strong", name))
        : h("span.user-link", avatar(null, 32), h("strong", name))),
    older, list, seen, other ? form : h("p.muted.center", "This account was deleted. You can't reply."));

  const pages = api.pages(`/api/messages/${otherId}`, 30);
  const loadOlder = async (first) => {
    older.replaceChildren(spinner());
    try {
      const messages = await pages.next();  // newest first
      if (first) {
        const mine = messages.find((message) => message.sender_id === session.me.id);
        newestMine = mine && messages.indexOf(mine) === 0 ? mine : null;
      }
      // One sent while the first page loaded is already shown.
      const shown = new Set([...list.children].map((item) => item.dataset.messageId));
      list.prepend(...messages.filter((message) => !shown.has(String(message.id))).reverse().map(bubble));
      older.replaceChildren(pages.done ? (list.children.length ? "" : emptyState(other ? `Say hi to ${name}` : "Sorry, this page isn't available.")) : h("button.link-btn.muted", { type: "button", onclick: () => loadOlder(false) }, "Load earlier messages"));
      if (first && messages.some((message) => message.receiver_id === session.me.id && !message.is_read)) {
        api.post(`/api/messages/${otherId}/read`).catch(() => {});
      }
      paintSeen();
    } catch (failure) {
      if (failure.status !== 401) older.replaceChildren(errorBox(failure, () => loadOlder(first)));
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    const content = input.value.trim();
    if (!content) return;
    busy(send, async () => {
      const message = await api.post("/api/messages", { receiver_id: otherId, content });
      input.value = "";
      list.querySelector(".empty")?.remove();
      older.querySelector(".empty")?.remove();
      list.append(bubble(message));
      newestMine = message;
      paintSeen();
      scrollDown();
    }, (failure) => { error.textContent = failure.message; });
  });
  const stops = [
    on("message", ({ message }) => {
      if (message.sender_id !== otherId) return;
      list.append(bubble(message));
      newestMine = null;
      paintSeen();
      scrollDown();
      api.post(`/api/messages/${otherId}/read`).catch(() => {});
    }),
    on("messages:read", ({ readerId }) => {
      if (readerId === otherId && newestMine) { newestMine.is_read = true; paintSeen(); }
    }),
  ];
  await loadOlder(true);
  scrollDown();
  if (other) input.focus();
  return () => stops.forEach((stop) => stop());
}
