// Accounts through the pages: register → my account → log out → log in again;
// form errors in an error summary that links to the fields and keeps the input;
// the CSRF token; my organizations, the access log and the data export.
import assert from 'node:assert/strict';
import test from 'node:test';
import { checkA11y } from '../lib/axe.mjs';
import { addSessionCookie, followLink, goto, h1Text, submitWith } from '../lib/browser.mjs';
import { assertNoProblems } from '../lib/expect.mjs';
import {
  greeting,
  loginForm,
  loginViaForm,
  logoutButton,
  logoutViaHeader,
  finishRegistration,
  newAccount,
  registerAndLogIn,
  registerViaForm,
  registrationForm,
} from '../lib/flows.mjs';
import { msg } from '../lib/l10n.mjs';
import { useSuite } from '../lib/suite.mjs';

const suite = useSuite();

/** The header's main navigation. */
function mainNav(page) {
  return page.locator('header nav.main-nav');
}

/** Assert the header shows a visitor who is logged out (Log in, Register; no Log out). */
async function assertLoggedOutHeader(page) {
  const nav = mainNav(page);
  assert.equal(await nav.locator('a[href="/login"]').innerText(), msg('de', 'nav-login'));
  assert.equal(await nav.locator('a[href="/register"]').innerText(), msg('de', 'nav-register'));
  assert.equal(await logoutButton(page).count(), 0, 'no logout button when logged out');
  assert.equal(await nav.locator('a[href="/account"]').count(), 0, 'no account link when logged out');
}

/** Assert the header shows a logged-in visitor (My account, Log out; no Log in, Register). */
async function assertLoggedInHeader(page) {
  const nav = mainNav(page);
  assert.equal(await nav.locator('a[href="/account"]').innerText(), msg('de', 'nav-account'));
  assert.equal((await logoutButton(page).innerText()).trim(), msg('de', 'nav-logout'));
  assert.equal(await nav.locator('a[href="/login"], a[href="/register"]').count(), 0, 'no login/register links when logged in');
}

test('register → check the mailbox → the emailed link → log in → my account greets me → log out → log in again', async () => {
  const account = newAccount();
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, '/', { expectStatus: 200 });
    await assertLoggedOutHeader(page);

    // Registering logs nobody in: the same "check your mailbox" page whether or
    // not the address has an account.
    const registered = await registerViaForm(page, account);
    assert.equal(registered.status(), 200);
    assert.equal(await h1Text(page), msg('de', 'link-sent-title'));
    await assertLoggedOutHeader(page);
    assert.equal((await context.cookies()).find((c) => c.name === 'cp_session'), undefined, 'no session yet');
    // Before the link, the right password is refused like a wrong one.
    const early = await loginViaForm(page, account.email, account.password);
    assert.equal(early.status(), 401);
    assert.equal((await page.locator('main .error-summary a').innerText()).trim(), msg('de', 'login-refused-or-unconfirmed'));
    await registerViaForm(page, { ...account, password: `other-${account.password}` });
    assert.equal(await h1Text(page), msg('de', 'link-sent-title'));
    const finished = await finishRegistration(page, suite.portal.mailbox, account);
    assert.equal(finished.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/account', 'the link and the login lead to my account');
    assert.equal(await h1Text(page), greeting('de', account.displayName));
    assert.ok((await page.locator('main').innerText()).includes(account.email), 'my account shows my email');
    await assertLoggedInHeader(page);
    assert.equal(await mainNav(page).locator('a[href="/account"]').getAttribute('aria-current'), 'page');
    const session = (await context.cookies()).find((c) => c.name === 'cp_session');
    assert.ok(session, 'a session cookie is set');
    assert.ok(session.httpOnly, 'the session cookie is HttpOnly');

    // "Download my data": a JSON file with what the portal holds about me.
    const exportLink = page.locator('main a[href="/account/export"]');
    assert.equal(await exportLink.count(), 1, 'a "download my data" link');
    assert.equal((await exportLink.innerText()).trim(), msg('de', 'account-export'));
    const download = await context.request.get('/account/export');
    assert.equal(download.status(), 200);
    assert.match(download.headers()['content-type'] ?? '', /json/);
    assert.match(download.headers()['content-disposition'] ?? '', /attachment/);
    assert.ok((await download.text()).includes(account.email), 'the export holds my email');

    // A delete-account form that asks for the password (not used here).
    const del = page.locator('main form[action="/account/delete"]');
    assert.equal(await del.count(), 1, 'a delete-account form');
    assert.equal(await del.locator('input[type="password"][name="password"]').count(), 1);
    assert.equal(await del.locator('input[type="hidden"][name="csrf"]').count(), 1);

    const out = await logoutViaHeader(page);
    assert.equal(out.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/', 'logging out lands on the home page');
    await assertLoggedOutHeader(page);
    assert.equal((await context.cookies()).find((c) => c.name === 'cp_session'), undefined, 'the session cookie is gone');
    await goto(page, '/account');
    assert.equal(new URL(page.url()).pathname, '/login', 'my account needs a login again');

    const back = await loginViaForm(page, account.email, account.password);
    assert.equal(back.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/account', 'logging in lands on my account');
    assert.equal(await h1Text(page), greeting('de', account.displayName));
    await assertLoggedInHeader(page);

    // Logged in, /login and /register lead to my account.
    await goto(page, '/login');
    assert.equal(new URL(page.url()).pathname, '/account');
    await goto(page, '/register');
    assert.equal(new URL(page.url()).pathname, '/account');

    assertNoProblems(problems, context, 'register, logout, login');
  } finally {
    await close();
  }
});

test('a too-short password: error summary linking to the password field, name and email kept', async () => {
  const account = newAccount({ password: 'short' });
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    const res = await registerViaForm(page, account);
    assert.ok(res.status() >= 400 && res.status() < 500, `a client error status (got ${res.status()})`);
    assert.equal(new URL(page.url()).pathname, '/register', 'the form is shown again');

    const summary = page.locator('main .error-summary');
    assert.equal(await summary.count(), 1, 'an error summary');
    assert.ok(await summary.isVisible(), 'the error summary is visible');
    assert.equal(await summary.getAttribute('role'), 'alert', 'the error summary is announced');
    assert.equal((await summary.locator('h2').innerText()).trim(), msg('de', 'error-summary'));
    const link = summary.locator('a[href="#password"]');
    assert.equal(await link.count(), 1, 'the summary links to the password field');
    assert.equal((await link.innerText()).trim(), msg('de', 'error-password-length'));
    assert.equal(await summary.locator('a').count(), 1, 'only the password is wrong');
    // The page's script moves focus to the summary, so it is read first.
    assert.equal(await summary.getAttribute('tabindex'), '-1', 'the summary can take focus');
    await page.waitForFunction(() => document.activeElement?.id === 'error-summary', null, { timeout: 5_000 });
    assert.equal(
      await page.evaluate(() => document.activeElement === document.querySelector('main .error-summary')),
      true,
      'focus is on the error summary',
    );
    // The summary comes before the form, so it is read first.
    assert.ok(
      await page.evaluate(() => {
        const s = document.querySelector('main .error-summary');
        const f = document.querySelector('main form[action="/register"]');
        return !!(s.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING);
      }),
      'the error summary precedes the form',
    );

    // The field itself says what is wrong, and is marked invalid.
    const form = registrationForm(page);
    const password = form.locator('input[name="password"]');
    assert.equal(await password.getAttribute('id'), 'password');
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    const describedBy = ((await password.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
    const descriptions = await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).innerText()));
    assert.ok(
      descriptions.some((d) => d.includes(msg('de', 'error-password-length'))),
      `the password field is described by its error (${JSON.stringify(descriptions)})`,
    );
    for (const name of ['display_name', 'email']) {
      assert.equal(await form.locator(`input[name="${name}"]`).getAttribute('aria-invalid'), null, `${name} is not marked invalid`);
    }

    // What I typed is kept, except the password.
    assert.equal(await form.locator('input[name="display_name"]').inputValue(), account.displayName);
    assert.equal(await form.locator('input[name="email"]').inputValue(), account.email);
    assert.equal(await password.inputValue(), '', 'the password is not sent back');

    // Following the summary's link by keyboard puts focus into the password field.
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'password', null, { timeout: 5_000 });

    // Typing a good password there completes the registration.
    await page.keyboard.type('a-long-enough-password');
    await submitWith(page, form.locator('button[type="submit"]'));
    assert.equal(await h1Text(page), msg('de', 'link-sent-title'));
    await finishRegistration(page, suite.portal.mailbox, { ...account, password: 'a-long-enough-password' });
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal(await h1Text(page), greeting('de', account.displayName));
    assertNoProblems(problems, context, 'registration errors');
  } finally {
    await close();
  }
});

test('a wrong password on /login shows the error summary and keeps the email', async () => {
  const owner = suite.client();
  const { email } = await owner.register();
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE' });
  try {
    const res = await loginViaForm(page, email, 'not-the-password');
    assert.equal(res.status(), 401);
    assert.equal(new URL(page.url()).pathname, '/login');
    const summary = page.locator('main .error-summary');
    assert.equal(await summary.getAttribute('role'), 'alert');
    const link = summary.locator('a[href="#email"]');
    // The portal emails: the message also covers an address not confirmed yet.
    assert.equal((await link.innerText()).trim(), msg('de', 'login-refused-or-unconfirmed'));
    assert.equal(await loginForm(page).locator('input[name="email"]').inputValue(), email);
    assert.equal(await loginForm(page).locator('input[name="password"]').inputValue(), '');
    assert.equal((await context.cookies()).find((c) => c.name === 'cp_session'), undefined, 'not logged in');
    assertNoProblems(problems, context, 'login error');
  } finally {
    await close();
  }
});

test('a form sent without the form-protection cookie is refused, keeping what was typed', async () => {
  const account = newAccount();
  const { page, context, close } = await suite.page({ locale: 'de-DE' });
  try {
    await goto(page, '/register', { expectStatus: 200 });
    // Another site can make the browser post this form, but it has no matching token.
    await context.clearCookies();
    const form = registrationForm(page);
    await form.locator('input[name="display_name"]').fill(account.displayName);
    await form.locator('input[name="email"]').fill(account.email);
    await form.locator('input[name="password"]').fill(account.password);
    const res = await submitWith(page, form.locator('button[type="submit"]'));
    assert.equal(res.status(), 403);
    assert.equal(
      (await page.locator('main .error-summary a').innerText()).trim(),
      msg('de', 'error-csrf'),
      'the summary says the form expired',
    );
    assert.equal(await registrationForm(page).locator('input[name="email"]').inputValue(), account.email);
    assert.equal((await context.cookies()).find((c) => c.name === 'cp_session'), undefined, 'no account session');
    await assert.rejects(suite.client().login(account.email, account.password), /HTTP 401/, 'no account was made');
  } finally {
    await close();
  }
});

test('my account lists my organizations and who read my data', async () => {
  const owner = suite.client();
  const me = await owner.register({ displayName: 'Olga Owner' });
  const orgName = `E2E Verein ${Date.now()}`;
  const org = await owner.createOrganization(orgName);
  // A city admin reads the organization's members: that read is logged for me.
  await suite.portal.createAdmin('admin-account-test@example.org', 'admin-password-1');
  const admin = suite.client();
  await admin.login('admin-account-test@example.org', 'admin-password-1');
  await admin.members(org.id);

  const context = await suite.context({ locale: 'de-DE' });
  try {
    await addSessionCookie(context, suite.portal.baseUrl, owner.cookieHeader());
    const page = await context.newPage();
    await goto(page, '/account', { expectStatus: 200 });
    assert.equal(await h1Text(page), greeting('de', me.display_name));
    const orgs = page.locator('main section[aria-labelledby="h-orgs"]');
    assert.ok((await orgs.innerText()).includes(orgName), 'my organization is listed');
    assert.ok((await orgs.innerText()).includes(msg('de', 'account-role-owner')), 'with my role');
    const log = page.locator('main table');
    assert.equal(await log.count(), 1, 'the access log is a table');
    assert.equal(await log.locator('thead th[scope="col"]').count(), 4, 'with column headers: when, who, what, why');
    const rows = await log.locator('tbody tr').allInnerTexts();
    assert.ok(rows.some((r) => r.includes(orgName)), `the admin's read is in my access log: ${JSON.stringify(rows)}`);
    // Who read it, with their role, in the page's language.
    assert.ok(
      rows.some((r) => r.includes(msg('de', 'access-who-city')) && r.includes(msg('de', 'access-role-admin'))),
      `the reader and their role: ${JSON.stringify(rows)}`,
    );
  } finally {
    await context.close();
  }
});

test('forgot the password: ask for a link, follow it from the email, set a new one, log in with it', async () => {
  const account = newAccount();
  const { page, context, problems, close } = await suite.page({ locale: 'de-DE', a11y: true });
  try {
    await registerAndLogIn(page, suite.portal.mailbox, account);
    await logoutViaHeader(page);

    // The login page links to the reset; the request answers the same for any address.
    await goto(page, '/login', { expectStatus: 200 });
    await followLink(page, page.locator('main a[href="/password-reset"]'));
    assert.equal(await h1Text(page), msg('de', 'reset-title'));
    await checkA11y(page, 'password reset request');
    const form = page.locator('main form[action="/password-reset"]');
    await form.locator('input[name="email"]').fill(account.email);
    const sent = await submitWith(page, form.locator('button[type="submit"]'));
    assert.equal(sent.status(), 200);
    assert.equal((await page.locator('main [role="status"]').innerText()).trim(), msg('de', 'reset-sent'));

    // The emailed link opens the new-password form.
    const link = await suite.portal.mailbox.link(account.email, 'password-reset/confirm');
    const token = new URL(link).searchParams.get('token');
    await goto(page, `/password-reset/confirm?token=${encodeURIComponent(token)}`, { expectStatus: 200 });
    assert.equal(await h1Text(page), msg('de', 'reset-new-title'));
    await checkA11y(page, 'set a new password');
    const newPassword = `new-${account.password}`;
    const confirm = page.locator('main form[action="/password-reset/confirm"]');
    // Too short: the error summary names the field.
    await confirm.locator('input[name="password"]').fill('short');
    await submitWith(page, confirm.locator('button[type="submit"]'));
    assert.equal(await page.locator('#error-summary a[href="#password"]').count(), 1);
    await confirm.locator('input[name="password"]').fill(newPassword);
    await submitWith(page, confirm.locator('button[type="submit"]'));
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal((await page.locator('main .notice').innerText()).trim(), msg('de', 'account-done-password-reset'));

    // The old password is refused, the new one logs in; the link is used up.
    await loginViaForm(page, account.email, account.password);
    assert.equal(new URL(page.url()).pathname, '/login');
    await loginViaForm(page, account.email, newPassword);
    assert.equal(new URL(page.url()).pathname, '/account');
    await goto(page, `/password-reset/confirm?token=${encodeURIComponent(token)}`, { expectStatus: 410 });
    assert.equal(await h1Text(page), msg('de', 'link-invalid-title'));
    await checkA11y(page, 'a used link');
    assertNoProblems(problems, context, 'password reset journey');
  } finally {
    await close();
  }
});
