// A new post (1 to 10 photos) or a story (one photo): each file goes to
// storage through its presigned form as soon as it is picked, with a
// progress bar, then waits for processing ("ready" or "rejected").
import * as api from "../api.js";
import { navigate } from "../app.js";
import { busy, h, icon, toast } from "../ui.js";

const MAX_PHOTOS = 10;
const TYPES = ["image/jpeg", "image/png", "image/webp"];

export function newPostView(main, _params, { story = false } = {}) {
  main.className = "view compose";
  const limit = story ? 1 : MAX_PHOTOS;
  const items = [];
  const picker = h("input.visually-hidden", { type: "file", id: "photo-picker", accept: TYPES.join(","), multiple: !story });
  const tiles = h("ol.upload-list", { "aria-label": "Photos" });
  const caption = h("textarea", { name: "content", rows: 3, maxlength: 2200, placeholder: story ? "Add text to your story…" : "Write a caption… #hashtags and @mentions work", "aria-label": story ? "Story text" : "Caption" });
  const share = h("button.btn.btn-primary", { type: "submit" }, story ? "Share to story" : "Share");
  const formError = h("p.form-error", { role: "alert" });
  const status = h("p.muted", { role: "status" });

  const refresh = () => {
    const pending = items.filter((item) => item.state === "uploading").length;
    const ready = items.filter((item) => item.state === "ready").length;
    share.disabled = pending > 0 || (ready === 0 && !(story && caption.value.trim()) && !(!story && caption.value.trim()));
    status.textContent = pending ? `Uploading ${pending} photo${pending === 1 ? "" : "s"}…` : ready ? `${ready} photo${ready === 1 ? "" : "s"} ready` : "";
    pickLabel.hidden = items.filter((item) => item.state !== "rejected").length >= limit;
  };

  const addFile = (file) => {
    const bar = h("progress", { max: 100, value: 0, "aria-label": `Uploading ${file.name}` });
    const message = h("p.upload-message");
    const preview = h("img", { alt: `Preview of ${file.name}` });
    const reader = URL.createObjectURL(file);
    preview.src = reader;
    const item = { file, state: "uploading", media: null };
    const remove = h("button.remove", { type: "button", "aria-label": `Remove ${file.name}` }, icon("close"));
    const tile = h("li.upload", { "data-state": "uploading" }, preview, bar, message, remove);
    remove.addEventListener("click", () => {
      items.splice(items.indexOf(item), 1);
      tile.remove();
      refresh();
    });
    const settle = (state, text) => {
      item.state = state;
      tile.dataset.state = state;
      message.textContent = text;
      bar.hidden = state !== "uploading";
      refresh();
    };
    items.push(item);
    tiles.append(tile);
    refresh();
    api.uploadPhoto(file, (fraction) => {
      bar.value = Math.round(fraction * 100);
      if (fraction >= 1) message.textContent = "Processing…";
    }).then((media) => {
      item.media = media;
      if (media.status === "ready") settle("ready", "Ready");
      else settle("rejected", `${file.name} can't be used: ${media.reason || "the file was rejected"}`);
    }).catch((error) => settle("rejected", `${file.name}: ${error.message}`));
  };

  picker.addEventListener("change", () => {
    formError.textContent = "";
    const room = limit - items.filter((item) => item.state !== "rejected").length;
    const files = [...picker.files];
    if (files.length > room) formError.textContent = `You can add up to ${limit} photo${limit === 1 ? "" : "s"}; the first ${room} were added.`;
    files.slice(0, Math.max(0, room)).forEach(addFile);
    picker.value = "";
  });
  caption.addEventListener("input", refresh);

  const pickLabel = h("label.pick", { for: "photo-picker", tabindex: "0", role: "button",
    onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); picker.click(); } } },
  icon("photos"), h("span", story ? "Choose a photo" : "Choose photos (up to 10)"));

  const form = h("form.compose-form", { "aria-label": story ? "New story" : "New post" },
    h("div.compose-head", h("h1", story ? "New story" : "New post"),
      h("a.link-btn", { href: story ? "#/new" : "#/new/story" }, story ? "New post instead" : "Add to your story instead")),
    picker, pickLabel, tiles, caption, status, formError, h("div.compose-actions", share));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    formError.textContent = "";
    const ready = items.filter((item) => item.state === "ready").map((item) => item.media.id);
    const content = caption.value.trim();
    busy(share, async () => {
      if (story) {
        await api.post("/api/stories", { ...(ready.length ? { media_id: ready[0] } : {}), ...(content ? { content } : {}) });
        toast("Added to your story");
        navigate("/");
      } else {
        const post = await api.post("/api/posts", { ...(ready.length ? { media_ids: ready } : {}), ...(content ? { content } : {}) });
        toast("Your post has been shared");
        navigate(`/p/${post.id}`);
      }
    }, (error) => { formError.textContent = error.message; });
  });
  main.append(form);
  refresh();
}
