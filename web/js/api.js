// The HTTP API of CONTRACT.md, and nothing else. One place knows the base
// URL, the token, the error shape and the cursor header.
import { emit } from "./bus.js";

const BASE = ((window.APP_CONFIG && window.APP_CONFIG.apiBase) || "").replace(/\/$/, "");
const TOKEN_KEY = "instagram.token";

export class ApiError extends Error {
  constructor(status, detail, retryAfter) {
    super(describe(status, detail, retryAfter));
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

function describe(status, detail, retryAfter) {
  let text = typeof detail === "string" ? detail
    : Array.isArray(detail) ? detail.map((d) => d.msg || JSON.stringify(d)).join("; ")
    : detail ? JSON.stringify(detail) : "";
  if (status === 0) return "Can't reach the server. Check your connection and try again.";
  if (status === 429) {
    const wait = retryAfter ? ` Try again in ${retryAfter} second${retryAfter === "1" ? "" : "s"}.` : " Try again later.";
    return (text || "Too many requests.") + wait;
  }
  if (status === 503 && retryAfter) return (text || "The service is busy.") + ` Try again in ${retryAfter} seconds.`;
  if (status >= 500) return "Something went wrong on our side. Please try again.";
  return text || `Request failed (${status}).`;
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

// -> {data, next} where next is the X-Next-Cursor of a list, or null.
export async function request(method, path, body, { auth = true } = {}) {
  const headers = {};
  const bearer = auth && token.get();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0);
  }
  const raw = await response.text();
  let data = null;
  try { data = raw ? JSON.parse(raw) : null; } catch { data = null; }
  if (!response.ok) {
    const error = new ApiError(response.status, data && data.detail, response.headers.get("Retry-After"));
    // A token refused: the app returns to login (app.js), so the action's own
    // error line need not say it. A 401 without a token (a wrong login) is shown.
    if (response.status === 401 && bearer) { error.signedOut = true; emit("unauthorized", error); }
    throw error;
  }
  return { data, next: response.headers.get("X-Next-Cursor") };
}

export const get = async (path) => (await request("GET", path)).data;
export const post = async (path, body) => (await request("POST", path, body)).data;
export const put = async (path, body) => (await request("PUT", path, body)).data;
export const del = async (path, body) => (await request("DELETE", path, body)).data;

// A list endpoint, page by page along X-Next-Cursor.
export function pages(path, limit = 12) {
  let cursor = null;
  let done = false;
  return {
    get done() { return done; },
    async next() {
      if (done) return [];
      const joiner = path.includes("?") ? "&" : "?";
      const url = `${path}${joiner}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const { data, next } = await request("GET", url);
      cursor = next;
      done = !next;
      return data || [];
    },
  };
}

// Every page of a list (small lists only: following, blocks).
export async function all(path) {
  const list = pages(path, 100);
  const items = [];
  while (!list.done) items.push(...(await list.next()));
  return items;
}

// A photo straight to storage through the presigned form, with progress.
// -> the MediaResponse once processed ("ready" or "rejected").
export async function uploadPhoto(file, onProgress = () => {}) {
  const media = await post("/api/media", { content_type: file.type || "application/octet-stream", size_bytes: file.size });
  await new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(media.upload.fields)) form.append(name, value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", media.upload.url);
    xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
    xhr.onload = () => (xhr.status < 300 ? resolve()
      : reject(new ApiError(xhr.status, `The upload of ${file.name} was refused by storage (${xhr.status}).`)));
    xhr.onerror = () => reject(new ApiError(0));
    xhr.send(form);
  });
  onProgress(1);
  for (let wait = 250, waited = 0; waited < 60000; waited += wait, wait = Math.min(wait * 1.5, 2000)) {
    const current = await get(`/api/media/${media.id}`);
    if (current.status !== "pending") return current;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  throw new ApiError(408, `${file.name} is taking too long to process. Try again.`);
}
