import * as api from "../api.js";
import { emit, on } from "../bus.js";
import { busy, emptyState, h, pagedList, timeAgo } from "../ui.js";
import { authorAvatar } from "./postcard.js";

const POLL_SECONDS = 30;

// The unread count for the badge. Polled until live.js pushes notifications;
// it may emit "notifications:unread" itself and the badge follows.
export async function refreshUnread() {
  const list = await api.get("/api/notifications?limit=100");
  const count = list.filter((notification) => !notification.is_read).length;
  emit("notifications:unread", { count });
  return count;
}

export function startUnreadPolling() {
  let stopped = false;
  const tick = () => { if (!stopped && !document.hidden) refreshUnread().catch(() => {}); };
  tick();
  const timer = setInterval(tick, POLL_SECONDS * 1000);
  const stopLive = on("notification", tick);
  return () => { stopped = true; clearInterval(timer); stopLive(); };
}

function target(notification) {
  if (["follow", "follow_accepted"].includes(notification.type)) return `#/u/${notification.actor_id}`;
  if (notification.type === "follow_request") return "#/requests";
  return `#/p/${notification.reference_id}`;
}

export function notificationsView(main) {
  main.className = "view narrow";
  const list = h("ul.notifications", { "aria-label": "Notifications" });
  const status = h("div.list-status");
  const sentinel = h("div.sentinel");
  const readAll = h("button.link-btn", { type: "button" }, "Mark all as read");
  readAll.addEventListener("click", () => busy(readAll, async () => {
    await api.post("/api/notifications/read-all");
    for (const item of list.querySelectorAll(".unread")) item.classList.remove("unread");
    emit("notifications:unread", { count: 0 });
  }));
  main.append(h("header.page-head", h("h1.page-title", "Notifications"), readAll), list, status, sentinel);
  const row = (notification) => {
    const item = h(`li.notification${notification.is_read ? "" : ".unread"}`,
      h("a", { href: target(notification) },
        authorAvatar(notification.actor_id, notification.message, 44),
        h("span.notification-text", notification.message, " ", h("time.muted", { datetime: notification.created_at }, timeAgo(notification.created_at)))));
    item.querySelector("a").addEventListener("click", () => {
      if (!notification.is_read) {
        notification.is_read = true;
        api.post(`/api/notifications/${notification.id}/read`).then(() => refreshUnread()).catch(() => {});
      }
    });
    return item;
  };
  const pages = api.pages("/api/notifications", 30);
  return pagedList({ list, status, sentinel, pages, row,
    empty: () => emptyState("No notifications yet", "When people like or comment on your posts, you'll see it here.") });
}
