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

// A round picture: the avatar when there is one, else the name's first letter.
export function avatar(url, name) {
  if (url) return element("img", { class: "avatar", src: url, alt: "" });
  return element("span", { class: "avatar", "aria-hidden": "true" }, (name || "?").trim().charAt(0).toUpperCase() || "?");
}
