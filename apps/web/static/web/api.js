// The REST API (docs/api.md): JSON in and out; every error is {code, detail}.
// The access token lives in memory only and is refreshed a minute before it expires; the
// refresh token is kept in localStorage so that a reload stays signed in. Signing out revokes it.

const BASE = "/api/v1/";
const REFRESH_KEY = "telegram-light.refresh";

export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    super(body?.detail || `HTTP ${status}`);
    this.status = status;
    this.code = body?.code || "http_error";
    this.fields = body?.fields;
    this.retryAfter = retryAfter;
  }
}

function expiresAt(token) {
  const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload)).exp * 1000;
}

export class Api extends EventTarget {
  constructor() {
    super();
    this.access = null;
    this.timer = null;
  }

  get signedIn() {
    return this.access !== null;
  }

  get hasSession() {
    return localStorage.getItem(REFRESH_KEY) !== null;
  }

  async request(method, path, body) {
    const response = await this.send(method, path, body);
    if (response.status === 401 && this.hasSession && path !== "auth/token/refresh/") {
      await this.refresh(); // the access token ran out early (a sleeping laptop): once more
      return this.parse(await this.send(method, path, body));
    }
    return this.parse(response);
  }

  async send(method, path, body) {
    const headers = { Accept: "application/json" };
    const form = body instanceof FormData; // an upload: the browser writes its multipart header
    if (body !== undefined && !form) headers["Content-Type"] = "application/json";
    if (this.access) headers.Authorization = `Bearer ${this.access}`;
    try {
      return await fetch(BASE + path, {
        method,
        headers,
        body: body === undefined || form ? body : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, { code: "offline", detail: "The server cannot be reached." });
    }
  }

  async parse(response) {
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (!response.ok) {
      throw new ApiError(response.status, body, Number(response.headers.get("Retry-After")) || null);
    }
    return body;
  }

  async upload(file) {
    const form = new FormData();
    form.append("file", file);
    return this.request("POST", "files/", form);
  }

  async signIn(username, password) {
    this.keep(await this.request("POST", "auth/token/", { username, password }));
  }

  async signUp(username, password) {
    await this.request("POST", "auth/register/", { username, password });
    await this.signIn(username, password);
  }

  async refresh() {
    const refresh = localStorage.getItem(REFRESH_KEY);
    if (!refresh) throw new ApiError(401, { code: "not_authenticated", detail: "Please sign in." });
    try {
      this.keep(await this.parse(await this.send("POST", "auth/token/refresh/", { refresh })));
    } catch (error) {
      if (error.status === 401) this.forget();
      throw error;
    }
    this.dispatchEvent(new CustomEvent("token", { detail: this.access }));
  }

  keep({ access, refresh }) {
    this.access = access;
    localStorage.setItem(REFRESH_KEY, refresh);
    clearTimeout(this.timer);
    const due = Math.max(expiresAt(access) - Date.now() - 60_000, 5_000);
    this.timer = setTimeout(() => this.refresh().catch(() => this.dispatchEvent(new Event("signedout"))), due);
  }

  async signOut() {
    const refresh = localStorage.getItem(REFRESH_KEY);
    try {
      if (refresh) await this.request("POST", "auth/logout/", { refresh });
    } finally {
      this.forget();
    }
  }

  forget() {
    clearTimeout(this.timer);
    this.access = null;
    localStorage.removeItem(REFRESH_KEY);
  }
}
