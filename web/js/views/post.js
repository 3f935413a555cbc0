import * as api from "../api.js";
import { navigate } from "../app.js";
import { session } from "../session.js";
import { busy, errorBox, h, richText, spinner, timeAgo } from "../ui.js";
import { authorAvatar, postCard } from "./postcard.js";

export async function postView(main, [id]) {
  main.className = "view post-page";
  main.append(spinner());
  let post;
  try {
    post = await api.get(`/api/posts/${id}`);
  } catch (error) {
    if (error.status === 404) {
      main.replaceChildren(h("div.empty", h("h2", "Sorry, this post isn't available."), h("p", "It may have been deleted, or its account is private.")));
      return;
    }
    throw error;
  }
  const input = h("input", { name: "content", placeholder: "Add a comment…", "aria-label": "Add a comment", autocomplete: "off", maxlength: 2200 });
  const card = postCard(post, { detail: true, onComment: () => input.focus() });
  const comments = h("ul.comments", { "aria-label": "Comments" });
  const more = h("div.list-status");
  let replyTo = null;
  const replying = h("div.replying", { hidden: true });
  const submit = h("button.link-btn", { type: "submit" }, "Post");
  const formError = h("p.form-error", { role: "alert" });
  const form = h("form.comment-form", replying, h("div.comment-row", input, submit), formError);

  const setReply = (comment, thread) => {
    replyTo = comment ? { comment, thread } : null;
    replying.hidden = !comment;
    replying.replaceChildren(...(comment ? [h("span", `Replying to @${comment.author_username}`),
      h("button.link-btn.muted", { type: "button", onclick: () => setReply(null) }, "Cancel")] : []));
    if (comment) { input.value = `@${comment.author_username} `; input.focus(); }
  };

  const commentItem = (comment, isReply = false) => {
    const replies = h("ul.replies");
    const item = h("li.comment", { "data-comment-id": comment.id },
      authorAvatar(comment.author_id, comment.author_username, 28),
      h("div.comment-main",
        h("p", h("a.username", { href: `#/u/${comment.author_id}` }, comment.author_username), " ", richText(comment.content)),
        h("div.comment-meta",
          h("time.muted", { datetime: comment.created_at }, timeAgo(comment.created_at)),
          h("button.link-btn.muted", { type: "button", onclick: () => setReply(isReply ? comment.parentComment : comment, isReply ? comment.thread : replies) }, "Reply"),
          canDelete(comment) ? h("button.link-btn.muted", { type: "button", onclick: (event) => deleteComment(event.currentTarget, comment, item) }, "Delete") : null),
        isReply ? null : replies));
    if (!isReply && comment.reply_count) {
      const toggle = h("button.link-btn.muted.view-replies", { type: "button" }, `—— View replies (${comment.reply_count})`);
      toggle.addEventListener("click", () => busy(toggle, async () => {
        const found = await api.all(`/api/posts/comments/${comment.id}/replies`);
        replies.replaceChildren(...found.map((reply) => commentItem({ ...reply, parentComment: comment, thread: replies }, true)));
        toggle.remove();
      }));
      item.querySelector(".comment-main").insertBefore(toggle, replies);
    }
    return item;
  };
  const canDelete = (comment) => session.me && (comment.author_id === session.me.id || post.author_id === session.me.id);
  const deleteComment = (button, comment, item) => busy(button, async () => {
    await api.del(`/api/posts/comments/${comment.id}`);
    item.remove();
  });

  // A comment posted while a page loads can arrive twice: in the page and as the POST's answer,
  // in either order.
  const isShown = (comment, list = comments) => [...list.children].some((item) => item.dataset.commentId === String(comment.id));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    formError.textContent = "";
    const content = input.value.trim();
    if (!content) return;
    busy(submit, async () => {
      const body = { content, ...(replyTo ? { parent_id: replyTo.comment.id } : {}) };
      const created = await api.post(`/api/posts/${post.id}/comments`, body);
      input.value = "";
      card.addComment();
      const list = replyTo ? replyTo.thread : comments;
      if (replyTo && !isShown(created, list)) list.append(commentItem({ ...created, parentComment: replyTo.comment, thread: list }, true));
      if (!replyTo && !isShown(created, list)) list.prepend(commentItem(created));
      setReply(null);
    }, (error) => { formError.textContent = error.message; });
  });

  const pages = api.pages(`/api/posts/${post.id}/comments`, 20);
  const loadMore = async () => {
    more.replaceChildren(spinner("Loading comments…"));
    try {
      const page = await pages.next();
      comments.append(...page.filter((comment) => !isShown(comment)).map((comment) => commentItem(comment)));
      more.replaceChildren(pages.done ? "" : h("button.link-btn.muted", { type: "button", onclick: loadMore }, "Load more comments"));
    } catch (error) {
      more.replaceChildren(errorBox(error, loadMore));
    }
  };
  const back = h("button.icon-btn.back-btn", { type: "button", "aria-label": "Back", onclick: () => (history.length > 1 ? history.back() : navigate("/")) }, "‹ Back");
  card.querySelector(".post-body").append(h("section.comment-section", h("h2.visually-hidden", "Comments"), comments, more), form);
  main.replaceChildren(back, card);
  await loadMore();
}
