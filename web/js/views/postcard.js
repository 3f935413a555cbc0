// A post as Instagram shows it: header, photos (a carousel for several),
// like / comment / save, counts and the caption.
import * as api from "../api.js";
import { navigate } from "../app.js";
import { session, user } from "../session.js";
import { avatar, busy, h, icon, plural, richText, timeAgo, toast } from "../ui.js";

export function authorAvatar(userId, username, size = 32) {
  const box = h("span.avatar-slot", avatar({ id: userId, username }, size));
  user(userId).then((profile) => box.replaceChildren(avatar(profile, size))).catch(() => {});
  return box;
}

export function photosOf(post) {
  if (post.media && post.media.length) return post.media;
  return post.image_url ? [{ url: post.image_url, thumbnail_url: post.image_url }] : [];
}

function carousel(post, onDoubleTap) {
  const photos = photosOf(post);
  const alt = (index) => `Photo ${photos.length > 1 ? `${index + 1} of ${photos.length} ` : ""}by ${post.author_username}${post.content ? `: ${post.content.slice(0, 100)}` : ""}`;
  const track = h("div.carousel-track", { tabindex: photos.length > 1 ? "0" : null, "aria-label": photos.length > 1 ? "Photos, use arrow keys" : null },
    photos.map((photo, index) => h("div.slide",
      h("img", { src: photo.url, alt: alt(index), loading: "lazy", width: photo.width || null, height: photo.height || null }))));
  const heart = h("div.burst", { "aria-hidden": "true" }, icon("heart", { filled: true }));
  const box = h("div.post-media", track, heart);
  // Every slide takes the first photo's shape, within Instagram's bounds (4:5 to 1.91:1).
  const first = photos[0];
  if (first.width && first.height) box.style.setProperty("--ratio", String(Math.min(1.91, Math.max(0.8, first.width / first.height))));
  let lastTap = 0;
  const burst = () => { heart.classList.remove("show"); void heart.offsetWidth; heart.classList.add("show"); onDoubleTap(); };
  track.addEventListener("dblclick", (event) => { event.preventDefault(); burst(); });
  track.addEventListener("touchend", () => {
    const now = Date.now();
    if (now - lastTap < 300) burst();
    lastTap = now;
  });
  if (photos.length > 1) {
    const dots = h("div.dots", { "aria-hidden": "true" }, photos.map(() => h("span")));
    const counter = h("span.counter", `1/${photos.length}`);
    const current = () => Math.round(track.scrollLeft / track.clientWidth);
    const go = (index) => track.scrollTo({ left: Math.max(0, Math.min(photos.length - 1, index)) * track.clientWidth, behavior: "smooth" });
    const prev = h("button.nav-arrow.prev", { type: "button", "aria-label": "Previous photo", onclick: () => go(current() - 1) }, icon("left"));
    const next = h("button.nav-arrow.next", { type: "button", "aria-label": "Next photo", onclick: () => go(current() + 1) }, icon("right"));
    const update = () => {
      const index = current();
      [...dots.children].forEach((dot, i) => dot.classList.toggle("on", i === index));
      counter.textContent = `${index + 1}/${photos.length}`;
      prev.hidden = index === 0;
      next.hidden = index === photos.length - 1;
    };
    track.addEventListener("scroll", update, { passive: true });
    track.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight") { event.preventDefault(); go(current() + 1); }
      if (event.key === "ArrowLeft") { event.preventDefault(); go(current() - 1); }
    });
    box.append(prev, next, counter, dots);
    requestAnimationFrame(update);
  }
  return box;
}

export function postCard(post, { detail = false, onDeleted, onComment } = {}) {
  const state = { ...post };
  const likeButton = h("button.icon-btn.like", { type: "button" });
  const saveButton = h("button.icon-btn.save", { type: "button" });
  const likes = h("p.likes");
  const paint = () => {
    likeButton.replaceChildren(icon("heart", { filled: state.liked_by_me }));
    likeButton.setAttribute("aria-pressed", String(Boolean(state.liked_by_me)));
    likeButton.setAttribute("aria-label", state.liked_by_me ? "Unlike" : "Like");
    likeButton.classList.toggle("on", Boolean(state.liked_by_me));
    saveButton.replaceChildren(icon("save", { filled: state.saved_by_me }));
    saveButton.setAttribute("aria-pressed", String(Boolean(state.saved_by_me)));
    saveButton.setAttribute("aria-label", state.saved_by_me ? "Remove from saved" : "Save");
    likes.textContent = plural(state.like_count, "like");
  };
  const toggleLike = () => busy(likeButton, async () => {
    const answer = await api.post(`/api/posts/${state.id}/likes`);
    state.liked_by_me = answer.liked;
    state.like_count = answer.like_count;
    paint();
  });
  likeButton.addEventListener("click", toggleLike);
  saveButton.addEventListener("click", () => busy(saveButton, async () => {
    const answer = state.saved_by_me ? await api.del(`/api/posts/${state.id}/save`) : await api.post(`/api/posts/${state.id}/save`);
    state.saved_by_me = answer.saved;
    paint();
    toast(answer.saved ? "Saved" : "Removed from saved");
  }));
  paint();

  const photos = photosOf(post);
  const header = h("header.post-header",
    h("a.post-author", { href: `#/u/${post.author_id}` }, authorAvatar(post.author_id, post.author_username), h("strong", post.author_username)),
    h("span.muted.dot-sep", "•"),
    h("a.muted.post-time", { href: `#/p/${post.id}`, title: new Date(post.created_at).toLocaleString() }, h("time", { datetime: post.created_at }, timeAgo(post.created_at))));
  if (session.me && post.author_id === session.me.id) {
    const remove = h("button.icon-btn.more", { type: "button", "aria-label": "Delete post" }, icon("more"));
    remove.addEventListener("click", () => {
      if (!confirm("Delete this post?")) return;
      busy(remove, async () => {
        await api.del(`/api/posts/${post.id}`);
        toast("Post deleted");
        if (onDeleted) onDeleted(); else navigate(`/u/${post.author_id}`);
      });
    });
    header.append(remove);
  }
  const commentLink = h("a.icon-btn", { href: `#/p/${post.id}`, "aria-label": "Comment" }, icon("comment"));
  if (detail && onComment) commentLink.addEventListener("click", (event) => { event.preventDefault(); onComment(); });
  const comments = h("p.comment-count");
  const paintComments = () => {
    comments.replaceChildren(state.comment_count && !detail
      ? h("a.muted", { href: `#/p/${post.id}` }, state.comment_count === 1 ? "View 1 comment" : `View all ${state.comment_count} comments`)
      : "");
  };
  paintComments();
  const card = h("article.post-card", { "data-post-id": post.id, "aria-label": `Post by ${post.author_username}` },
    header,
    photos.length ? carousel(post, () => { if (!state.liked_by_me) toggleLike(); }) : null,
    h("div.post-body",
      h("div.actions", likeButton, commentLink, h("a.icon-btn", { href: `#/inbox`, "aria-label": "Share in a message" }, icon("send")), h("span.spacer"), saveButton),
      likes,
      post.content ? h("p.caption", h("a.username", { href: `#/u/${post.author_id}` }, post.author_username), " ", richText(post.content)) : null,
      comments));
  card.addComment = () => { state.comment_count += 1; paintComments(); };
  return card;
}
