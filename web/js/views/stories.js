// The stories bar above the feed and the full-screen story viewer.
import * as api from "../api.js";
import { navigate } from "../app.js";
import { session } from "../session.js";
import { h, icon, spinner, timeAgo, toast } from "../ui.js";
import { authorAvatar } from "./postcard.js";

const STORY_SECONDS = 5;

async function storiesByAuthor() {
  const stories = await api.all("/api/stories/feed");
  const byAuthor = new Map();
  for (const story of stories) {
    if (!byAuthor.has(story.author_id)) byAuthor.set(story.author_id, []);
    byAuthor.get(story.author_id).push(story);
  }
  for (const list of byAuthor.values()) list.reverse(); // oldest first, as they are watched
  return byAuthor;
}

export function storiesBar() {
  const bar = h("section.stories-bar", { "aria-label": "Stories" }, spinner("Loading stories…"));
  storiesByAuthor().then((byAuthor) => {
    const mine = byAuthor.get(session.me.id);
    const own = h("li.story-bubble", h("a", { href: mine ? `#/stories/${session.me.id}` : "#/new/story" },
      h("span.ring" + (mine ? "" : ".none"), authorAvatar(session.me.id, session.me.username, 56), mine ? null : h("span.add", "+")),
      h("span.story-name", "Your story")));
    const others = [...byAuthor.entries()].filter(([author]) => author !== session.me.id).map(([author, list]) =>
      h("li.story-bubble", h("a", { href: `#/stories/${author}` },
        h("span.ring", authorAvatar(author, list[0].author_username, 56)), h("span.story-name", list[0].author_username))));
    bar.replaceChildren(h("ul", own, ...others));
  }).catch((error) => {
    if (error.status === 401) return;
    bar.replaceChildren(h("p.muted", "Stories could not be loaded. ", error.message));
  });
  return bar;
}

export async function storyView(main, [rawAuthor]) {
  const authorId = Number(rawAuthor);
  main.className = "view story-stage";
  main.append(spinner());
  const byAuthor = await storiesByAuthor();
  const authors = [...byAuthor.keys()];
  const stories = byAuthor.get(authorId);
  if (!stories) { toast("No story to show."); navigate("/"); return; }
  let index = 0;
  let timer = null;
  const bars = h("div.story-bars", stories.map(() => h("span", h("i"))));
  const frame = h("div.story-frame");
  const close = () => navigate("/");
  const nextAuthor = (step) => {
    const next = authors[authors.indexOf(authorId) + step];
    if (next !== undefined) navigate(`/stories/${next}`); else close();
  };
  const show = (at) => {
    if (at < 0) return nextAuthor(-1);
    if (at >= stories.length) return nextAuthor(1);
    index = at;
    const story = stories[index];
    [...bars.children].forEach((bar, i) => { bar.className = i < index ? "done" : i === index ? "now" : ""; });
    const photo = story.media ? story.media.url : story.image_url;
    frame.replaceChildren(
      photo ? h("img", { src: photo, alt: `Story by ${story.author_username}${story.content ? `: ${story.content}` : ""}` }) : null,
      story.content ? h("p.story-text" + (photo ? "" : ".only"), story.content) : null);
    head.querySelector("time").textContent = timeAgo(story.created_at);
    clearTimeout(timer);
    timer = setTimeout(() => show(index + 1), STORY_SECONDS * 1000);
  };
  const head = h("header.story-head", authorAvatar(authorId, stories[0].author_username, 32),
    h("strong", stories[0].author_username), h("time.muted"), h("span.spacer"),
    authorId === session.me.id ? h("button.icon-btn", { type: "button", "aria-label": "Delete this story", onclick: async () => {
      if (!confirm("Delete this story?")) return;
      await api.del(`/api/stories/${stories[index].id}`);
      toast("Story deleted");
      close();
    } }, icon("more")) : null,
    h("button.icon-btn", { type: "button", "aria-label": "Close stories", onclick: close }, icon("close")));
  const prev = h("button.story-tap.left", { type: "button", "aria-label": "Previous", onclick: () => show(index - 1) });
  const next = h("button.story-tap.right", { type: "button", "aria-label": "Next", onclick: () => show(index + 1) });
  const keys = (event) => {
    if (event.key === "ArrowRight") show(index + 1);
    if (event.key === "ArrowLeft") show(index - 1);
    if (event.key === "Escape") close();
  };
  document.addEventListener("keydown", keys);
  main.replaceChildren(h("div.story-viewer", { role: "dialog", "aria-label": `Stories of ${stories[0].author_username}` }, bars, head, frame, prev, next));
  show(0);
  next.focus();
  return () => { clearTimeout(timer); document.removeEventListener("keydown", keys); };
}
