// The socket (docs/websocket.md): frames in both directions, and the update log's `pts`.
// Durable events carry the reader's next pts; a gap, a reconnect or a reload is caught up with
// `sync` (the same as GET updates/?since=), so nothing is missed and nothing is shown twice.

const CLOSE_UNAUTHORIZED = 4401;
const BACKOFF_MAX = 30_000;

export class Live {
  constructor(api, { onEvent, onStatus, onReset }) {
    this.api = api;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onReset = onReset;
    this.pts = null;
    this.socket = null;
    this.backoff = 1_000;
    this.stopped = true;
    this.syncing = false;
    this.waiting = []; // durable frames that came while a sync was on its way
    api.addEventListener("token", (event) => this.send({ type: "auth.refresh", token: event.detail }));
  }

  start(pts) {
    this.pts = pts;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.socket?.close(1000);
    this.socket = null;
  }

  get open() {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/`, ["bearer", this.api.access]);
    this.socket = socket;
    this.onStatus("connecting");
    socket.onopen = () => {
      this.backoff = 1_000;
      this.onStatus("online");
      this.sync(); // whatever happened while this page had no socket
    };
    socket.onmessage = (message) => this.receive(JSON.parse(message.data));
    socket.onclose = (event) => {
      if (this.socket !== socket || this.stopped) return;
      const wait = this.backoff;
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX);
      this.onStatus("offline", wait);
      setTimeout(async () => {
        if (this.stopped) return;
        if (event.code === CLOSE_UNAUTHORIZED) {
          try {
            await this.api.refresh();
          } catch {
            return; // signed out: the page shows the sign-in form
          }
        }
        this.connect();
      }, wait);
    };
  }

  send(frame) {
    if (!this.open) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  sync() {
    if (this.syncing) return;
    this.syncing = true;
    this.send({ type: "sync", since: this.pts });
  }

  receive(frame) {
    if (frame.type === "sync") {
      this.syncing = false;
      if (frame.too_long) {
        this.pts = frame.pts;
        this.onReset(); // too far behind: reload the chats
        return;
      }
      for (const update of frame.updates) this.apply(update);
      if (frame.has_more) {
        this.sync();
        return;
      }
      this.pts = Math.max(this.pts, frame.pts);
      const waiting = this.waiting.splice(0);
      for (const update of waiting) this.receive(update);
      return;
    }
    if (frame.pts === undefined) {
      this.onEvent(frame); // ephemeral (typing, presence), an ack or an error
    } else if (this.syncing) {
      this.waiting.push(frame);
    } else if (frame.pts > this.pts + 1) {
      this.waiting.push(frame);
      this.sync(); // a gap: the log has what is missing
    } else {
      this.apply(frame);
    }
  }

  apply(update) {
    if (update.pts <= this.pts) return; // seen already
    this.pts = update.pts;
    this.onEvent(update);
  }
}
