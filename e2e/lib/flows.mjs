// What a resident does with the account forms, through the pages themselves
// (not the API): register, log in, log out. Every form is a plain HTML form
// with a hidden `csrf` field, so these work with JavaScript on or off.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { goto, submitWith } from './browser.mjs';
import { msg } from './l10n.mjs';

/** A new, unique account: `{ displayName, email, password }` (override any). */
export function newAccount(overrides = {}) {
  const id = randomUUID().slice(0, 8);
  return {
    displayName: `Erika Muster ${id}`,
    email: `e2e-${id}@example.org`,
    password: `pw-${randomUUID()}`,
    ...overrides,
  };
}

/** The registration form on the current page. */
export function registrationForm(page) {
  return page.locator('main form[action="/register"]');
}

/** The login form on the current page. */
export function loginForm(page) {
  return page.locator('main form[action="/login"]');
}

/** The logout button in the header (a form posting to /logout). */
export function logoutButton(page) {
  return page.locator('header form[action="/logout"] button[type="submit"]');
}

/** Assert `form` carries a non-empty hidden `csrf` field. */
export async function assertCsrfField(form) {
  const csrf = form.locator('input[type="hidden"][name="csrf"]');
  assert.equal(await csrf.count(), 1, 'the form has one hidden csrf field');
  assert.ok((await csrf.inputValue()).length >= 16, 'the csrf field holds a token');
}

/**
 * Open /register, fill the form and submit it with its button. Resolves with
 * the response of the page the browser lands on (after redirects).
 */
export async function registerViaForm(page, account) {
  await goto(page, '/register', { expectStatus: 200 });
  const form = registrationForm(page);
  await assertCsrfField(form);
  await form.locator('input[name="display_name"]').fill(account.displayName);
  await form.locator('input[name="email"]').fill(account.email);
  await form.locator('input[name="password"]').fill(account.password);
  return submitWith(page, form.locator('button[type="submit"]'));
}

/** Open /login, fill the form and submit it. Resolves with the landing page's response. */
export async function loginViaForm(page, email, password) {
  await goto(page, '/login', { expectStatus: 200 });
  const form = loginForm(page);
  await assertCsrfField(form);
  await form.locator('input[name="email"]').fill(email);
  await form.locator('input[name="password"]').fill(password);
  return submitWith(page, form.locator('button[type="submit"]'));
}

/** Press the header's logout button. Resolves with the landing page's response. */
export async function logoutViaHeader(page) {
  const button = logoutButton(page);
  assert.equal(await button.count(), 1, `a logout button in the header of ${page.url()}`);
  return submitWith(page, button);
}

/** The `Hallo, <name>` / `Hello, <name>` greeting of the account page. */
export function greeting(lang, name) {
  return msg(lang, 'account-greeting', { name });
}

/**
 * Follow the verification link the portal emailed to `email` (read from the
 * portal's mailbox) in `page`, and press its confirm button. Resolves with the
 * response of the page it lands on: the login form with the address filled in
 * (a browser not logged in to the account), or the page saying the address is
 * confirmed (the account's own browser).
 */
export async function verifyEmailViaLink(page, mailbox, email) {
  const link = new URL(await mailbox.link(email, 'verify'));
  await goto(page, `${link.pathname}${link.search}`, { expectStatus: 200 });
  return submitWith(page, page.locator('main form[action="/verify"] button[type="submit"]'));
}

/**
 * After the registration form on a portal that emails (the e2e portal does):
 * the "check your mailbox" page, the emailed link, its confirm button, and the
 * login form it leads to (the address filled in), with the password. Resolves
 * with the response of the page the login lands on (where the registration
 * began, else my account).
 */
export async function finishRegistration(page, mailbox, account) {
  const sent = page.locator('main [role="status"]');
  assert.ok((await sent.innerText()).includes(account.email), 'the "check your mailbox" page names the address');
  assert.equal(await logoutButton(page).count(), 0, 'registering logs nobody in');
  const confirmed = await verifyEmailViaLink(page, mailbox, account.email);
  assert.equal(confirmed.status(), 200);
  const form = loginForm(page);
  assert.equal(await form.locator('input[name="email"]').inputValue(), account.email, 'the address is filled in');
  await assertCsrfField(form);
  await form.locator('input[name="password"]').fill(account.password);
  return submitWith(page, form.locator('button[type="submit"]'));
}

/**
 * Register through the form and finish like a resident (see
 * `finishRegistration`): logged in, on my account (or where `next` leads).
 */
export async function registerAndLogIn(page, mailbox, account) {
  const res = await registerViaForm(page, account);
  assert.equal(res.status(), 200, 'the "check your mailbox" page');
  return finishRegistration(page, mailbox, account);
}
