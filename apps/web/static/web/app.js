// The web client: sign in, the chat list, a chat with its history, live messages, typing and
// read receipts; people (people.js), channels (channels.js) and your profile (profile.js). It
// speaks only the public API (api.js) and the socket protocol (live.js).

import { Api, ApiError } from "./api.js";
import { Channels } from "./channels.js";
import { $, avatar, element, forwardForm, personName, reactionBar, showPanel } from "./dom.js";
import { Live } from "./live.js";
import { People } from "./people.js";
import { Profile, muteControl } from "./profile.js";

const api = new Api();
const state = {
  me: null,
  chats: new Map(), // id -> chat, as GET chats/ gives it, kept current by events
  open: null, // the chat on screen: {id, names: Map(user id -> name), oldest, more, peerRead}
  typingTimer: null,
  lastTyping: 0,
  draft: null, // {mode: "reply" | "edit", message} while the composer replies to or edits one
  mutes: [], // [{kind, target_id, until}] in force, as GET notification-settings/ gives them
  config: null, // the server's choices and limits (GET config/)
};
const live = new Live(api, { onEvent: onEvent, onStatus: showStatus, onReset: loadChats });
const channels = new Channels(api, {
  showProblem,
  muteControl: mute,
  forwardTo: { targets: () => forwardTargets(null), send: forwardTo },
});
const people = new People(api, { showProblem, onChat: showNewChat });
const profile = new Profile(api, { showProblem, onSaved: () => loadChats().catch(showProblem), nameOf, onMutes });

// --- Showing things ------------------------------------------------------------------------

function showProblem(error) {
  const problem = $("problem");
  if (!error) {
    problem.hidden = true;
    return;
  }
  $("problem-text").textContent = describe(error);
  problem.hidden = false;
}

function describe(error) {
  if (!(error instanceof ApiError)) return error.detail || String(error.message || error);
  if (error.status === 0) return "The server cannot be reached. Check your connection.";
  if (error.status === 429) return `Too many requests: try again in ${error.retryAfter || "a few"} seconds.`;
  if (error.code === "rate_limited") return error.message; // a socket frame's: it says the wait
  if (error.status === 503) return "The server is having trouble. Try again in a moment.";
  if (error.code === "blocked") return "You cannot do this: one of you blocked the other.";
  if (error.code === "privacy_restricted") {
    return "Not allowed: someone you chose does not let you add them to groups.";
  }
  if (error.status === 403) return `Not allowed: ${error.message}`;
  return error.message;
}

function showStatus(status, wait) {
  const text = {
    connecting: "Connecting…",
    online: "",
    offline: `Connection lost. Reconnecting in ${Math.round((wait || 0) / 1000)} s…`,
  }[status];
  $("connection").textContent = text;
  document.body.dataset.connection = status;
}

function chatName(chat) {
  return chat.kind === "direct" ? personName(chat.peer) : chat.title;
}

function mutedUntil(kind, id) {
  const found = state.mutes.find((m) => m.kind === kind && m.target_id === id);
  return found ? found.until || "forever" : null;
}

function nameOf(kind, id) {
  if (kind === "chat") return state.chats.has(id) ? chatName(state.chats.get(id)) : `Chat ${id}`;
  return channels.titles.get(id) || `Channel ${id}`;
}

function onMutes(mutes) {
  state.mutes = mutes;
  renderChatList();
}

function mute(kind, id) {
  return muteControl(api, { kind, targetId: id, mutes: state.mutes, showProblem, onChange: onMutes });
}

function renderChatList() {
  const activity = (chat) => Date.parse(chat.last_activity_at || 0) || 0;
  const chats = [...state.chats.values()].sort((a, b) => activity(b) - activity(a));
  $("chats-empty").hidden = chats.length > 0;
  $("chat-list").replaceChildren(
    ...chats.map((chat) => {
      const unread = chat.unread_count > 0 ? element("span", { class: "unread" }, String(chat.unread_count)) : null;
      const last = chat.last_message ? (chat.last_message.deleted ? "Deleted" : chat.last_message.text) : "";
      const muted = mutedUntil("chat", chat.id) ? element("span", { class: "muted" }, " (muted)") : null;
      const button = element(
        "button",
        { type: "button", class: "chat-item", "data-chat": String(chat.id) },
        avatar(chat.kind === "direct" ? chat.peer?.avatar_url : null, chatName(chat)),
        element("span", { class: "chat-name" }, chatName(chat), muted),
        unread,
        element("span", { class: "chat-last" }, last),
      );
      if (state.open?.id === chat.id) button.setAttribute("aria-current", "true");
      button.addEventListener("click", () => openChat(chat.id).catch(showProblem));
      return element("li", {}, button);
    }),
  );
}

function quoteOf(messageId) {
  const quoted = $("messages").querySelector(`[data-id="${CSS.escape(String(messageId))}"] .text`);
  return element("p", { class: "quote" }, quoted ? quoted.textContent : "An earlier message");
}

function actionButton(label, action, message) {
  const button = element("button", { type: "button", "data-action": action }, label);
  button.addEventListener("click", () => onAction(action, message));
  return button;
}

function messageItem(message) {
  const mine = message.sender_id === state.me.id;
  const who = mine ? "You" : state.open?.names.get(message.sender_id) || "Someone";
  const text = message.deleted ? "This message was deleted." : message.text;
  const sent = message.seq !== "pending" && !message.deleted;
  const actions = sent
    ? element(
        "div",
        { class: "message-actions" },
        actionButton("Reply", "reply", message),
        actionButton("Forward", "forward", message),
        mayPin() ? actionButton(isPinned(message.id) ? "Unpin" : "Pin", "pin", message) : null,
        mine && !message.forwarded_from ? actionButton("Edit", "edit", message) : null,
        mine ? actionButton("Delete", "delete", message) : null,
      )
    : null;
  const item = element(
    "li",
    { class: mine ? "message mine" : "message", "data-seq": String(message.seq), "data-id": message.id },
    element("span", { class: "author" }, who),
    message.forwarded_from && !message.deleted ? forwardedFrom(message.forwarded_from) : null,
    message.reply_to ? quoteOf(message.reply_to) : null,
    element("p", { class: "text" }, text),
    message.edited_at && !message.deleted ? element("span", { class: "edited" }, "edited ") : null,
    element("span", { class: "receipt" }),
    sent ? reactionsOf(message) : null,
    actions,
  );
  if (message.client_msg_id) item.dataset.ref = message.client_msg_id;
  if (message.reply_to) item.dataset.replyTo = String(message.reply_to);
  return item;
}

function reactionsOf(message) {
  const chat = state.chats.get(message.chat_id);
  const reactions = message.reactions || [];
  return reactionBar({
    reactions,
    mine: reactions.filter((r) => r.user_ids.includes(state.me.id)).map((r) => r.emoji),
    allowed: chat?.allowed_reactions || [],
    onToggle: (emoji, add) => react(message, emoji, add).catch(showProblem),
  });
}

async function react(message, emoji, add) {
  const frame = { type: "message.react", chat_id: message.chat_id, message_id: message.id, emoji, add };
  if (live.send(frame)) return; // message.reactions comes back to every socket
  const path = `chats/${message.chat_id}/messages/${message.id}/reactions/`;
  const changed = add
    ? await api.request("POST", path, { emoji })
    : await api.request("DELETE", `${path}?emoji=${encodeURIComponent(emoji)}`);
  showReactions(changed);
}

// A message's reactions changed (its event, or an answer): redraw them where it is shown.
function showReactions({ id, chat_id, reactions }) {
  if (state.open?.id !== chat_id) return;
  const item = $("messages").querySelector(`[data-id="${CSS.escape(String(id))}"]`);
  item?.querySelector(".reactions")?.replaceWith(reactionsOf({ id, chat_id, reactions }));
}

// "Forwarded from ...": the channel, or the author as this person may see them ("Hidden" when
// their profile is withheld).
function forwardedFrom(origin) {
  const line = element("p", { class: "forwarded" }, "Forwarded");
  if (origin.kind === "channel") {
    line.textContent = `Forwarded from ${origin.title} (@${origin.handle})`;
  } else if (origin.user_id === state.me.id) {
    line.textContent = "Forwarded from you";
  } else {
    authorName(origin.user_id).then((name) => (line.textContent = `Forwarded from ${name}`));
  }
  return line;
}

const profiles = new Map(); // user id -> a promise of their name as this person may see it
function authorName(userId) {
  if (state.open?.names.has(userId)) return Promise.resolve(state.open.names.get(userId));
  if (!profiles.has(userId)) {
    profiles.set(
      userId,
      api.request("GET", `profiles/${userId}/`).then(personName, () => "Hidden"),
    );
  }
  return profiles.get(userId);
}

// The chats one may forward into, and forwarding there: over the socket, else REST.
function forwardTargets(exceptId) {
  return [...state.chats.values()].filter((chat) => chat.id !== exceptId).map((chat) => ({ id: chat.id, name: chatName(chat) }));
}

async function forwardTo(chatId, body) {
  if (live.send({ type: "message.forward", chat_id: chatId, ...body })) return;
  const { results } = await api.request("POST", `chats/${chatId}/messages/forward/`, body);
  for (const message of results) onMessage(message);
}

function openForward(message) {
  const item = $("messages").querySelector(`[data-id="${CSS.escape(String(message.id))}"]`);
  if (!item || item.querySelector(".forward-form")) return;
  const targets = forwardTargets(message.chat_id);
  if (!targets.length) {
    showProblem(new Error("There is no other chat to forward to: start one in People."));
    return;
  }
  const body = { source: "chat", from_chat_id: message.chat_id, message_ids: [message.id] };
  item.append(forwardForm({ targets, onSend: (chatId) => forwardTo(chatId, body), onError: showProblem }));
}

function setDraft(draft) {
  state.draft = draft;
  $("draft-context").hidden = !draft;
  if (!draft) return;
  const verb = draft.mode === "edit" ? "Editing" : "Replying to";
  $("draft-context-text").textContent = `${verb}: ${draft.message.text}`;
  if (draft.mode === "edit") $("composer-text").value = draft.message.text;
  $("composer-text").focus();
}

function mayPin() {
  const chat = state.chats.get(state.open?.id);
  return Boolean(chat && (chat.members_can_pin || chat.role === "owner" || chat.role === "admin"));
}

function isPinned(messageId) {
  return (state.open?.pins || []).some((pin) => pin.message.id === String(messageId));
}

// --- Scheduled messages (mine, in the open chat) ---------------------------------------------

async function loadScheduled() {
  const open = state.open;
  const { results } = await api.request("GET", `scheduled/?chat_id=${open.id}`);
  if (state.open !== open) return;
  $("scheduled").hidden = results.length === 0;
  $("scheduled-summary").textContent = `Scheduled by you (${results.length})`;
  $("scheduled-list").replaceChildren(
    ...results.map((scheduled) => {
      const at = new Date(scheduled.send_at).toLocaleString();
      const act = (label, action, run) => {
        const button = element("button", { type: "button", "data-action": action }, label);
        button.addEventListener("click", () => run().then(loadScheduled).catch(showProblem));
        return button;
      };
      return element(
        "li",
        { "data-id": scheduled.id },
        element("span", { class: "text" }, scheduled.text),
        element("span", { class: "muted" }, ` at ${at} `),
        act("Send now", "send-now", () => api.request("POST", `scheduled/${scheduled.id}/send/`)),
        " ",
        act("Cancel", "cancel", () => api.request("DELETE", `scheduled/${scheduled.id}/`)),
      );
    }),
  );
}

async function schedule() {
  const text = $("composer-text").value;
  const at = $("schedule-at").value;
  if (!state.open || !text.trim()) return;
  if (!at) {
    showProblem(new Error("Choose when to send it."));
    return;
  }
  await api.request("POST", `chats/${state.open.id}/scheduled/`, { text, send_at: new Date(at).toISOString() });
  $("composer-text").value = "";
  $("schedule-at").value = "";
  await loadScheduled();
}

async function loadPins() {
  const open = state.open;
  const { results } = await api.request("GET", `chats/${open.id}/pins/`);
  if (state.open !== open) return;
  open.pins = results;
  showPins();
}

function showPins() {
  const pins = state.open.pins;
  $("pins").hidden = pins.length === 0;
  if (!pins.length) return;
  $("pins-summary").textContent = `Pinned (${pins.length}): ${pins[0].message.text}`;
  $("pins-list").replaceChildren(
    ...pins.map((pin) => {
      const unpin = mayPin() ? actionButton("Unpin", "pin", pin.message) : null;
      return element("li", { "data-id": pin.message.id }, element("span", { class: "text" }, pin.message.text), " ", unpin);
    }),
  );
  for (const item of $("messages").querySelectorAll(".message[data-id]")) {
    const button = item.querySelector("[data-action=pin]");
    if (button) button.textContent = isPinned(item.dataset.id) ? "Unpin" : "Pin";
  }
}

async function togglePin(message) {
  const pinned = !isPinned(message.id);
  const frame = { type: "message.pin", chat_id: message.chat_id, message_id: message.id, pinned };
  if (live.send(frame)) return; // chat.pins comes back to every socket
  if (pinned) await api.request("POST", `chats/${message.chat_id}/pins/`, { message_id: message.id });
  else await api.request("DELETE", `chats/${message.chat_id}/pins/${message.id}/`);
  await loadPins();
}

function onAction(action, message) {
  if (action === "pin") {
    togglePin(message).catch(showProblem);
  } else if (action === "forward") {
    openForward(message);
  } else if (action === "reply" || action === "edit") {
    setDraft({ mode: action, message });
  } else if (action === "delete" && confirm("Delete this message for everyone?")) {
    const frame = { type: "message.delete", chat_id: message.chat_id, message_id: message.id, for_everyone: true };
    if (!live.send(frame)) {
      api
        .request("DELETE", `chats/${message.chat_id}/messages/${message.id}/?for_everyone=true`)
        .catch(showProblem);
    }
  }
}

function showMessage(message) {
  const list = $("messages");
  const existing =
    list.querySelector(`[data-id="${CSS.escape(String(message.id))}"]`) ||
    (message.client_msg_id && list.querySelector(`[data-ref="${CSS.escape(message.client_msg_id)}"]`));
  const item = messageItem(message);
  if (existing) existing.replaceWith(item);
  else list.append(item);
  for (const quote of list.querySelectorAll(`[data-reply-to="${CSS.escape(String(message.id))}"] .quote`)) {
    quote.textContent = item.querySelector(".text").textContent; // the quoted message, as it is now
  }
  list.scrollTop = list.scrollHeight;
  showReceipts();
}

function showReceipts() {
  const seen = state.open?.peerRead || 0;
  for (const item of $("messages").querySelectorAll(".message.mine")) {
    const receipt = item.querySelector(".receipt");
    const read = Number(item.dataset.seq) <= seen;
    const waiting = { pending: "Sending…", failed: "Not sent" }[item.dataset.seq];
    receipt.textContent = waiting || (read ? "Seen" : "Sent");
  }
}

// A message this page sent that the server refused (its error frame's `ref` is the message's
// client_msg_id), or that could not leave at all.
function markFailed(clientMsgId) {
  const item = clientMsgId && $("messages").querySelector(`[data-ref="${CSS.escape(clientMsgId)}"]`);
  if (item?.dataset.seq !== "pending") return;
  item.dataset.seq = "failed";
  item.classList.add("failed");
  const retry = element("button", { type: "button", "data-action": "retry" }, "Retry");
  retry.addEventListener("click", () => {
    retry.remove();
    item.dataset.seq = "pending";
    item.classList.remove("failed");
    showReceipts();
    const reply_to = item.dataset.replyTo ? item.dataset.replyTo : null;
    deliver(state.open.id, { text: item.querySelector(".text").textContent, client_msg_id: clientMsgId, reply_to })
      .catch(showProblem);
  });
  item.querySelector(".receipt").after(retry);
  showReceipts();
}

// --- Chats -----------------------------------------------------------------------------------

async function loadChats() {
  const page = await api.request("GET", "chats/?limit=100");
  state.chats = new Map(page.results.map((chat) => [chat.id, chat]));
  renderChatList();
}

async function openChat(chatId) {
  const chat = state.chats.get(chatId);
  const members = await api.request("GET", `chats/${chatId}/members/`);
  showPanel("chat");
  state.open = {
    id: chatId,
    names: new Map(members.results.filter((m) => m.user).map((m) => [m.user.id, personName(m.user)])),
    oldest: null,
    more: false,
    peerRead: 0,
    pins: [],
  };
  $("chat-title").textContent = chatName(chat);
  const count = chat.kind === "group" ? element("span", { class: "muted" }, `${members.results.length} members `) : null;
  const admin = chat.kind === "group" && (chat.role === "owner" || chat.role === "admin");
  $("chat-tools").replaceChildren(...(count ? [count] : []), mute("chat", chatId), ...(admin ? [groupSettings(chat)] : []));
  $("typing").textContent = "";
  setDraft(null);
  $("messages").replaceChildren();
  $("pins").hidden = true;
  $("scheduled").hidden = true;
  await Promise.all([loadOlder(), loadPins(), loadScheduled()]);
  renderChatList();
  markRead();
  $("composer-text").focus();
}

// A group's settings, for its admins: who may pin, and which reactions members may give.
function groupSettings(chat) {
  const pinBox = element("input", { type: "checkbox", checked: chat.members_can_pin });
  const boxes = state.config.reactions.map((emoji) => {
    const box = element("input", { type: "checkbox", value: emoji, checked: chat.allowed_reactions.includes(emoji) });
    return element("label", { class: "check" }, box, ` ${emoji}`);
  });
  const form = element(
    "form",
    { class: "stacked group-settings" },
    element("label", { class: "check" }, pinBox, " Members may pin messages"),
    element("fieldset", {}, element("legend", {}, "Reactions members may give"), ...boxes),
    element("button", { type: "submit" }, "Save"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const allowed = boxes.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value);
    try {
      const changed = await api.request("PATCH", `chats/${chat.id}/`, { members_can_pin: pinBox.checked, allowed_reactions: allowed });
      state.chats.set(chat.id, { ...chat, ...changed });
      details.open = false;
    } catch (error) {
      showProblem(error);
    }
  });
  const details = element("details", { class: "settings" }, element("summary", {}, "Group settings"), form);
  return details;
}

// A chat just made or found (people.js): into the list, and open.
async function showNewChat(chat) {
  if (!state.chats.has(chat.id)) state.chats.set(chat.id, chat);
  await openChat(chat.id);
}

async function loadOlder() {
  const open = state.open;
  const query = open.oldest ? `?limit=40&before_seq=${open.oldest}` : "?limit=40";
  const page = await api.request("GET", `chats/${open.id}/messages/${query}`);
  if (state.open !== open) return;
  const list = $("messages");
  const height = list.scrollHeight;
  list.prepend(...page.results.reverse().map(messageItem));
  for (const item of list.querySelectorAll("[data-reply-to]")) {
    item.querySelector(".quote").replaceWith(quoteOf(item.dataset.replyTo)); // those quoting this page
  }
  open.oldest = page.results.length ? page.results[0].seq : open.oldest;
  open.more = page.has_more;
  list.scrollTop = open.oldest && height ? list.scrollHeight - height : list.scrollHeight;
  showReceipts();
}

function markRead() {
  const chat = state.chats.get(state.open?.id);
  if (!chat || document.hidden || !chat.last_seq || chat.last_read_seq >= chat.last_seq) return;
  chat.last_read_seq = chat.last_seq;
  chat.unread_count = 0;
  if (!live.send({ type: "read", chat_id: chat.id, seq: chat.last_seq })) {
    api.request("POST", `chats/${chat.id}/read/`, { seq: chat.last_seq }).catch(showProblem);
  }
  renderChatList();
}

async function send(text) {
  const chatId = state.open.id;
  const draft = state.draft;
  setDraft(null);
  if (draft?.mode === "edit") {
    const id = draft.message.id;
    if (!live.send({ type: "message.edit", chat_id: chatId, message_id: id, text })) {
      onMessage(await api.request("PATCH", `chats/${chatId}/messages/${id}/`, { text }), { edited: true });
    }
    return;
  }
  const client_msg_id = crypto.randomUUID();
  const reply_to = draft?.mode === "reply" ? draft.message.id : null;
  const pending = { id: `pending-${client_msg_id}`, seq: "pending", sender_id: state.me.id, text, client_msg_id, reply_to };
  showMessage(pending);
  await deliver(chatId, { text, client_msg_id, reply_to });
}

// Through the socket, or through REST without one; the same client_msg_id sends once, however
// often it is tried.
async function deliver(chatId, body) {
  if (live.send({ type: "message.send", chat_id: chatId, ...body })) return;
  try {
    onMessage(await api.request("POST", `chats/${chatId}/messages/`, body));
  } catch (error) {
    markFailed(body.client_msg_id);
    throw error;
  }
}

// --- Events ------------------------------------------------------------------------------------

function onMessage(message, { edited = false } = {}) {
  const chat = state.chats.get(message.chat_id);
  if (!chat) {
    loadChats().catch(showProblem); // a chat this page has not seen yet
    return;
  }
  if (!chat.last_message || message.seq >= chat.last_message.seq) chat.last_message = message;
  if (!edited) {
    chat.last_activity_at = message.created_at;
    chat.last_seq = Math.max(chat.last_seq || 0, message.seq);
    if (message.sender_id === state.me.id) chat.last_read_seq = chat.last_seq;
    else if (state.open?.id !== chat.id || document.hidden) chat.unread_count += 1;
  }
  if (state.open?.id === chat.id) {
    showMessage(message);
    if (message.sender_id !== state.me.id) $("typing").textContent = ""; // they sent it
    markRead();
  }
  renderChatList();
}

function onEvent(event) {
  switch (event.type) {
    case "message.new":
      onMessage(event.message);
      break;
    case "message.edited":
      onMessage(event.message, { edited: true });
      break;
    case "message.ack":
      onMessage(event.message);
      break;
    case "message.forwarded":
      for (const message of event.messages) onMessage(message);
      break;
    case "message.deleted":
      if (state.open?.id === event.chat_id) {
        const item = $("messages").querySelector(`[data-id="${CSS.escape(event.message_id)}"]`);
        if (item) {
          item.querySelector(".text").textContent = "This message was deleted.";
          item.querySelector(".message-actions")?.remove();
          item.querySelector(".reactions")?.remove();
          if (isPinned(event.message_id)) loadPins().catch(showProblem); // deleting unpins it
          item.querySelector(".edited")?.remove();
        }
      }
      break;
    case "scheduled.updated":
      if (state.open?.id === event.scheduled.chat_id) loadScheduled().catch(showProblem);
      break;
    case "chat.pins":
      if (state.open?.id === event.chat_id) loadPins().catch(showProblem);
      break;
    case "message.reactions":
      showReactions({ id: event.message_id, chat_id: event.chat_id, reactions: event.reactions });
      break;
    case "read":
      if (state.open?.id === event.chat_id && event.user_id !== state.me.id) {
        state.open.peerRead = Math.max(state.open.peerRead, event.seq);
        showReceipts();
      }
      break;
    case "typing":
      if (state.open?.id === event.chat_id) {
        const name = state.open.names.get(event.user_id) || "Someone";
        $("typing").textContent = `${name} is typing…`;
        clearTimeout(state.typingTimer);
        state.typingTimer = setTimeout(() => ($("typing").textContent = ""), 4_000);
      }
      break;
    case "contact.invitation":
      people.onInvitation();
      break;
    case "chat.member.added":
    case "chat.member.removed":
    case "chat.updated":
      loadChats().catch(showProblem);
      break;
    case "error":
      markFailed(event.ref);
      showProblem(new ApiError(400, event));
      break;
    default:
      break; // presence, contacts...: not shown yet
  }
}

// --- Signing in and out ---------------------------------------------------------------------------

async function start() {
  state.me = await api.request("GET", "auth/me/");
  const { pts } = await api.request("GET", "updates/state/"); // before the chats: nothing falls between
  const [settings, config] = await Promise.all([
    api.request("GET", "notification-settings/"),
    api.request("GET", "config/"),
    loadChats(),
    channels.load(),
    people.refreshCount(),
  ]);
  state.config = config;
  onMutes(settings.mutes);
  showPanel("welcome");
  $("auth").hidden = true;
  $("messenger").hidden = false;
  $("sign-out").hidden = false;
  live.start(pts);
}

function showSignIn() {
  live.stop();
  showPanel("welcome");
  $("messenger").hidden = true;
  $("sign-out").hidden = true;
  $("auth").hidden = false;
  $("auth-username").focus();
}

$("auth-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = $("auth-username").value.trim();
  const password = $("auth-password").value;
  try {
    if (event.submitter?.value === "sign-up") await api.signUp(username, password);
    else await api.signIn(username, password);
    showProblem(null);
    await start();
  } catch (error) {
    showProblem(error);
  }
});

$("sign-out").addEventListener("click", async () => {
  await api.signOut().catch(() => {});
  showSignIn();
});

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("composer-text").value;
  if (!text.trim() || !state.open) return;
  $("composer-text").value = "";
  send(text).catch(showProblem);
});

$("schedule-send").addEventListener("click", () => schedule().catch(showProblem));

// --- Search in my chats --------------------------------------------------------------------

let searching = null; // {q, next}

async function searchMessages(q, before = null) {
  const params = new URLSearchParams({ q, limit: "20" });
  if (before) params.set("before", before);
  const page = await api.request("GET", `messages/search/?${params}`);
  if (!before) {
    showPanel("search");
    $("search-results").replaceChildren();
  }
  searching = { q, next: page.next };
  $("search-results").append(
    ...page.results.map((message) => {
      const chat = state.chats.get(message.chat_id);
      const open = element(
        "button",
        { type: "button", class: "chat-item" },
        element("span", { class: "chat-name" }, chat ? chatName(chat) : "A chat"),
        element("span", { class: "muted" }, new Date(message.created_at).toLocaleString()),
        element("span", { class: "chat-last" }, message.text),
      );
      open.addEventListener("click", () => openChat(message.chat_id).catch(showProblem));
      return element("li", { "data-id": message.id }, open);
    }),
  );
  $("search-empty").hidden = $("search-results").children.length > 0;
  $("search-more").hidden = !page.has_more;
}

$("message-search").addEventListener("submit", (event) => {
  event.preventDefault();
  const q = $("message-query").value.trim();
  if (q) searchMessages(q).catch(showProblem);
});
$("search-more").addEventListener("click", () => searchMessages(searching.q, searching.next).catch(showProblem));

$("draft-cancel").addEventListener("click", () => {
  if (state.draft?.mode === "edit") $("composer-text").value = "";
  setDraft(null);
});

$("composer-text").addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.draft) {
    $("draft-cancel").click();
    return;
  }
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("composer-text").addEventListener("input", () => {
  if (!state.open || Date.now() - state.lastTyping < 3_000) return;
  state.lastTyping = Date.now();
  live.send({ type: "typing", chat_id: state.open.id });
});

$("messages").addEventListener("scroll", () => {
  if (state.open?.more && $("messages").scrollTop < 40) {
    state.open.more = false; // one page at a time
    loadOlder().catch(showProblem);
  }
});

document.addEventListener("visibilitychange", markRead);
$("problem-dismiss").addEventListener("click", () => showProblem(null));
document.addEventListener("panel", (event) => {
  showProblem(null); // a problem belongs to what was on screen
  if (event.detail === "chat" || !state.open) return;
  state.open = null; // another panel took the place of the chat
  renderChatList();
});
api.addEventListener("signedout", showSignIn);

if (api.hasSession) {
  api
    .refresh()
    .then(start)
    .catch((error) => {
      if (error.status !== 401) showProblem(error);
      showSignIn();
    });
} else {
  showSignIn();
}
