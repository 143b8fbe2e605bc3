// A small client for the portal's JSON API (/api/v1), for arranging data
// before a browser scenario: register an account, create an organization,
// create and publish a listing, suspend it as a city admin, and so on.
//
// It also reads the search API (`search`, `suggest`), whose answers the
// browser scenarios compare with what the `/search` page shows.
//
// It authenticates like a browser (the `cp_session` cookie from register or
// login) or like a script (`token`, sent as a Bearer token).
import { randomUUID } from 'node:crypto';

const REQUEST_TIMEOUT_MS = 15_000;

export class ApiError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path}: HTTP ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

export class ApiClient {
  /** @param {string} baseUrl the portal's base URL, e.g. `portal.baseUrl` */
  constructor(baseUrl, { token, mailbox } = {}) {
    this.baseUrl = baseUrl;
    this.token = token ?? null;
    /** The portal's mailbox: registering follows the emailed verification link. */
    this.mailbox = mailbox ?? null;
    /** @type {Map<string,string>} cookies set by the portal */
    this.cookies = new Map();
  }

  /** The cookies as a `Cookie` header value (for `addSessionCookie`). */
  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /**
   * Send a request; resolves with `{ status, headers, body }` where body is
   * parsed JSON when the response is JSON. Throws `ApiError` unless the status
   * is in `expect` (default: any 2xx).
   */
  async request(method, path, { json, headers = {}, expect } = {}) {
    const h = { accept: 'application/json', ...headers };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (this.cookies.size) h.cookie = this.cookieHeader();
    if (json !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: h,
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const body = /json/.test(type) && text ? JSON.parse(text) : text;
    const ok = expect ? [].concat(expect).includes(res.status) : res.status >= 200 && res.status < 300;
    if (!ok) throw new ApiError(method, path, res.status, body);
    return { status: res.status, headers: res.headers, body };
  }

  async get(path, opts) {
    return (await this.request('GET', path, opts)).body;
  }
  async post(path, json, opts = {}) {
    return (await this.request('POST', path, { ...opts, json })).body;
  }
  async put(path, json, opts = {}) {
    return (await this.request('PUT', path, { ...opts, json })).body;
  }

  // --- listings --------------------------------------------------------

  /** One page of published listings (`query`: kind, category, district, limit, cursor). */
  async listings(query = {}) {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined));
    return this.get(`/api/v1/listings?${qs}`);
  }

  /** Every published listing matching `query`, following cursors (at most `maxPages` pages). */
  async allListings(query = {}, maxPages = 50) {
    const items = [];
    let cursor;
    for (let i = 0; i < maxPages; i++) {
      const page = await this.listings({ limit: 100, ...query, cursor });
      items.push(...page.items);
      if (!page.next_cursor) return items;
      cursor = page.next_cursor;
    }
    throw new Error(`more than ${maxPages} pages of listings for ${JSON.stringify(query)}`);
  }

  /** A listing by id or slug. Also returns its ETag (for `If-Match`). */
  async listing(idOrSlug) {
    const res = await this.request('GET', `/api/v1/listings/${encodeURIComponent(idOrSlug)}`);
    return { ...res.body, etag: res.headers.get('etag') };
  }

  async createListing(fields) {
    return this.post('/api/v1/listings', fields);
  }

  /** Replace a listing's fields (needs its current ETag). */
  async updateListing(id, fields, etag) {
    return this.put(`/api/v1/listings/${id}`, fields, { headers: { 'if-match': etag } });
  }

  async publishListing(id) {
    return this.post(`/api/v1/listings/${id}/publish`, undefined);
  }

  async unpublishListing(id) {
    return this.post(`/api/v1/listings/${id}/unpublish`, undefined);
  }

  /** Suspend a listing (city admins only). */
  async suspendListing(id, reason) {
    return this.post(`/api/v1/listings/${id}/suspend`, { reason });
  }

  async restoreListing(id) {
    return this.post(`/api/v1/listings/${id}/restore`, undefined);
  }

  // --- search --------------------------------------------------------------

  /**
   * `GET /api/v1/search` (the engine behind the `/search` page): `query` takes
   * q, kind, category, district, open_now, wheelchair, sort, locale, page, per_page.
   * Resolves with `{ hits, estimated_total, page, per_page, facets, engine }`.
   */
  async search(query = {}) {
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
    return this.get(`/api/v1/search?${qs}`);
  }

  /** `GET /api/v1/search/suggest` (the type-ahead): `{ suggestions: [{ name, slug, kind }] }`. */
  async suggest(q, locale) {
    const qs = new URLSearchParams(locale ? { q, locale } : { q });
    return this.get(`/api/v1/search/suggest?${qs}`);
  }

  // --- accounts and organizations -----------------------------------------

  /**
   * Register a new account. Defaults make a unique one. A portal that emails
   * (202) logs nobody in: with the portal's mailbox, the address is verified
   * through the emailed link and the account logs in (unless `verify: false`).
   * One that does not (201) logs it in at once. Resolves with the account and
   * `me`, its profile once logged in.
   */
  async register({ email, password, displayName, verify = true } = {}) {
    const account = {
      email: email ?? `e2e-${randomUUID()}@example.org`,
      password: password ?? `pw-${randomUUID()}`,
      display_name: displayName ?? 'E2E Tester',
    };
    const res = await this.request('POST', '/api/v1/accounts/register', { json: account, expect: [201, 202] });
    if (res.status === 201) return { ...account, me: res.body };
    if (!this.mailbox || !verify) return { ...account, me: null };
    await this.verifyEmail(account.email);
    const me = await this.login(account.email, account.password);
    return { ...account, me };
  }

  /** Follow the verification link emailed to `email` (booking needs it). */
  async verifyEmail(email) {
    const link = await this.mailbox.link(email, 'verify');
    const token = new URL(link).searchParams.get('token');
    await this.post('/api/v1/accounts/verify', { token });
  }

  async login(email, password) {
    return this.post('/api/v1/accounts/login', { email, password });
  }

  async logout() {
    return this.post('/api/v1/accounts/logout', undefined);
  }

  async me() {
    return this.get('/api/v1/accounts/me');
  }

  /** Create a personal API token and use it from now on. */
  async useNewToken(name = 'e2e') {
    const created = await this.post('/api/v1/accounts/me/tokens', { name });
    this.token = created.token;
    return created;
  }

  async createOrganization(name, kind) {
    return this.post('/api/v1/organizations', kind ? { name, kind } : { name });
  }

  async myOrganizations() {
    return this.get('/api/v1/organizations/mine');
  }

  /** The members of an organization (a city admin reading another organization's is logged). */
  async members(organizationId) {
    return this.get(`/api/v1/organizations/${organizationId}/members`);
  }
}

/** A minimal valid business listing for `organizationId`; override any field. */
export function businessListing(organizationId, overrides = {}) {
  const suffix = randomUUID().slice(0, 8);
  return {
    kind: 'business',
    organization_id: organizationId,
    name: { de: `E2E Café ${suffix}`, en: `E2E Café ${suffix}` },
    description: { de: 'Ein Café für Tests.', en: 'A café for tests.' },
    categories: ['food.cafe'],
    ...overrides,
  };
}
