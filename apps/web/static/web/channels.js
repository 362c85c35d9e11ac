// Broadcast channels: my subscriptions, search, a channel's posts (older on scroll), posting for
// admins, and each post's comments, refreshed on a timer while they are open (as the seed says:
// comments are not pushed).

import { $, element, forwardForm, reactionBar, showPanel } from "./dom.js";

export const COMMENTS_EVERY = 10_000; // ms between two reads of the open comments

const subscribers = (count) => `${count} subscriber${count === 1 ? "" : "s"}`;

export class Channels {
  constructor(api, { showProblem, muteControl, forwardTo }) {
    this.api = api;
    this.showProblem = showProblem;
    this.muteControl = muteControl; // (kind, id) => the select that mutes it
    this.forwardTo = forwardTo; // {targets: () => [{id, name}], send: (chatId, body) => promise}
    this.open = null; // {channel, oldest, more}
    this.polls = new Map(); // post id -> timer of its open comments
    this.titles = new Map(); // channel id -> title, of every channel listed (to name a mute)

    document.addEventListener("panel", (event) => {
      if (event.detail !== "channel") this.close();
    });
    $("open-new-channel").addEventListener("click", () => {
      showPanel("new-channel");
      $("new-channel-handle").focus();
    });
    $("new-channel-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.create().catch(showProblem);
    });
    $("channel-search").addEventListener("submit", (event) => {
      event.preventDefault();
      this.search($("channel-query").value.trim()).catch(showProblem);
    });
    $("channel-subscribe").addEventListener("click", () => this.subscribe().catch(showProblem));
    $("post-composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.post($("post-text").value).catch(showProblem);
    });
    $("posts").addEventListener("scroll", () => {
      if (this.open?.more && $("posts").scrollTop < 40) {
        this.open.more = false; // one page at a time
        this.loadOlder().catch(showProblem);
      }
    });
  }

  async load() {
    const page = await this.api.request("GET", "channels/?limit=50");
    this.renderList(page.results);
  }

  async search(query) {
    if (!query) return this.load();
    const page = await this.api.request("GET", `channels/?q=${encodeURIComponent(query)}&limit=20`);
    this.renderList(page.results);
  }

  renderList(channels) {
    for (const channel of channels) this.titles.set(channel.id, channel.title);
    $("channel-list").replaceChildren(
      ...channels.map((channel) => {
        const button = element(
          "button",
          { type: "button", class: "chat-item", "data-channel": String(channel.id) },
          element("span", { class: "chat-name" }, channel.title),
          element("span", { class: "chat-last" }, `@${channel.handle} · ${subscribers(channel.subscriber_count)}`),
        );
        button.addEventListener("click", () => this.show(channel.id).catch(this.showProblem));
        return element("li", {}, button);
      }),
    );
  }

  close() {
    for (const timer of this.polls.values()) clearInterval(timer);
    this.polls.clear();
    this.open = null;
  }

  async show(channelId) {
    const channel = await this.api.request("GET", `channels/${channelId}/`);
    showPanel("channel");
    this.open = { channel, oldest: null, more: false };
    $("channel-title").textContent = channel.title;
    $("channel-about").textContent = `@${channel.handle} · ${subscribers(channel.subscriber_count)}. ${channel.description}`;
    $("channel-subscribe").hidden = channel.subscribed;
    $("post-composer").hidden = !channel.role;
    const leave = channel.subscribed && channel.role !== "owner" ? this.unsubscribeButton(channel) : null;
    $("channel-tools").replaceChildren(
      ...(channel.subscribed ? [this.muteControl("channel", channel.id)] : []),
      ...(leave ? [leave] : []),
    );
    $("posts").replaceChildren();
    await this.loadOlder();
  }

  async loadOlder() {
    const open = this.open;
    const query = open.oldest ? `?before=${open.oldest}&limit=10` : "?limit=10";
    const page = await this.api.request("GET", `channels/${open.channel.id}/posts/${query}`);
    if (this.open !== open) return;
    const list = $("posts");
    const height = list.scrollHeight;
    list.prepend(...page.results.reverse().map((post) => this.postItem(post)));
    open.oldest = page.results.length ? page.results[0].seq : open.oldest;
    open.more = page.has_more;
    list.scrollTop = height ? list.scrollHeight - height : list.scrollHeight;
  }

  postItem(post) {
    const comments = element("ol", { class: "comments", hidden: true });
    const toggle = element("button", { type: "button", "data-action": "comments", "aria-expanded": "false" }, "Comments");
    toggle.addEventListener("click", () => this.toggleComments(post, toggle, comments).catch(this.showProblem));
    const forward = element("button", { type: "button", "data-action": "forward" }, "Forward");
    forward.addEventListener("click", () => {
      const item = forward.closest(".post");
      if (item.querySelector(".forward-form")) return;
      const targets = this.forwardTo.targets();
      if (!targets.length) {
        this.showProblem(new Error("There is no chat to forward to: start one in People."));
        return;
      }
      const body = { source: "post", post_id: post.id };
      const onSend = (chatId) => this.forwardTo.send(chatId, body);
      forward.parentElement.after(forwardForm({ targets, onSend, onError: this.showProblem }));
    });
    return element(
      "li",
      { class: "message post", "data-id": post.id },
      element("p", { class: "text" }, post.text),
      this.postReactions(post),
      element("div", { class: "message-actions" }, toggle, forward),
      comments,
    );
  }

  // Counts for every reader; a subscriber (or an admin) adds and takes back their own.
  postReactions(post) {
    const channel = this.open?.channel;
    return reactionBar({
      reactions: post.reactions,
      mine: post.my_reactions,
      allowed: channel?.allowed_reactions || [],
      readOnly: !(channel?.subscribed || channel?.role),
      onToggle: async (emoji, add) => {
        try {
          const path = `posts/${post.id}/reactions/`;
          const changed = add
            ? await this.api.request("POST", path, { emoji })
            : await this.api.request("DELETE", `${path}?emoji=${encodeURIComponent(emoji)}`);
          const item = $("posts").querySelector(`[data-id="${CSS.escape(changed.id)}"]`);
          item?.querySelector(".reactions").replaceWith(this.postReactions(changed));
        } catch (error) {
          this.showProblem(error);
        }
      },
    });
  }

  async toggleComments(post, toggle, list) {
    if (this.polls.has(post.id)) {
      clearInterval(this.polls.get(post.id));
      this.polls.delete(post.id);
      list.hidden = true;
      if (list.nextElementSibling?.matches(".comment-form")) list.nextElementSibling.remove();
      toggle.setAttribute("aria-expanded", "false");
      return;
    }
    list.hidden = false;
    toggle.setAttribute("aria-expanded", "true");
    list.replaceChildren();
    if (this.open.channel.subscribed) list.after(this.commentForm(post, list));
    const read = () => this.readComments(post, list).catch(this.showProblem);
    await read();
    this.polls.set(post.id, setInterval(read, COMMENTS_EVERY));
  }

  async readComments(post, list) {
    const newest = list.lastElementChild?.dataset.id;
    const after = newest ? `&after=${encodeURIComponent(newest)}` : "";
    const page = await this.api.request("GET", `posts/${post.id}/comments/?limit=50${after}`);
    for (const comment of page.results) {
      if (list.querySelector(`[data-id="${CSS.escape(comment.id)}"]`)) continue;
      list.append(element("li", { class: "comment", "data-id": comment.id }, comment.text));
    }
  }

  commentForm(post, list) {
    const input = element("input", { type: "text", maxLength: 2048, required: true, "aria-label": "Comment" });
    const form = element("form", { class: "comment-form" }, input, element("button", { type: "submit" }, "Comment"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await this.api.request("POST", `posts/${post.id}/comments/`, { text: input.value });
        input.value = "";
        await this.readComments(post, list);
      } catch (error) {
        this.showProblem(error);
      }
    });
    return form;
  }

  unsubscribeButton(channel) {
    const button = element("button", { type: "button" }, "Unsubscribe");
    button.addEventListener("click", async () => {
      try {
        await this.api.request("POST", `channels/${channel.id}/unsubscribe/`, {});
        await Promise.all([this.show(channel.id), this.load()]);
      } catch (error) {
        this.showProblem(error);
      }
    });
    return button;
  }

  async create() {
    const channel = await this.api.request("POST", "channels/", {
      handle: $("new-channel-handle").value.trim(),
      title: $("new-channel-name").value.trim(),
      description: $("new-channel-description").value.trim(),
      is_public: $("new-channel-public").checked,
    });
    $("new-channel-form").reset();
    await Promise.all([this.load(), this.show(channel.id)]);
  }

  async subscribe() {
    await this.api.request("POST", `channels/${this.open.channel.id}/subscribe/`, {});
    await Promise.all([this.show(this.open.channel.id), this.load()]);
  }

  async post(text) {
    if (!text.trim()) return;
    const post = await this.api.request("POST", `channels/${this.open.channel.id}/posts/`, { text });
    $("post-text").value = "";
    $("posts").append(this.postItem(post));
    $("posts").scrollTop = $("posts").scrollHeight;
  }
}
