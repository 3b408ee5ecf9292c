// The article's edit form: a rich-text editor (Quill) over the body's <textarea>, images with
// captions placed in the body, and autosave. The <textarea> stays the form field — the page
// works without JavaScript — and Quill writes its HTML into it on every change and on submit.
// Every text shown comes from data-* attributes the template translated.
(function () {
  "use strict";
  const root = document.querySelector("[data-article-editor]");
  const form = root && root.closest("form");
  if (!form) return;
  const msg = root.dataset;
  // Quill's link tooltip labels, translated (CSS custom properties: no style attribute, which
  // the Content-Security-Policy would refuse).
  for (const name of ["visit", "edit", "remove", "enter", "save"]) {
    const label = msg["ql" + name[0].toUpperCase() + name.slice(1)];
    if (label) root.style.setProperty("--ql-" + name, JSON.stringify(label));
  }
  const textarea = root.querySelector('textarea[name="body_html"]');
  const notice = root.querySelector('[data-role="editor-notice"]');
  const status = form.querySelector('[data-role="autosave-status"]');

  // --- the cover --------------------------------------------------------------------------
  // A picture chosen for the cover shows at once where the current one is (it replaces it
  // when the form is saved), so the editor sees what they picked.
  const coverInput = form.querySelector('input[type="file"][name="cover"]');
  let coverURL = null;
  if (coverInput) coverInput.addEventListener("change", () => {
    const file = coverInput.files && coverInput.files[0];
    let figure = form.querySelector('[data-role="current-cover"]');
    if (coverURL) URL.revokeObjectURL(coverURL);
    coverURL = null;
    if (!file || !file.type.startsWith("image/")) return;
    if (!figure) {
      figure = document.createElement("figure");
      figure.className = "cover-field__current";
      figure.dataset.role = "current-cover";
      figure.append(document.createElement("img"), document.createElement("figcaption"));
      coverInput.closest(".field").before(figure);
    }
    const img = figure.querySelector("img");
    coverURL = URL.createObjectURL(file);
    img.removeAttribute("srcset");
    img.removeAttribute("sizes");
    img.removeAttribute("width");
    img.removeAttribute("height");
    img.src = coverURL;
    img.alt = msg.labelNewCover || "";
    figure.querySelector("figcaption").textContent = msg.labelNewCover || "";
  });
  const tokenInput = form.querySelector('input[name="csrf_token"]');
  const csrfToken = tokenInput ? tokenInput.value : "";
  let submitting = false;

  function say(element, text) {
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  // --- rich text -------------------------------------------------------------------------

  const Quill = window.Quill;
  // What the portal keeps (app.services.publishing.ALLOWED_TAGS): nothing Quill could make
  // beyond these reaches the stored body anyway.
  const FORMATS = ["header", "bold", "italic", "underline", "strike", "script", "link", "list",
    "indent", "blockquote", "image", "figure"];
  let quill = null;
  let rich = false;
  let editorBox = null;
  let toolbar = null;

  const escapeHTML = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;")
    .replace(/>/g, "&gt;").replace(/"/g, "&quot;");

  // <figure><img …><figcaption>…</figcaption></figure> as one block: the caption is part of
  // the picture, typed in the dialog (it stays plain text).
  function registerFigure() {
    const BlockEmbed = Quill.import("blots/block/embed");
    class Figure extends BlockEmbed {
      static create(value) {
        const node = super.create();
        node.setAttribute("contenteditable", "false");
        const img = document.createElement("img");
        img.setAttribute("src", value.src);
        img.setAttribute("alt", value.alt || "");
        if (value.width) img.setAttribute("width", value.width);
        if (value.height) img.setAttribute("height", value.height);
        img.setAttribute("loading", "lazy");
        node.appendChild(img);
        if (value.caption) {
          const caption = document.createElement("figcaption");
          caption.textContent = value.caption;
          node.appendChild(caption);
        }
        return node;
      }

      static value(node) {
        const img = node.querySelector("img");
        if (!img || !img.getAttribute("src")) return null; // not a picture: Quill reads its text
        const caption = node.querySelector("figcaption");
        return { src: img.getAttribute("src"), alt: img.getAttribute("alt") || "",
          width: img.getAttribute("width") || "", height: img.getAttribute("height") || "",
          caption: caption ? caption.textContent.trim() : "" };
      }

      // The stored form (getSemanticHTML): no editing-only attributes.
      html() {
        const v = Figure.value(this.domNode);
        if (!v) return "";
        let img = `<img src="${escapeHTML(v.src)}" alt="${escapeHTML(v.alt)}"`;
        if (v.width && v.height) img += ` width="${escapeHTML(v.width)}" height="${escapeHTML(v.height)}"`;
        const caption = v.caption ? `<figcaption>${escapeHTML(v.caption)}</figcaption>` : "";
        return `<figure>${img}>${caption}</figure>`;
      }
    }
    Figure.blotName = "figure";
    Figure.tagName = "FIGURE";
    Quill.register(Figure, true);
  }

  // Bodies with what Quill cannot hold (tables, rules) are edited as HTML: nothing is lost.
  function richTextCanHold(html) {
    const t = document.createElement("template");
    t.innerHTML = html;
    const c = t.content;
    return !c.querySelector("table, hr") &&
      Array.from(c.querySelectorAll("figure")).every((f) => f.querySelector("img"));
  }

  function bodyHTML() {
    if (quill.getLength() <= 1) return "";
    return quill.getSemanticHTML()
      .replace(/&nbsp;/g, " ") // Quill 2.0.3 writes every space as &nbsp;
      .replace(/(<p><br><\/p>)+$/, ""); // empty lines at the end
  }

  function syncBody() {
    if (quill && rich) textarea.value = bodyHTML();
  }

  function load(html) {
    quill.setContents(quill.clipboard.convert({ html: html }), "silent");
    quill.history.clear();
  }

  function setRich(on) {
    if (on && !richTextCanHold(textarea.value)) {
      say(notice, msg.msgHtmlOnly);
      on = false;
    }
    if (!on) syncBody();
    if (on) {
      load(textarea.value);
      say(notice, "");
    }
    rich = on;
    editorBox.hidden = !on;
    toolbar.querySelectorAll(".ql-formats").forEach((g) => { g.hidden = !on; });
    textarea.hidden = on;
    modeButton.textContent = on ? msg.labelHtmlMode : msg.labelRichMode;
    modeButton.setAttribute("aria-pressed", String(!on));
    if (on) syncBody();
  }

  let modeButton = null;
  let syncTimer = null;

  function mountQuill() {
    registerFigure();
    const template = root.querySelector('template[data-role="toolbar"]');
    toolbar = template.content.firstElementChild.cloneNode(true);
    editorBox = document.createElement("div");
    editorBox.className = "article-editor__box";
    textarea.before(toolbar, editorBox);
    quill = new Quill(editorBox, {
      theme: "snow",
      formats: FORMATS,
      modules: {
        toolbar: { container: toolbar, handlers: { image: pickImage } },
        uploader: { mimetypes: ["image/jpeg", "image/png", "image/webp"],
          handler: (range, files) => askCaption(files[0], range.index) },
      },
    });
    const Delta = Quill.import("delta");
    // Pasted pictures inline as data: URLs would be dropped on save: leave them out.
    quill.clipboard.addMatcher("IMG", (node, delta) =>
      (node.getAttribute("src") || "").startsWith("data:") ? new Delta() : delta);
    // Headings the portal does not use become the ones it does.
    quill.clipboard.addMatcher("H1", (node, delta) => retitle(delta, 2));
    quill.clipboard.addMatcher("H5", (node, delta) => retitle(delta, 4));
    quill.clipboard.addMatcher("H6", (node, delta) => retitle(delta, 4));
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("aria-label", msg.labelEditor);
    quill.root.setAttribute("aria-describedby", "body_html-hint");
    // Quill's pickers copy the <select>'s aria-label onto a plain <span>: give it to the
    // button inside instead, and name each choice.
    toolbar.querySelectorAll(".ql-picker").forEach((picker) => {
      const name = picker.getAttribute("aria-label");
      picker.removeAttribute("aria-label");
      const button = picker.querySelector(".ql-picker-label");
      if (button && name) button.setAttribute("aria-label", name);
      picker.querySelectorAll(".ql-picker-item").forEach((item) => {
        item.setAttribute("aria-label", item.getAttribute("data-label") || "");
      });
    });
    const linkBox = quill.theme.tooltip && quill.theme.tooltip.textbox;
    if (linkBox) linkBox.setAttribute("data-link", "https://");
    quill.on("text-change", () => {
      clearTimeout(syncTimer);
      syncTimer = setTimeout(syncBody, 150);
    });

    modeButton = document.createElement("button");
    modeButton.type = "button";
    modeButton.className = "article-editor__mode";
    modeButton.addEventListener("click", () => setRich(!rich));
    toolbar.appendChild(modeButton);
    const label = root.querySelector("#body_html-label");
    if (label && msg.labelBody) label.textContent = msg.labelBody; // no longer raw HTML
    const hint = root.querySelector("#body_html-hint");
    if (hint && msg.hintRich) hint.textContent = msg.hintRich;
    setRich(true);
  }

  function retitle(delta, level) {
    delta.ops.forEach((op) => {
      if (op.attributes && op.attributes.header) op.attributes.header = level;
    });
    return delta;
  }

  // --- images with captions ----------------------------------------------------------------

  const imageUrl = msg.imageUrl;
  const dialog = root.querySelector('[data-role="image-dialog"]');
  let pending = null; // {file, index} while the caption dialog is open

  function pickImage() {
    if (!imageUrl) {
      say(notice, msg.msgSaveFirst);
      return;
    }
    const input = document.createElement("input");
    input.type = "file";
    input.accept = "image/jpeg,image/png,image/webp";
    input.addEventListener("change", () => {
      const range = quill.getSelection(true);
      if (input.files[0]) askCaption(input.files[0], range ? range.index : quill.getLength() - 1);
    });
    input.click();
  }

  function askCaption(file, index) {
    if (!file) return;
    if (!imageUrl) {
      say(notice, msg.msgSaveFirst);
      return;
    }
    if (!dialog || typeof dialog.showModal !== "function") {
      const caption = window.prompt(msg.msgCaptionPrompt, "");
      if (caption !== null) upload(file, caption, index);
      return;
    }
    pending = { file: file, index: index };
    dialog.querySelector('[data-role="image-name"]').textContent = file.name;
    const input = dialog.querySelector('[data-role="image-caption"]');
    input.value = "";
    dialog.showModal();
    input.focus();
  }

  function closeDialog(insert) {
    const chosen = pending;
    const caption = dialog.querySelector('[data-role="image-caption"]').value.trim();
    pending = null;
    dialog.close();
    if (insert && chosen) upload(chosen.file, caption, chosen.index);
    else quill.focus();
  }

  if (dialog) {
    dialog.querySelector('[data-action="insert-image"]').addEventListener("click", () => closeDialog(true));
    dialog.querySelector('[data-action="cancel-image"]').addEventListener("click", () => closeDialog(false));
    dialog.addEventListener("cancel", () => { pending = null; });
    dialog.querySelector('[data-role="image-caption"]').addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault(); // not the article's form
        closeDialog(true);
      }
    });
  }

  async function upload(file, caption, index) {
    say(notice, msg.msgUploading);
    const data = new FormData();
    data.append("file", file);
    data.append("caption", caption);
    let response, json;
    try {
      response = await fetch(imageUrl, { method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken, Accept: "application/json" } });
      json = await response.json().catch(() => ({}));
    } catch (e) {
      say(notice, msg.msgUploadFailed);
      return;
    }
    if (!response.ok) {
      say(notice, json.error || msg.msgUploadFailed);
      return;
    }
    say(notice, "");
    // At the end of a line the picture goes after it (not splitting off an empty line).
    if (index > 0 && quill.getText(index, 1) === "\n") index += 1;
    quill.insertEmbed(index, "figure", { src: json.url, alt: json.caption, width: json.width,
      height: json.height, caption: json.caption }, "user");
    quill.setSelection(index + 1, 0, "user");
    syncBody();
  }

  // --- autosave ------------------------------------------------------------------------------

  const FIELDS = ["title", "lede", "body_html", "author_name", "cover_caption", "category_id",
    "unit_id"];
  const versionInput = form.querySelector('input[name="version"]');
  const baseVersion = (versionInput && versionInput.value) || msg.baseVersion || "0";
  const autosaveUrl = msg.autosaveUrl;
  let paused = msg.autosavePaused === "true"; // an older autosave is on offer: keep it
  let lastSaved = "";
  let inFlight = false;

  function fields() {
    clearTimeout(syncTimer);
    syncBody();
    const data = {};
    FIELDS.forEach((name) => {
      const field = form.elements.namedItem(name);
      data[name] = field ? field.value : "";
    });
    data.base_version = baseVersion;
    return data;
  }

  async function autosave() {
    if (submitting || paused || inFlight || !autosaveUrl) return;
    const data = fields();
    const body = JSON.stringify(data);
    if (body === lastSaved) return;
    inFlight = true;
    try {
      const response = await fetch(autosaveUrl, { method: "POST", body: body,
        credentials: "same-origin", headers: { "Content-Type": "application/json",
          "X-CSRFToken": csrfToken, Accept: "application/json" } });
      const json = await response.json().catch(() => ({}));
      if (response.ok) {
        lastSaved = body;
        say(status, json.message);
      } else {
        say(status, json.error || msg.msgAutosaveFailed);
      }
    } catch (e) {
      say(status, msg.msgAutosaveFailed);
    } finally {
      inFlight = false;
    }
  }

  // Leaving the page (tab closed, phone locked): one last save that outlives the page.
  function autosaveOnHide() {
    if (submitting || paused || !autosaveUrl) return;
    const data = fields();
    const body = JSON.stringify(data);
    if (body === lastSaved) return;
    lastSaved = body;
    if (body.length < 60000) {
      fetch(autosaveUrl, { method: "POST", body: body, keepalive: true, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken } }).catch(() => {});
      return;
    }
    const post = new FormData(); // (keepalive bodies are capped at 64 KB; beacons take more)
    Object.keys(data).forEach((k) => post.append(k, data[k]));
    post.append("csrf_token", csrfToken);
    navigator.sendBeacon(autosaveUrl, post);
  }

  if (Quill && textarea) {
    try {
      mountQuill();
    } catch (e) { // the plain <textarea> still works
      console.error(e);
      rich = false;
      textarea.hidden = false;
      if (toolbar) toolbar.remove();
      if (editorBox) editorBox.remove();
    }
  }
  const buttons = form.querySelector(":scope > p.actions");
  if (status && buttons) buttons.after(status); // the status right under the save buttons
  form.addEventListener("submit", () => {
    clearTimeout(syncTimer);
    syncBody();
    submitting = true;
  });
  // The form as it opened counts as saved: only changes are sent.
  lastSaved = JSON.stringify(fields());
  if (paused) say(status, msg.msgAutosavePaused);
  setInterval(autosave, 15000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") autosaveOnHide();
  });
  window.addEventListener("pagehide", autosaveOnHide);
  // A submit cancelled by the browser (e.g. back/forward cache) must not stop autosave.
  window.addEventListener("pageshow", () => { submitting = false; });
})();
