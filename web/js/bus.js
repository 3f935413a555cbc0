// A tiny event bus: views listen, data sources (api.js, polling, and
// live.js over the realtime WebSocket) emit. Events used:
//   "unauthorized"          a request answered 401: back to login
//   "notifications:unread"  {count}: the badge on the heart
//   "notification"          {notification}: a new one (the badge recounts)
//   "me:changed"            the signed-in user's profile changed (nav avatar)
//   "message"               {message}: a direct message arrived
//   "messages:read"         {readerId}: my messages to readerId were read
const listeners = new Map();

export function on(type, listener) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(listener);
  return () => listeners.get(type).delete(listener);
}

export function emit(type, detail) {
  for (const listener of [...(listeners.get(type) || [])]) {
    try { listener(detail); } catch (error) { console.error(error); }
  }
}
