// The modules benchmark's driver (see bench/modules.sh, which builds the release binary
// and calls this with PORTAL_BIN set). Node's standard library only, and the e2e
// suite's helpers to start a portal and register residents.
//
// One portal on a fresh SQLite database (or DATABASE_URL), the example parking-permit
// module registered and approved by a city admin, its webhook a receiver here. Residents
// apply through `POST /api/v1/services/residents-parking-permit/applications` (the
// same validation, storage and outbox as the submit page), each with a PDF proof.
//
//   1. Open loop at BENCH_RATE submissions/s (default 50) for BENCH_SECONDS (20): each
//      submission sent at its scheduled time, whether the ones before answered or not.
//      Reported: the submit answer's p50/p99, and the delivery latency from sending the
//      submission to the module's webhook receiving it, p50/p99/max. Target: delivery
//      p99 < 1 s at 50/s.
//   2. Closed loop with BENCH_CONCURRENCY (16) residents submitting as fast as answers
//      come for BENCH_SECONDS: submissions/s stored, and delivered/s to the module.
//
// Every submission must be answered 201 and every one delivered exactly once (checked
// by application id); otherwise the run fails.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { ApiClient } from '../e2e/lib/api.mjs';
import { startPortal } from '../e2e/lib/portal.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RESIDENTS = Number(process.env.BENCH_RESIDENTS ?? 20);
const OUT = process.env.BENCH_OUT;
const EXAMPLE = readFileSync(new URL('../openapi/examples/module-manifest.parking-permits.json', import.meta.url), 'utf8');
const PDF = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PATH = '/api/v1/services/residents-parking-permit/applications';

const log = (m) => process.stderr.write(`[bench] ${m}\n`);

function receiver() {
  const arrivals = new Map(); // application id -> [ms]
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (body.type === 'application.submitted') {
        const id = body.data.application_id;
        arrivals.set(id, [...(arrivals.get(id) ?? []), at]);
      }
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ url: `http://127.0.0.1:${server.address().port}/webhooks/portal`, arrivals, close: () => server.close() });
    });
  });
}

function answers() {
  const d = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  return {
    answers: {
      plate: 'S-AB 1234',
      zone: 'mitte',
      address: { street: 'Königstraße 1', postcode: '70173', city: 'Stuttgart' },
      proof: { file_name: 'proof.pdf', content_type: 'application/pdf', data: PDF.toString('base64') },
      start: d,
      confirm: true,
    },
    share: ['name'],
  };
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const f = (ms) => ms.toFixed(1);

async function submit(r, body) {
  const t0 = performance.now();
  const res = await r.request('POST', PATH, { json: body, expect: [201] });
  return { t0, took: performance.now() - t0, id: res.body.id };
}

async function waitDelivered(rx, ids, timeoutMs) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (ids.every((id) => rx.arrivals.has(id))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const missing = ids.filter((id) => !rx.arrivals.has(id)).length;
  throw new Error(`${missing} of ${ids.length} submissions never reached the module`);
}

const portal = await startPortal({ env: { LOG: 'warn', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) } });
try {
  const rx = await receiver();
  await portal.createAdmin('admin-bench@example.org', 'admin-password-1');
  const admin = new ApiClient(portal.baseUrl, { mailbox: portal.mailbox });
  await admin.login('admin-bench@example.org', 'admin-password-1');
  const manifest = JSON.parse(EXAMPLE);
  manifest.webhook_url = rx.url;
  if (!process.env.BENCH_SEALED) delete manifest.encryption_key;
  await admin.post('/api/v1/admin/modules', manifest);
  await admin.post(`/api/v1/admin/modules/${manifest.id}/approve`, { version: 1 });
  const residents = [];
  for (let i = 0; i < RESIDENTS; i++) {
    const r = new ApiClient(portal.baseUrl, { mailbox: portal.mailbox });
    await r.register({ displayName: `Bench Resident ${i}` });
    residents.push(r);
  }
  log(`${RESIDENTS} residents, the module approved; warming up`);
  const warm = [];
  for (let i = 0; i < 20; i++) warm.push((await submit(residents[i % RESIDENTS], answers())).id);
  await waitDelivered(rx, warm, 30_000);

  // 1. Open loop.
  log(`open loop: ${RATE}/s for ${SECONDS} s`);
  const n = Math.round(RATE * SECONDS);
  const start = performance.now() + 100;
  const sent = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const at = start + (i * 1000) / RATE;
      await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
      return submit(residents[i % RESIDENTS], answers());
    }),
  );
  await waitDelivered(rx, sent.map((s) => s.id), 60_000);
  const answer = sent.map((s) => s.took).sort((a, b) => a - b);
  const delivery = sent.map((s) => rx.arrivals.get(s.id)[0] - s.t0).sort((a, b) => a - b);
  const lag = Math.max(...sent.map((s, i) => s.t0 - (start + (i * 1000) / RATE)));
  const dupes = sent.filter((s) => rx.arrivals.get(s.id).length !== 1).length;
  if (dupes) throw new Error(`${dupes} submissions delivered more than once`);

  // 2. Closed loop.
  log(`closed loop: ${CONCURRENCY} residents for ${SECONDS} s`);
  const ids = [];
  const t0 = performance.now();
  const until = t0 + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      const r = residents[w % RESIDENTS];
      while (performance.now() < until) ids.push((await submit(r, answers())).id);
    }),
  );
  const stored = performance.now() - t0;
  await waitDelivered(rx, ids, 120_000);
  const lastArrival = Math.max(...ids.map((id) => rx.arrivals.get(id)[0]));
  const closedDupes = ids.filter((id) => rx.arrivals.get(id).length !== 1).length;
  if (closedDupes) throw new Error(`${closedDupes} submissions delivered more than once`);

  const result = {
    rate: RATE,
    seconds: SECONDS,
    submissions: n,
    answer_p50_ms: f(pct(answer, 50)),
    answer_p99_ms: f(pct(answer, 99)),
    delivery_p50_ms: f(pct(delivery, 50)),
    delivery_p99_ms: f(pct(delivery, 99)),
    delivery_max_ms: f(delivery[delivery.length - 1]),
    sender_lag_max_ms: f(lag),
    closed_concurrency: CONCURRENCY,
    closed_submissions: ids.length,
    closed_stored_per_s: (ids.length / (stored / 1000)).toFixed(1),
    closed_delivered_per_s: (ids.length / ((lastArrival - t0) / 1000)).toFixed(1),
  };
  log(JSON.stringify(result));
  if (OUT) writeFileSync(OUT, JSON.stringify(result));
  rx.close();
} finally {
  await portal.stop();
  portal.mailbox?.close?.();
}
process.exit(0);
