// Your own profile (name, username, bio, avatar, sections, who may find you), who may add you
// to groups, and notifications: on or off, and the chats and channels you muted.

import { $, avatar, element, showPanel } from "./dom.js";

const MAX_SECTIONS = 20;

export class Profile {
  constructor(api, { showProblem, onSaved, nameOf, onMutes }) {
    this.api = api;
    this.showProblem = showProblem;
    this.onSaved = onSaved; // (profile) => the rest of the page shows the new name
    this.nameOf = nameOf; // (kind, id) => the title of a muted chat or channel
    this.onMutes = onMutes; // (mutes) => the rest of the page knows what is muted
    this.avatarFileId = undefined; // a new avatar uploaded but not saved yet (null: removed)

    $("open-profile").addEventListener("click", () => this.show().catch(showProblem));
    $("profile-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save().catch(showProblem);
    });
    $("profile-avatar").addEventListener("change", () => this.upload().catch(showProblem));
    $("avatar-remove").addEventListener("click", () => {
      this.avatarFileId = null;
      this.showAvatar(null);
    });
    $("section-add").addEventListener("click", () => this.addSection({ title: "", body: "" }, true));
    $("notifications-enabled").addEventListener("change", () =>
      this.api
        .request("PATCH", "notification-settings/", { enabled: $("notifications-enabled").checked })
        .catch(showProblem),
    );
  }

  async show() {
    showPanel("profile");
    $("profile-saved").textContent = "";
    const [profile, privacy, notifications] = await Promise.all([
      this.api.request("GET", "profiles/me/"),
      this.api.request("GET", "privacy/"),
      this.api.request("GET", "notification-settings/"),
    ]);
    this.avatarFileId = undefined;
    $("profile-username").value = profile.username;
    $("profile-display-name").value = profile.display_name;
    $("profile-bio").value = profile.bio;
    $("profile-discoverable").checked = profile.discoverable;
    $("profile-groups").value = privacy.groups;
    this.showAvatar(profile.avatar_url, profile.display_name);
    $("sections").replaceChildren();
    for (const section of profile.sections) this.addSection(section, false);
    $("notifications-enabled").checked = notifications.enabled;
    this.showMutes(notifications.mutes);
    this.onMutes(notifications.mutes);
  }

  showAvatar(url, name = $("profile-display-name").value) {
    $("avatar-preview").replaceChildren(avatar(url, name));
    $("avatar-remove").hidden = !url;
  }

  async upload() {
    const file = $("profile-avatar").files[0];
    if (!file) return;
    const uploaded = await this.api.upload(file);
    this.avatarFileId = uploaded.id;
    this.showAvatar(uploaded.url);
  }

  addSection(section, focus) {
    const index = $("sections").children.length;
    if (index >= MAX_SECTIONS) return;
    const id = `section-${Date.now()}-${index}`;
    const title = element("input", { class: "section-title", value: section.title, required: true, id: `${id}-title` });
    const body = element("textarea", { class: "section-body", value: section.body, rows: 2, id: `${id}-body` });
    const remove = element("button", { type: "button" }, "Remove section");
    const item = element(
      "li",
      { class: "section" },
      element("label", { htmlFor: title.id }, "Title"),
      title,
      element("label", { htmlFor: body.id }, "Text"),
      body,
      remove,
    );
    remove.addEventListener("click", () => item.remove());
    $("sections").append(item);
    if (focus) title.focus();
  }

  async save() {
    const sections = [...$("sections").children]
      .map((item) => ({
        title: item.querySelector(".section-title").value.trim(),
        body: item.querySelector(".section-body").value.trim(),
      }))
      .filter((section) => section.title);
    const changes = {
      username: $("profile-username").value.trim(),
      display_name: $("profile-display-name").value.trim(),
      bio: $("profile-bio").value,
      discoverable: $("profile-discoverable").checked,
      sections,
    };
    if (this.avatarFileId !== undefined) changes.avatar_file_id = this.avatarFileId;
    const [profile] = await Promise.all([
      this.api.request("PATCH", "profiles/me/", changes),
      this.api.request("PATCH", "privacy/", { groups: $("profile-groups").value }),
    ]);
    this.avatarFileId = undefined;
    this.showAvatar(profile.avatar_url, profile.display_name);
    $("profile-saved").textContent = "Saved.";
    this.onSaved(profile);
  }

  showMutes(mutes) {
    $("mutes").replaceChildren(
      ...mutes.map((mute) => {
        const until = mute.until ? `until ${new Date(mute.until).toLocaleString()}` : "until you unmute";
        const unmute = element("button", { type: "button" }, "Unmute");
        unmute.addEventListener("click", async () => {
          try {
            await this.api.request("DELETE", `notification-settings/mutes/${mute.kind}/${mute.target_id}/`);
            const settings = await this.api.request("GET", "notification-settings/");
            this.showMutes(settings.mutes);
            this.onMutes(settings.mutes);
          } catch (error) {
            this.showProblem(error);
          }
        });
        return element("li", {}, `${this.nameOf(mute.kind, mute.target_id)}: muted ${until} `, unmute);
      }),
    );
    $("mutes-empty").hidden = mutes.length > 0;
  }
}

// A chat's or channel's notifications: on, or muted for a while or until unmuted. The select is
// the control, and it says what is in force. `onChange` gets every mute in force after a change.
const MUTE_CHOICES = [
  ["", "Notifications on"],
  ["3600", "Mute for 1 hour"],
  ["28800", "Mute for 8 hours"],
  ["604800", "Mute for 1 week"],
  ["forever", "Mute until I unmute"],
];

export function muteControl(api, { kind, targetId, mutes, showProblem, onChange }) {
  const select = element(
    "select",
    { class: "mute", "aria-label": "Notifications" },
    ...MUTE_CHOICES.map(([value, label]) => element("option", { value }, label)),
  );
  const mute = mutes.find((m) => m.kind === kind && m.target_id === targetId);
  if (mute) {
    const current = mute.until ? `Muted until ${new Date(mute.until).toLocaleString()}` : "Muted";
    select.prepend(element("option", { value: "current" }, current));
    select.value = "current";
  }
  select.addEventListener("change", async () => {
    const choice = select.value;
    if (choice === "current") return;
    try {
      let settings;
      if (choice === "") {
        await api.request("DELETE", `notification-settings/mutes/${kind}/${targetId}/`).catch((error) => {
          if (error.code !== "mute_not_found") throw error;
        });
        settings = await api.request("GET", "notification-settings/");
      } else {
        const until = choice === "forever" ? null : new Date(Date.now() + Number(choice) * 1000).toISOString();
        settings = await api.request("POST", "notification-settings/mutes/", { kind, target_id: targetId, until });
      }
      onChange(settings.mutes);
    } catch (error) {
      showProblem(error);
    }
  });
  return select;
}
