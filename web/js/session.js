// Who is logged in, and what the client remembers about them between
// screens: whom they follow and block (the API's profiles carry no viewer
// state, so these sets are loaded once and kept up to date by the actions).
import * as api from "./api.js";

export const session = {
  me: null,
  following: new Set(),
  requested: new Set(),
  blocked: new Set(),
};

const users = new Map();

export async function start() {
  if (!api.token.get()) return null;
  session.me = await api.get("/api/auth/me");
  const [following, blocked] = await Promise.all([
    api.all(`/api/users/${session.me.id}/following`),
    api.all("/api/blocks"),
  ]);
  session.following = new Set(following.map((user) => user.id));
  session.blocked = new Set(blocked.map((user) => user.id));
  session.requested = new Set(JSON.parse(sessionStorage.getItem("instagram.requested") || "[]"));
  return session.me;
}

export function rememberRequested() {
  sessionStorage.setItem("instagram.requested", JSON.stringify([...session.requested]));
}

export async function login(email, password) {
  const { data } = await api.request("POST", "/api/auth/login", { email, password }, { auth: false });
  api.token.set(data.access_token);
  return start();
}

export function logout() {
  api.token.clear();
  sessionStorage.removeItem("instagram.requested");
  session.me = null;
  users.clear();
}

// A user's profile, fetched once per session (avatars and names in lists).
export function user(id) {
  if (!users.has(id)) {
    users.set(id, api.get(`/api/users/${id}`).catch((error) => {
      users.delete(id);
      throw error;
    }));
  }
  return users.get(id);
}

export function forgetUser(id) { users.delete(id); }

// An @username to its id, through search (the API has no lookup by name).
export async function userByName(name) {
  const found = await api.get(`/api/search/users?q=${encodeURIComponent(name)}&limit=20`);
  return found.find((candidate) => candidate.username.toLowerCase() === name.toLowerCase()) || null;
}
