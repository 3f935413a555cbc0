import * as api from "../api.js";
import { navigate, signOut } from "../app.js";
import { emit } from "../bus.js";
import { forgetUser, rememberRequested, session, userByName } from "../session.js";
import { avatar, busy, emptyState, h, icon, pagedList, spinner, timeAgo, toast } from "../ui.js";
import { noPosts, pagedGrid } from "./grid.js";

function notAvailable(main) {
  main.replaceChildren(h("div.empty", h("h2", "Sorry, this page isn't available."),
    h("p", "The link you followed may be broken, or the account may have been removed. ", h("a", { href: "#/" }, "Go back to Instagram."))));
}

// Follow / Following / Requested, kept in step with the session's sets.
export function followButton(userId, { small = false, onChange } = {}) {
  const button = h(`button.btn${small ? ".btn-small" : ""}`, { type: "button" });
  const paint = () => {
    const following = session.following.has(userId);
    const requested = session.requested.has(userId);
    button.textContent = following ? "Following" : requested ? "Requested" : "Follow";
    button.classList.toggle("btn-primary", !following && !requested);
    button.classList.toggle("btn-secondary", following || requested);
  };
  button.addEventListener("click", () => busy(button, async () => {
    const wasFollowing = session.following.has(userId);
    const answer = wasFollowing || session.requested.has(userId)
      ? await api.del(`/api/follow/${userId}`) : await api.post(`/api/follow/${userId}`);
    if (answer.following) session.following.add(userId); else session.following.delete(userId);
    if (answer.requested) session.requested.add(userId); else session.requested.delete(userId);
    rememberRequested();
    forgetUser(userId);
    paint();
    if (onChange) onChange(answer, wasFollowing);
  }, (error) => {
    // The client's memory was stale: the answer says how things stand.
    if (error.detail === "Already following") session.following.add(userId);
    if (error.detail === "Already requested") session.requested.add(userId);
    if (error.detail === "Not following") { session.following.delete(userId); session.requested.delete(userId); }
    paint();
    toast(error.message, "error");
  }));
  paint();
  return button;
}

export async function profileView(main, [rawId]) {
  const id = Number(rawId);
  main.className = "view profile";
  main.append(spinner());
  let profile;
  try {
    profile = await api.get(`/api/users/${id}`);
  } catch (error) {
    if (error.status === 404) return notAvailable(main);
    throw error;
  }
  const mine = id === session.me.id;
  const followers = h("strong", String(profile.follower_count));
  const stat = (count, label, href) => h(href ? "a.stat" : "span.stat", { href }, count instanceof Node ? count : h("strong", String(count)), ` ${label}`);
  const actions = h("div.profile-actions");
  if (mine) {
    actions.append(
      h("a.btn.btn-secondary", { href: "#/edit" }, "Edit profile"),
      h("a.btn.btn-secondary", { href: "#/requests" }, "Requests"),
      h("button.btn.btn-secondary", { type: "button", onclick: () => signOut() }, "Log out"));
  } else if (session.blocked.has(id)) {
    actions.append(blockButton(id, profile.username));
  } else {
    actions.append(
      followButton(id, { onChange: (answer, was) => {
        const count = Number(followers.textContent) + (answer.following && !was ? 1 : !answer.following && was ? -1 : 0);
        followers.textContent = String(count);
        // Drawn again (a private account's posts may show now), unless the
        // person has gone elsewhere while the request ran.
        if (answer.following !== was && location.hash === `#/u/${id}`) navigate(`/u/${id}`);
      } }),
      h("a.btn.btn-secondary", { href: `#/inbox/${id}` }, "Message"),
      moreMenu(id, profile.username));
  }
  const header = h("header.profile-header",
    h("div.profile-avatar", avatar(profile, 150)),
    h("section.profile-info",
      h("div.profile-title", h("h1", profile.username, profile.is_private ? icon("lock", { label: "Private account" }) : null), actions),
      h("ul.stats",
        h("li", stat(profile.post_count, profile.post_count === 1 ? "post" : "posts")),
        h("li", stat(followers, profile.follower_count === 1 ? "follower" : "followers", `#/u/${id}/followers`)),
        h("li", stat(profile.following_count, "following", `#/u/${id}/following`))),
      h("div.bio", profile.full_name ? h("p", h("strong", profile.full_name)) : null, profile.bio ? h("p.bio-text", profile.bio) : null)));
  const tabs = h("nav.profile-tabs", { "aria-label": "Profile sections" },
    h("a.active", { href: `#/u/${id}`, "aria-current": "page" }, icon("grid"), " Posts"),
    mine ? h("a", { href: "#/saved" }, icon("save"), " Saved") : null);
  const [grid, stop] = pagedGrid(`/api/users/${id}/posts`, {
    empty: noPosts(mine ? "Share your first photo" : "No posts yet"),
    onError: (error, status) => {
      if (error.status !== 403) return false;
      status.replaceChildren(h("div.private", icon("lock"), h("h2", "This account is private"),
        h("p", "Follow this account to see their photos and videos.")));
      return true;
    },
  });
  main.replaceChildren(header, tabs, grid);
  return stop;
}

function blockButton(id, username) {
  const button = h("button.btn.btn-secondary", { type: "button" }, "Unblock");
  button.addEventListener("click", () => busy(button, async () => {
    await api.del(`/api/blocks/${id}`);
    session.blocked.delete(id);
    toast(`${username} unblocked`);
    navigate(`/u/${id}`);
  }));
  return button;
}

function moreMenu(id, username) {
  const menu = h("div.menu", { hidden: true, role: "menu" });
  const toggle = h("button.icon-btn", { type: "button", "aria-label": "Options", "aria-haspopup": "menu", "aria-expanded": "false" }, icon("more"));
  const block = h("button.menu-item.danger", { type: "button", role: "menuitem" }, "Block");
  block.addEventListener("click", () => {
    if (!confirm(`Block ${username}? They won't be able to find your profile, posts or story.`)) return;
    busy(block, async () => {
      await api.post(`/api/blocks/${id}`);
      session.blocked.add(id);
      session.following.delete(id);
      session.requested.delete(id);
      rememberRequested();
      toast(`${username} blocked`);
      navigate(`/u/${id}`);
    });
  });
  menu.append(block, h("button.menu-item", { type: "button", role: "menuitem", onclick: () => { menu.hidden = true; toggle.setAttribute("aria-expanded", "false"); } }, "Cancel"));
  toggle.addEventListener("click", () => {
    menu.hidden = !menu.hidden;
    toggle.setAttribute("aria-expanded", String(!menu.hidden));
    if (!menu.hidden) block.focus();
  });
  return h("div.menu-wrap", toggle, menu);
}

export async function profileByNameView(main, [name]) {
  main.append(spinner());
  const found = await userByName(decodeURIComponent(name));
  if (!found) return notAvailable(main);
  location.replace(`#/u/${found.id}`);
}

export function userRow(user, extra) {
  return h("li.user-row",
    h("a.user-link", { href: `#/u/${user.id}` }, avatar(user, 44),
      h("span.user-names", h("strong", user.username), user.full_name ? h("span.muted", user.full_name) : null)),
    extra || null);
}

export function userListView(main, [rawId, which]) {
  const id = Number(rawId);
  main.className = "view narrow";
  const list = h("ul.user-list");
  const status = h("div.list-status");
  const sentinel = h("div.sentinel");
  main.append(h("h1.page-title", which === "followers" ? "Followers" : "Following"), list, status, sentinel);
  const pages = api.pages(`/api/users/${id}/${which}`, 20);
  return pagedList({ list, status, sentinel, pages,
    row: (user) => userRow(user, user.id === session.me.id ? null : followButton(user.id, { small: true })),
    empty: () => emptyState(which === "followers" ? "No followers yet" : "Not following anyone yet"),
    failure: (error) => error.status === 403 ? h("div.private", icon("lock"), h("h2", "This account is private"))
      : error.status === 404 ? emptyState("Sorry, this page isn't available.") : null });
}

export function editProfileView(main) {
  main.className = "view narrow";
  const me = session.me;
  const error = h("p.form-error", { role: "alert" });
  const save = h("button.btn.btn-primary", { type: "submit" }, "Save");
  const photo = h("input.visually-hidden", { type: "file", id: "profile-photo", accept: "image/jpeg,image/png,image/webp" });
  const photoStatus = h("p.muted", { role: "status" });
  const progress = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "Uploading profile photo" });
  const face = h("span.avatar-slot", avatar(me, 56));
  let profileMediaId = null;
  photo.addEventListener("change", async () => {
    const file = photo.files[0];
    if (!file) return;
    error.textContent = "";
    progress.hidden = false;
    save.disabled = true;
    photoStatus.textContent = "Uploading…";
    try {
      const media = await api.uploadPhoto(file, (fraction) => { progress.value = Math.round(fraction * 100); if (fraction >= 1) photoStatus.textContent = "Processing…"; });
      if (media.status !== "ready") throw new Error(`${file.name} can't be used: ${media.reason || "the file was rejected"}`);
      profileMediaId = media.id;
      face.replaceChildren(avatar({ ...me, profile_image_url: media.thumbnail_url }, 56));
      photoStatus.textContent = "New photo ready: save to keep it.";
    } catch (failure) {
      photoStatus.textContent = "";
      error.textContent = failure.message;
    } finally {
      progress.hidden = true;
      save.disabled = false;
      photo.value = "";
    }
  });
  const form = h("form.edit-form", { "aria-label": "Edit profile" },
    h("h1.page-title", "Edit profile"),
    h("div.edit-photo", face, h("div", h("strong", me.username),
      h("label.link-btn", { for: "profile-photo", tabindex: "0", role: "button",
        onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); photo.click(); } } }, "Change profile photo"),
      photo, progress, photoStatus)),
    h("label.field", h("span", "Name"), h("input", { name: "full_name", value: me.full_name || "", maxlength: 100 })),
    h("label.field", h("span", "Bio"), h("textarea", { name: "bio", rows: 3, maxlength: 500 }, me.bio || "")),
    h("label.switch", h("input", { type: "checkbox", name: "is_private", checked: Boolean(me.is_private) }),
      h("span", h("strong", "Private account"), h("br"), h("span.muted", "Only people you approve can see your photos."))),
    h("div.compose-actions", save), error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    busy(save, async () => {
      const body = { full_name: form.full_name.value.trim(), bio: form.bio.value.trim(), is_private: form.is_private.checked,
        ...(profileMediaId ? { profile_media_id: profileMediaId } : {}) };
      session.me = await api.put("/api/users/me", body);
      forgetUser(me.id);
      emit("me:changed", session.me);
      toast("Profile saved");
      navigate(`/u/${me.id}`);
    }, (failure) => { error.textContent = failure.message; });
  });
  const settings = accountSettings();
  main.append(form, settings.section);
  return settings.stop;
}

// The settings area under the profile form: the data export (POST/GET
// /api/users/me/export) and the account's deletion (DELETE /api/users/me).
function accountSettings() {
  let polling = null;
  const exportStatus = h("p.muted", { role: "status" }, "Checking…");
  const exportLink = h("p.export-link");
  const exportError = h("p.form-error", { role: "alert" });
  const exportButton = h("button.btn.btn-secondary", { type: "button" }, "Download your data");
  const showExport = (exported) => {
    exportLink.replaceChildren();
    if (!exported) { exportStatus.textContent = "Get a copy of your profile, posts, comments, likes, follows, stories and messages as one ZIP file."; return; }
    if (exported.status === "ready") {
      exportStatus.textContent = `Your data is ready (requested ${timeAgo(exported.requested_at)}).`;
      exportButton.textContent = "Request a new copy";
      exportLink.append(h("a.link-btn", { href: exported.url, download: "" }, "Download the ZIP file"),
        h("span.muted", ` · the link works until ${new Date(exported.expires_at).toLocaleString()}`));
    } else if (exported.status === "pending") {
      exportStatus.textContent = "Preparing your data… We'll also email you the link when it's ready.";
      if (!polling) polling = setTimeout(() => { polling = null; refreshExport(); }, 3000);
    } else {
      exportStatus.textContent = "Your last export failed. Try again.";
    }
  };
  const refreshExport = () => api.get("/api/users/me/export").then(showExport)
    .catch((error) => { if (error.status === 404) showExport(null); else exportError.textContent = error.message; });
  exportButton.addEventListener("click", () => {
    exportError.textContent = "";
    busy(exportButton, async () => showExport(await api.post("/api/users/me/export")),
      (failure) => { exportError.textContent = failure.message; });
  });
  refreshExport();

  const deleteError = h("p.form-error", { role: "alert" });
  const password = h("input", { type: "password", name: "delete_password", autocomplete: "current-password" });
  const confirmDelete = h("button.btn.btn-danger", { type: "submit" }, "Delete my account");
  const cancel = h("button.btn.btn-secondary", { type: "button" }, "Cancel");
  const confirmStep = h("form.delete-confirm", { hidden: true, "aria-label": "Confirm account deletion" },
    h("p", h("strong", "Delete your account?"), " This can't be undone. At once:"),
    h("ul",
      h("li", "you are logged out everywhere, and can't log in again;"),
      h("li", "your profile, posts, comments, replies and stories disappear for everyone;"),
      h("li", "your likes, follows, saves and notifications are erased in the next moments;"),
      h("li", "your username and email become free for anyone to use;"),
      h("li", "messages you sent stay with the people you sent them to, shown from a deleted account.")),
    h("label.field", h("span", "Enter your password to confirm"), password),
    h("div.compose-actions", cancel, confirmDelete), deleteError);
  const deleteButton = h("button.btn.btn-danger-outline", { type: "button" }, "Delete account");
  deleteButton.addEventListener("click", () => {
    confirmStep.hidden = false;
    deleteButton.hidden = true;
    password.focus();
  });
  cancel.addEventListener("click", () => {
    confirmStep.hidden = true;
    deleteButton.hidden = false;
    password.value = "";
    deleteError.textContent = "";
  });
  confirmStep.addEventListener("submit", (event) => {
    event.preventDefault();
    deleteError.textContent = "";
    if (!password.value) { deleteError.textContent = "Enter your password."; return; }
    busy(confirmDelete, async () => {
      await api.del("/api/users/me", { password: password.value });
      signOut("Your account has been deleted. Your username and email are free again.");
    }, (failure) => { deleteError.textContent = failure.message; password.select(); });
  });

  const section = h("section.settings", { "aria-label": "Account settings" },
    h("h2.settings-title", "Account settings"),
    h("div.settings-item", h("h3", "Download your data"), exportStatus, exportLink, exportButton, exportError),
    h("div.settings-item", h("h3", "Delete account"),
      h("p.muted", "Deleting your account removes your profile and everything you shared."),
      deleteButton, confirmStep));
  return { section, stop: () => { if (polling) clearTimeout(polling); polling = null; } };
}

export function requestsView(main) {
  main.className = "view narrow";
  const list = h("ul.user-list");
  const status = h("div.list-status");
  const sentinel = h("div.sentinel");
  main.append(h("h1.page-title", "Follow requests"), list, status, sentinel);
  const pages = api.pages("/api/follow/requests", 20);
  const row = (user) => {
    const item = userRow(user);
    const decide = (button, approve) => busy(button, async () => {
      if (approve) await api.post(`/api/follow/requests/${user.id}/approve`);
      else await api.del(`/api/follow/requests/${user.id}`);
      item.querySelector(".row-actions").replaceChildren(h("span.muted", approve ? "Approved" : "Declined"));
      forgetUser(session.me.id);
    });
    const confirmButton = h("button.btn.btn-primary.btn-small", { type: "button" }, "Confirm");
    const deleteButton = h("button.btn.btn-secondary.btn-small", { type: "button" }, "Delete");
    confirmButton.addEventListener("click", () => decide(confirmButton, true));
    deleteButton.addEventListener("click", () => decide(deleteButton, false));
    item.append(h("div.row-actions", confirmButton, deleteButton));
    return item;
  };
  return pagedList({ list, status, sentinel, pages, row,
    empty: () => emptyState("No follow requests", "When someone asks to follow your private account, you'll see it here.") });
}
