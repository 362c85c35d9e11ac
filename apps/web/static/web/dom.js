// Small helpers for building the page.

export const $ = (id) => document.getElementById(id);

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("data-") || name.startsWith("aria-")) node.setAttribute(name, value);
    else node[name] = value;
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

// The main area shows one panel at a time (a chat, a channel, people, the profile...). Showing
// one tells the others, through a `panel` event on the document, so they can stop what they do.
export function showPanel(id) {
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== id;
  document.dispatchEvent(new CustomEvent("panel", { detail: id }));
}

export function personName(profile) {
  if (!profile) return "Someone";
  if (profile.username === null) return "Hidden"; // they blocked you: only their id is shown
  return profile.display_name || profile.username;
}

// Reactions under a message or a post: one toggle per emoji given ("👍 2", pressed when it is
// yours), then a "React" button that opens the emoji one may add. `onToggle(emoji, add)`.
export function reactionBar({ reactions, mine, allowed, onToggle, readOnly = false }) {
  const bar = element("div", { class: "reactions" });
  for (const { emoji, count } of reactions) {
    const yours = mine.includes(emoji);
    const label = `${emoji} ${count}${yours ? ", yours: take it back" : ""}`;
    const toggle = element(
      "button",
      { type: "button", class: "reaction", "aria-pressed": String(yours), "aria-label": label, "data-emoji": emoji },
      `${emoji} ${count}`,
    );
    toggle.disabled = readOnly;
    toggle.addEventListener("click", () => onToggle(emoji, !yours));
    bar.append(toggle);
  }
  const choices = readOnly ? [] : allowed.filter((emoji) => !mine.includes(emoji));
  if (choices.length) {
    const picker = element("span", { class: "picker", hidden: true });
    for (const emoji of choices) {
      const choice = element("button", { type: "button", "aria-label": `React with ${emoji}`, "data-emoji": emoji }, emoji);
      choice.addEventListener("click", () => onToggle(emoji, true));
      picker.append(choice);
    }
    const open = element("button", { type: "button", class: "react", "aria-expanded": "false", "data-action": "react" }, "React");
    open.addEventListener("click", () => {
      picker.hidden = !picker.hidden;
      open.setAttribute("aria-expanded", String(!picker.hidden));
    });
    bar.append(open, picker);
  }
  return bar;
}

// "Forward to [chat] [Forward]", opened under a message or a post. `targets`: [{id, name}];
// `onSend(chatId)` forwards there (a promise); the form then says so and closes, or hands the
// error to `onError` and stays.
export function forwardForm({ targets, onSend, onError }) {
  const select = element(
    "select",
    { "aria-label": "Forward to" },
    ...targets.map(({ id, name }) => element("option", { value: String(id) }, name)),
  );
  const form = element(
    "form",
    { class: "forward-form" },
    element("span", {}, "Forward to "),
    select,
    element("button", { type: "submit" }, "Forward"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await onSend(Number(select.value));
    } catch (error) {
      onError(error);
      return;
    }
    form.replaceWith(element("span", { class: "muted", role: "status" }, "Forwarded."));
  });
  return form;
}

// A round picture: the avatar when there is one, else the name's first letter.
export function avatar(url, name) {
  if (url) return element("img", { class: "avatar", src: url, alt: "" });
  return element("span", { class: "avatar", "aria-hidden": "true" }, (name || "?").trim().charAt(0).toUpperCase() || "?");
}
