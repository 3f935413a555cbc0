import * as api from "../api.js";
import { session } from "../session.js";
import { emptyState, errorBox, h, icon, spinner } from "../ui.js";
import { noPosts, pagedGrid } from "./grid.js";
import { userRow } from "./profile.js";

export function searchView(main) {
  main.className = "view narrow";
  const input = h("input.search-input", { type: "search", placeholder: "Search", "aria-label": "Search users and hashtags", autocomplete: "off" });
  const results = h("div.search-results", { "aria-live": "polite" });
  main.append(h("div.search-box", icon("search"), input), results);
  let timer = null;
  let asked = 0;
  const run = async () => {
    const raw = input.value.trim();
    const turn = ++asked;
    if (!raw) { results.replaceChildren(); return; }
    results.replaceChildren(spinner("Searching…"));
    const tagOnly = raw.startsWith("#");
    const q = encodeURIComponent(raw.replace(/^[#@]/, ""));
    if (!q) { results.replaceChildren(); return; }
    try {
      const [users, tags] = await Promise.all([
        tagOnly ? [] : api.get(`/api/search/users?q=${q}&limit=20`),
        raw.startsWith("@") ? [] : api.get(`/api/search/hashtags?q=${q}&limit=10`),
      ]);
      if (turn !== asked) return;
      const tagRows = tags.map((tag) => h("li.user-row", h("a.user-link", { href: `#/tags/${encodeURIComponent(tag.name)}` },
        h("span.avatar.tag-avatar", { style: "width:44px;height:44px" }, "#"), h("span.user-names", h("strong", `#${tag.name}`)))));
      results.replaceChildren(users.length || tags.length
        ? h("ul.user-list", users.filter((user) => !session.blocked.has(user.id)).map((user) => userRow(user)), tagRows)
        : emptyState("No results found."));
    } catch (error) {
      if (turn === asked && error.status !== 401) results.replaceChildren(errorBox(error, run));
    }
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  input.focus();
  return () => clearTimeout(timer);
}

export function hashtagView(main, [rawTag]) {
  const tag = decodeURIComponent(rawTag).toLowerCase();
  main.className = "view profile";
  const [grid, stop] = pagedGrid(`/api/search/posts/hashtag/${encodeURIComponent(tag)}`, { empty: noPosts(`No posts with #${tag} yet`) });
  main.append(h("header.tag-header", h("span.avatar.tag-avatar.big", { "aria-hidden": "true" }, "#"), h("h1", `#${tag}`)), grid);
  return stop;
}

export function savedView(main) {
  main.className = "view profile";
  const [grid, stop] = pagedGrid("/api/saved", { empty: emptyState("Save", "Save photos that you want to see again. Only you can see what you've saved.") });
  main.append(h("header.page-head", h("h1.page-title", "Saved")), grid);
  return stop;
}

export { errorBox };
