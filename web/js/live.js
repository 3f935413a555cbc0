// Live updates over the API's WebSocket (GET /api/realtime names it; the
// access token goes in its query string): each frame becomes a bus event,
// which the views already follow. A closed socket is reopened with a growing
// pause (1 s doubling to 30 s); the unread badge's polling stays as the
// fallback for a network that allows no WebSocket. <html data-live> says
// whether the socket is open ("open") or not ("closed").
import * as api from "./api.js";
import { emit } from "./bus.js";

const FRAMES = {
  message: (frame) => emit("message", { message: frame.message }),
  notification: (frame) => emit("notification", { notification: frame.notification }),
  "messages.read": (frame) => emit("messages:read", { readerId: frame.reader_id }),
};

export function startLive() {
  let socket = null;
  let stopped = false;
  let pause = 1000;
  let retry = null;

  async function open() {
    if (stopped || !api.token.get()) return;
    try {
      const { url } = await api.get("/api/realtime");
      if (stopped) return;
      socket = new WebSocket(`${url}/?token=${encodeURIComponent(api.token.get())}`);
    } catch {
      return later();
    }
    socket.addEventListener("open", () => {
      pause = 1000;
      document.documentElement.dataset.live = "open";
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      const handle = FRAMES[frame.type];
      if (handle) handle(frame);
    });
    socket.addEventListener("close", later);
  }

  function later() {
    document.documentElement.dataset.live = "closed";
    if (stopped) return;
    retry = setTimeout(open, pause);
    pause = Math.min(pause * 2, 30000);
  }

  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    if (socket) socket.close();
  };
}
