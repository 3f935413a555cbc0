// Square thumbnails of posts, three a row, loaded page by page.
import * as api from "../api.js";
import { emptyState, errorBox, h, icon, infinite, spinner } from "../ui.js";
import { photosOf } from "./postcard.js";

export function gridTile(post) {
  const photos = photosOf(post);
  const first = photos[0];
  return h("a.tile", { href: `#/p/${post.id}`, "aria-label": `Post by ${post.author_username}${post.content ? `: ${post.content.slice(0, 80)}` : ""}` },
    first ? h("img", { src: first.thumbnail_url || first.url, alt: `Photo by ${post.author_username}${post.content ? `: ${post.content.slice(0, 80)}` : ""}`, loading: "lazy" })
      : h("span.tile-text", post.content),
    photos.length > 1 ? h("span.tile-badge", icon("photos", { label: `${photos.length} photos` })) : null,
    h("span.tile-hover", { "aria-hidden": "true" }, `♥ ${post.like_count}   💬 ${post.comment_count}`));
}

// -> [element, cleanup]; onError(error) may take over (private accounts).
export function pagedGrid(path, { empty, onError } = {}) {
  const grid = h("div.grid");
  const status = h("div.list-status");
  const sentinel = h("div.sentinel");
  const pages = api.pages(path, 12);
  let count = 0;
  const load = async () => {
    status.replaceChildren(spinner());
    try {
      const posts = await pages.next();
      grid.append(...posts.map(gridTile));
      count += posts.length;
      status.replaceChildren(!count && pages.done && empty ? empty : "");
      return !pages.done;
    } catch (error) {
      if (error.status === 401) return false;
      if (onError && onError(error, status)) return false;
      status.replaceChildren(errorBox(error));
      return false;
    }
  };
  const observer = infinite(sentinel, load);
  return [h("div", grid, status, sentinel), () => observer.disconnect()];
}

export const noPosts = (text = "No posts yet") => emptyState(text);
