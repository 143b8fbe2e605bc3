// A tiny SMTP server on loopback that keeps every message in memory, so that a
// test can read what the portal emailed (the verification and password reset
// links). Enough SMTP for the portal's mailer (lettre): no TLS, no auth.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Decode a body part by its Content-Transfer-Encoding. */
function decode(body, encoding) {
  switch ((encoding ?? '').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    default:
      return body;
  }
}

/** The headers (lower-case names, folded lines joined) and body of a message. */
function parse(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.slice(split + 4) };
}

/** The plain text of a message (the first text/plain part of a multipart one). */
function plainText(raw) {
  const { headers, body } = parse(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) return decode(body, headers['content-transfer-encoding']);
  for (const part of body.split(`--${boundary}`)) {
    const p = parse(part.replace(/^\r\n/, ''));
    if ((p.headers['content-type'] ?? '').startsWith('text/plain')) {
      return decode(p.body, p.headers['content-transfer-encoding']);
    }
  }
  return '';
}

/** An RFC 2047 encoded subject, decoded. */
function decodeWords(s) {
  return (s ?? '').replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc, text) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decode(text.replace(/_/g, ' '), 'quoted-printable'),
  );
}

export class Mailbox {
  constructor() {
    /** @type {{ to: string[], subject: string, text: string }[]} */
    this.messages = [];
    this.server = net.createServer((socket) => this.session(socket));
  }

  /** `smtp://127.0.0.1:<port>`, for the portal's SMTP_URL. */
  get url() {
    return `smtp://127.0.0.1:${this.server.address().port}`;
  }

  async start() {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.server.unref();
    return this;
  }

  async close() {
    await new Promise((resolve) => this.server.close(() => resolve()));
  }

  session(socket) {
    let buffer = '';
    let data = null;
    let to = [];
    socket.setEncoding('latin1');
    socket.write('220 e2e-mailbox ESMTP\r\n');
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffer += chunk;
      for (;;) {
        if (data !== null) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = Buffer.from(data + buffer.slice(0, end + 2), 'latin1')
            .toString('utf8')
            .replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          data = null;
          const { headers } = parse(raw);
          this.messages.push({ to, subject: decodeWords(headers.subject), text: plainText(raw) });
          to = [];
          socket.write('250 OK\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 e2e-mailbox\r\n');
        else if (verb === 'RCPT') {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          socket.write('250 OK\r\n');
        } else if (verb === 'DATA') {
          data = '';
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
        } else socket.write('250 OK\r\n');
      }
    });
  }

  /** The messages to `address`, oldest first. */
  to(address) {
    return this.messages.filter((m) => m.to.includes(address));
  }

  /**
   * Wait (at most `timeoutMs`) for a message to `address` whose text holds a
   * link to `path` of the portal, and resolve with that link.
   */
  async link(address, path, { timeoutMs = 15_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    const re = new RegExp(`https?://\\S+/${path}\\?token=[A-Za-z0-9_-]+\\S*`);
    while (Date.now() < deadline) {
      for (const m of this.to(address).reverse()) {
        const found = re.exec(m.text)?.[0];
        if (found) return found;
      }
      await sleep(100);
    }
    throw new Error(`no /${path} link for ${address}; got ${JSON.stringify(this.to(address))}`);
  }
}

/** Start a mailbox on a free loopback port. */
export async function startMailbox() {
  return new Mailbox().start();
}
