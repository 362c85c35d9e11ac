// People: find someone by username, contacts and invitations (accept, deny, cancel), blocking,
// and starting a direct chat or a group with them.

import { $, avatar, element, personName, showPanel } from "./dom.js";

export class People {
  constructor(api, { showProblem, onChat }) {
    this.api = api;
    this.showProblem = showProblem;
    this.onChat = onChat; // (chat) => opens it
    this.profiles = new Map(); // user id -> profile, for invitations (which carry ids only)
    this.contacts = [];

    $("open-people").addEventListener("click", () => this.show().catch(showProblem));
    $("find-person").addEventListener("submit", (event) => {
      event.preventDefault();
      this.find($("find-username").value.trim().replace(/^@/, "")).catch(showProblem);
    });
    $("new-group").addEventListener("submit", (event) => {
      event.preventDefault();
      this.createGroup().catch(showProblem);
    });
  }

  async show() {
    showPanel("people");
    $("found").replaceChildren();
    await this.load();
    $("find-username").focus();
  }

  get visible() {
    return !$("people").hidden;
  }

  async load() {
    const [incoming, outgoing, contacts, blocked] = await Promise.all([
      this.api.request("GET", "contacts/invitations/?direction=incoming&status=pending"),
      this.api.request("GET", "contacts/invitations/?direction=outgoing&status=pending"),
      this.api.request("GET", "contacts/"),
      this.api.request("GET", "blocks/"),
    ]);
    this.contacts = contacts.results.map((row) => row.user);
    this.showCount(incoming.results.length);
    await this.learn([...incoming.results.map((i) => i.from_user), ...outgoing.results.map((i) => i.to_user)]);
    $("invitations").replaceChildren(
      ...incoming.results.map((invitation) => this.invitationItem(invitation, "incoming")),
      ...outgoing.results.map((invitation) => this.invitationItem(invitation, "outgoing")),
    );
    $("invitations-empty").hidden = incoming.results.length + outgoing.results.length > 0;
    $("contacts").replaceChildren(...this.contacts.map((person) => this.contactItem(person)));
    $("contacts-empty").hidden = this.contacts.length > 0;
    $("blocked").replaceChildren(...blocked.results.map((row) => this.blockedItem(row.user)));
    $("blocked-empty").hidden = blocked.results.length > 0;
    $("group-members").replaceChildren(
      ...this.contacts.map((person) =>
        element(
          "label",
          { class: "check" },
          element("input", { type: "checkbox", name: "member", value: String(person.id) }),
          ` ${personName(person)}`,
        ),
      ),
    );
  }

  // The number of invitations waiting for an answer, on the People button.
  async refreshCount() {
    const page = await this.api.request("GET", "contacts/invitations/?direction=incoming&status=pending");
    this.showCount(page.results.length);
  }

  showCount(count) {
    $("people-count").textContent = count ? String(count) : "";
    $("people-count").hidden = !count;
    $("open-people").setAttribute("aria-label", count ? `People, ${count} invitations` : "People");
  }

  onInvitation() {
    (this.visible ? this.load() : this.refreshCount()).catch(this.showProblem);
  }

  async learn(userIds) {
    const unknown = [...new Set(userIds)].filter((id) => !this.profiles.has(id));
    await Promise.all(
      unknown.map(async (id) => {
        try {
          this.profiles.set(id, await this.api.request("GET", `profiles/${id}/`));
        } catch (error) {
          if (error.status !== 404) throw error;
          this.profiles.set(id, { id, username: null }); // blocked you, or gone
        }
      }),
    );
  }

  async find(username) {
    if (!username) return;
    const { results } = await this.api.request("POST", "contacts/lookup/", { username });
    $("found").replaceChildren(
      results.length
        ? this.personCard(results[0])
        : element("p", { class: "muted", role: "status" }, `Nobody has the username @${username}.`),
    );
  }

  button(label, action, run) {
    const button = element("button", { type: "button", "data-action": action }, label);
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await run();
      } catch (error) {
        this.showProblem(error);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  person(profile, ...actions) {
    return element(
      "div",
      { class: "person", "data-user": String(profile.id) },
      avatar(profile.avatar_url, personName(profile)),
      element(
        "span",
        { class: "person-name" },
        personName(profile),
        profile.username ? element("span", { class: "muted" }, ` @${profile.username}`) : null,
      ),
      element("span", { class: "person-actions" }, ...actions),
    );
  }

  personCard(profile) {
    const isContact = this.contacts.some((person) => person.id === profile.id);
    const invite = isContact
      ? null
      : this.button("Invite to contacts", "invite", async () => {
          await this.invite(profile.id);
          invite.replaceWith(element("span", { class: "muted", role: "status" }, "Invitation sent."));
        });
    return this.person(
      profile,
      this.button("Message", "message", () => this.message(profile.id)),
      invite,
      this.button("Block", "block", () => this.block(profile.id)),
    );
  }

  contactItem(profile) {
    return element(
      "li",
      {},
      this.person(
        profile,
        this.button("Message", "message", () => this.message(profile.id)),
        this.button("Remove", "remove", () => this.act("DELETE", `contacts/${profile.id}/`)),
        this.button("Block", "block", () => this.block(profile.id)),
      ),
    );
  }

  invitationItem(invitation, direction) {
    const other = direction === "incoming" ? invitation.from_user : invitation.to_user;
    const profile = this.profiles.get(other) || { id: other, username: null };
    const path = `contacts/invitations/${invitation.id}/`;
    const actions =
      direction === "incoming"
        ? [
            this.button("Accept", "accept", () => this.act("POST", `${path}accept/`)),
            this.button("Deny", "deny", () => this.act("POST", `${path}deny/`)),
            this.button("Block", "block", () => this.block(other)),
          ]
        : [this.button("Cancel", "cancel", () => this.act("POST", `${path}cancel/`))];
    const label = direction === "incoming" ? "wants to be your contact" : "invited by you";
    const item = element("li", { "data-invitation": String(invitation.id) }, this.person(profile, ...actions));
    item.querySelector(".person-name").append(element("span", { class: "muted" }, ` · ${label}`));
    return item;
  }

  blockedItem(profile) {
    return element(
      "li",
      {},
      this.person(profile, this.button("Unblock", "unblock", () => this.act("DELETE", `blocks/${profile.id}/`))),
    );
  }

  async act(method, path) {
    await this.api.request(method, path, method === "POST" ? {} : undefined);
    await this.load();
  }

  async invite(userId) {
    await this.api.request("POST", "contacts/invitations/", { user_id: userId });
    await this.load();
  }

  async block(userId) {
    if (!confirm("Block this person? They will not be able to write to you or see your profile.")) return;
    await this.api.request("POST", "blocks/", { user_id: userId });
    $("found").replaceChildren();
    await this.load();
  }

  async message(userId) {
    this.onChat(await this.api.request("POST", "chats/", { kind: "direct", user_id: userId }));
  }

  async createGroup() {
    const title = $("group-title").value.trim();
    const member_ids = [...$("group-members").querySelectorAll("input:checked")].map((box) => Number(box.value));
    if (!title) return;
    const chat = await this.api.request("POST", "chats/", { kind: "group", title, member_ids });
    $("group-title").value = "";
    this.onChat(chat);
  }
}
