import * as api from "../api.js";
import { session } from "../session.js";
import { emptyState, errorBox, h, infinite, spinner } from "../ui.js";
import { postCard } from "./postcard.js";
import { storiesBar } from "./stories.js";

export function feedView(main) {
  main.className = "view feed";
  const list = h("div.posts");
  const sentinel = h("div.sentinel");
  const status = h("div.list-status");
  main.append(storiesBar(), list, status, sentinel);
  const pages = api.pages("/api/feed", 6);
  let count = 0;
  const load = async () => {
    status.replaceChildren(spinner("Loading posts…"));
    try {
      const posts = await pages.next();
      for (const post of posts) {
        const card = postCard(post, { onDeleted: () => card.remove() });
        list.append(card);
      }
      count += posts.length;
      status.replaceChildren();
      if (pages.done) {
        status.replaceChildren(count
          ? h("p.muted.center.end", "You're all caught up")
          : emptyState(`Welcome, ${session.me.username}!`, "Follow people to see their photos here, or share your first post."));
        return false;
      }
      return true;
    } catch (error) {
      if (error.status === 401) return false;
      status.replaceChildren(errorBox(error, () => { observer.disconnect(); observer = infinite(sentinel, load); }));
      return false;
    }
  };
  let observer = infinite(sentinel, load);
  return () => observer.disconnect();
}
