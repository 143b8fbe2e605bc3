#!/usr/bin/env python3
"""The contract stage of scripts/test: do the published OpenAPI documents describe the
server, and can a third party use them as they are?

    contract.py --portal-bin PATH --redocly PATH [--max-examples N] [--only PART ...]

PARTS (all by default, in this order):

  lint        the committed documents in openapi/ pass the Redocly CLI's recommended
              rules with 0 errors;
  clients     openapi-python-client generates a client from each with 0 warnings and
              a function for every operation;
  client-use  a small test uses the generated portal client against a running demo
              server: a third party's first steps (search, read a listing, book with a
              personal API token);
  schemathesis
              schemathesis (all checks; coverage, fuzzing and stateful phases) against
              the running demo server: the portal's document anonymously and as an
              organization's owner with a personal API token, the Module API document
              with a module's OAuth2 access token.

It starts its own server (the demo city on SQLite in a temporary directory, on a free
loopback port, no mail server: new accounts count as verified at once) and makes the
accounts it needs through the API: a city admin (`city-portal create-admin`) registers
and approves the example module, a resident creates an organization. Exits 1 when any
part fails; each part says why.
"""

import argparse
import importlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "openapi"
# The published documents: (file, the package name of its generated client).
DOCUMENTS = [
    ("openapi.json", "city_portal_api"),
    ("module-api.json", "city_portal_module_api"),
    ("partner-booking-api.json", "partner_booking_api"),
]
VENV_BIN = Path(sys.executable).parent


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# lint


def lint(redocly):
    ok = True
    for name, _ in DOCUMENTS:
        r = subprocess.run(
            [redocly, "lint", str(OPENAPI / name), "--format=summary"],
            capture_output=True,
            text=True,
        )
        out = r.stdout + r.stderr
        errors = sum(int(n) for n in re.findall(r"^error\s+\S+:\s+(\d+)", out, re.M))
        if r.returncode != 0 or errors:
            ok = False
            log(f"    {name}: Redocly reports errors:")
            log(re.sub(r"(?m)^", "      ", out.strip()))
        else:
            warnings = sum(int(n) for n in re.findall(r"^warning\s+\S+:\s+(\d+)", out, re.M))
            log(f"    {name}: 0 errors ({warnings} warnings)")
    return ok


# ---------------------------------------------------------------------------
# clients


def normalize(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


def generate_clients(out_dir):
    """Generates every client into out_dir; True when all are whole and warning-free."""
    ok = True
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    for name, package in DOCUMENTS:
        target = out_dir / package
        r = subprocess.run(
            [
                str(VENV_BIN / "openapi-python-client"),
                "generate",
                "--path",
                str(OPENAPI / name),
                "--output-path",
                str(target),
                "--meta",
                "none",
                "--overwrite",
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        out = (r.stdout + r.stderr).strip()
        if r.returncode != 0 or re.search(r"warning|error|unable", out, re.I):
            ok = False
            log(f"    {name}: openapi-python-client did not generate a clean client:")
            log(re.sub(r"(?m)^", "      ", out))
            continue
        doc = json.loads((OPENAPI / name).read_text())
        wanted = {
            normalize(op["operationId"])
            for item in doc.get("paths", {}).values()
            for method, op in item.items()
            if isinstance(op, dict) and "operationId" in op
        }
        generated = {normalize(p.stem) for p in (target / "api").rglob("*.py")}
        missing = sorted(wanted - generated)
        models = len(list((target / "models").glob("*.py"))) - 1
        if missing:
            ok = False
            log(f"    {name}: the client lacks {len(missing)} operations: {', '.join(missing)}")
        else:
            log(f"    {name}: 0 warnings, all {len(wanted)} operations, {models} models")
    return ok


# ---------------------------------------------------------------------------
# the server and its accounts


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Portal:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            BIND_ADDR=f"127.0.0.1:{self.port}",
            DATABASE_URL=f"sqlite://{work}/portal.db?mode=rwc",
            DEMO_DATA="true",
            # The example module's id is taken by the demo's own modules otherwise.
            DEMO_MODULES="false",
            # The example module this stage registers runs on loopback.
            MODULE_NETWORKS="127.0.0.0/8,::1/128",
            # Every request comes from 127.0.0.1: the per-address limits are tested in
            # the Rust tests.
            ANONYMOUS_REQUESTS_PER_MINUTE="0",
            REGISTRATIONS_PER_HOUR="1000000",
            LOG="warn",
        )
        for k in ("SMTP_URL", "REDIS_URL", "MEILI_URL", "MEILI_API_KEY", "OIDC_ISSUER_URL"):
            self.env.pop(k, None)
        self.log_path = work / "portal.log"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve"],
            cwd=self.work,
            env=self.env,
            stdout=open(self.log_path, "wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the portal exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError("the portal did not get ready within 180 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def call(self, method, path, body=None, token=None, headers=None, form=None):
        h = {"accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            h["content-type"] = "application/json"
            data = json.dumps(body).encode()
        if form is not None:
            h["content-type"] = "application/x-www-form-urlencoded"
            data = urllib.parse.urlencode(form).encode()
        if token:
            h["authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data=data, headers=h, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                text = r.read().decode()
                return r.status, (json.loads(text) if text else None), r.headers
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            raise RuntimeError(f"{method} {path}: {e.code}: {text}") from None

    def personal_token(self, email, password, register=True, organization=None):
        """Logs in (registering first) and returns a new personal API token; with
        `organization`, creates that organization first (tokens are for members of an
        organization and city staff)."""
        if register:
            self.call(
                "POST",
                "/api/v1/accounts/register",
                {"email": email, "password": password, "display_name": "Contract Test"},
            )
        _, _, headers = self.call(
            "POST", "/api/v1/accounts/login", {"email": email, "password": password}
        )
        cookie = {
            "cookie": "; ".join(c.split(";", 1)[0] for c in headers.get_all("set-cookie") or [])
        }
        if organization:
            self.call("POST", "/api/v1/organizations", {"name": organization}, headers=cookie)
        _, created, _ = self.call(
            "POST", "/api/v1/accounts/me/tokens", {"name": "contract test"}, headers=cookie
        )
        return created["token"]


def arrange(portal):
    """The accounts the tests act as: (an organization owner's personal API token, the
    example module's OAuth2 access token)."""
    password = secrets.token_urlsafe(18)
    admin_email = f"admin-{uuid.uuid4().hex[:8]}@example.org"
    subprocess.run(
        [portal.binary, "create-admin", admin_email],
        cwd=portal.work,
        env=dict(portal.env, ADMIN_PASSWORD=password),
        check=True,
        capture_output=True,
    )
    admin = portal.personal_token(admin_email, password, register=False)
    # The example module, registered and approved: its OAuth2 client's access token.
    _, manifest, _ = portal.call("GET", "/api/v1/module-manifest.example.json")
    portal.call("POST", "/api/v1/admin/modules", manifest, token=admin)
    _, approved, _ = portal.call(
        "POST", f"/api/v1/admin/modules/{manifest['id']}/approve", {"version": 1}, token=admin
    )
    client_id = approved["module"]["client_id"]
    _, tok, _ = portal.call(
        "POST",
        "/oauth/token",
        form={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": approved["client_secret"],
        },
    )
    module = tok["access_token"]
    # An organization's owner.
    owner = portal.personal_token(
        f"owner-{uuid.uuid4().hex[:8]}@example.org", password, organization="Contract Bakery"
    )
    return owner, module


# ---------------------------------------------------------------------------
# client-use: a third party's first steps with the generated client


def client_use(out_dir, portal, token):
    sys.path.insert(0, str(out_dir))
    pkg = importlib.import_module("city_portal_api")
    search = importlib.import_module("city_portal_api.api.listings.search")
    get_listing = importlib.import_module("city_portal_api.api.listings.get_listing")
    list_offers = importlib.import_module("city_portal_api.api.booking.list_offers")
    availability = importlib.import_module("city_portal_api.api.booking.offer_availability")
    create_booking = importlib.import_module("city_portal_api.api.booking.create_booking")
    models = importlib.import_module("city_portal_api.models")

    anonymous = pkg.Client(base_url=portal.base, raise_on_unexpected_status=True)
    # 1. Search.
    found = search.sync(client=anonymous, q="gym")
    assert isinstance(found, models.SearchResponse), f"search: {found}"
    hit = next((h for h in found.hits if h.slug == "sandbox-gym"), None)
    assert hit is not None, f"search for 'gym' did not find the demo gym: {[h.slug for h in found.hits]}"
    # 2. Read the listing, by its slug.
    listing = get_listing.sync(client=anonymous, id=hit.slug)
    assert isinstance(listing, models.Listing), f"get_listing: {listing}"
    assert str(listing.id) == str(hit.id) and listing.slug == "sandbox-gym"
    # 3. Book its first class with a free seat, with a personal API token.
    offers = list_offers.sync(client=anonymous, id=str(listing.id))
    classes = [o for o in offers.items if o.kind == models.OfferKind.CLASS and o.bookable]
    assert classes, f"the demo gym has no bookable class: {offers}"
    start = date.today() + timedelta(days=1)
    slot = None
    for offer in classes:
        slots = availability.sync(
            client=anonymous,
            id=str(offer.id),
            # The documents say `format: date`, so the client takes dates.
            from_=start,
            to=start + timedelta(days=13),
        )
        assert isinstance(slots, models.Availability), f"availability: {slots}"
        slot = next((s for s in slots.slots if (s.remaining or 0) > 0), None)
        if slot:
            break
    assert slot is not None, "no class of the demo gym has a free seat in the next two weeks"
    authed = pkg.AuthenticatedClient(
        base_url=portal.base, token=token, raise_on_unexpected_status=True
    )
    resp = create_booking.sync_detailed(
        client=authed,
        body=models.BookingInput(offer_id=offer.id, starts_at=slot.starts_at),
        idempotency_key=str(uuid.uuid4()),
    )
    assert resp.status_code == 201, f"create_booking: {resp.status_code} {resp.content!r}"
    booking = resp.parsed
    assert isinstance(booking, models.Booking), f"create_booking: {booking}"
    assert str(booking.offer_id) == str(offer.id)
    log(
        f"    searched 'gym', read /listings/{listing.slug}, booked {slot.starts_at.isoformat()}"
        f" of offer {offer.id}: booking {booking.id} is {booking.status}"
    )
    return True


# ---------------------------------------------------------------------------
# schemathesis


def schemathesis(portal, document, label, token, max_examples, seed, report_dir):
    args = [
        str(VENV_BIN / "st"),
        "--config-file",
        str(Path(__file__).resolve().parent / "schemathesis.toml"),
        "run",
        f"{portal.base}/api/v1/{document}",
        "--url",
        portal.base,
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(max_examples),
        "--workers",
        "2",
        "--seed",
        str(seed),
        "--generation-database",
        "none",
        "--request-timeout",
        "20",
        "--no-color",
        "--report",
        "junit",
        "--report-junit-path",
        str(report_dir / f"schemathesis-{label}.xml"),
    ]
    if token:
        args += ["--header", f"Authorization: Bearer {token}"]
    # The dates schemathesis.toml gives the offers' date ranges: this week.
    env = dict(os.environ)
    env["CONTRACT_FROM"] = date.today().isoformat()
    env["CONTRACT_TO"] = (date.today() + timedelta(days=6)).isoformat()
    start = time.time()
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    out = r.stdout + r.stderr
    (report_dir / f"schemathesis-{label}.txt").write_text(out)
    summary = out[out.rfind("SUMMARY") :] if "SUMMARY" in out else out[-3000:]
    log(f"    {label} ({document}): exit {r.returncode} after {time.time() - start:.0f} s")
    if r.returncode != 0:
        log(re.sub(r"(?m)^", "      ", out.strip()[-20000:]))
    else:
        log(re.sub(r"(?m)^", "      ", summary.strip()))
    return r.returncode == 0


# ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portal-bin", required=True)
    parser.add_argument("--redocly", required=True)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1, help="schemathesis' seed")
    parser.add_argument(
        "--only",
        action="append",
        choices=["lint", "clients", "client-use", "schemathesis"],
    )
    parser.add_argument("--keep", help="keep the generated clients and reports here")
    args = parser.parse_args()
    parts = args.only or ["lint", "clients", "client-use", "schemathesis"]

    work = Path(tempfile.mkdtemp(prefix="city-portal-contract-"))
    out_dir = Path(args.keep) if args.keep else work / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    portal = None
    try:
        if "lint" in parts:
            log("==> Redocly lint (recommended rules)")
            results["lint"] = lint(args.redocly)
        if "clients" in parts or "client-use" in parts:
            log("==> openapi-python-client")
            results["clients"] = generate_clients(out_dir)
        if "client-use" in parts or "schemathesis" in parts:
            portal = Portal(args.portal_bin, work)
            log(f"==> the demo city on {portal.base}")
            portal.start()
            owner, module = arrange(portal)
        if "client-use" in parts:
            log("==> the generated client's first steps")
            try:
                results["client-use"] = client_use(out_dir, portal, owner)
            except AssertionError as e:
                log(f"    FAILED: {e}")
                results["client-use"] = False
        if "schemathesis" in parts:
            log(f"==> schemathesis (all checks, at most {args.max_examples} examples each)")
            results["schemathesis anonymous"] = schemathesis(
                portal, "openapi.json", "anonymous", None, args.max_examples, args.seed, out_dir
            )
            results["schemathesis owner"] = schemathesis(
                portal, "openapi.json", "owner", owner, args.max_examples, args.seed, out_dir
            )
            results["schemathesis module"] = schemathesis(
                portal, "module-api.json", "module", module, args.max_examples, args.seed, out_dir
            )
    finally:
        if portal:
            portal.stop()
            if not all(results.values()):
                log(f"    the portal's log: {portal.log_path}")
        if all(results.values()) and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    failed = [k for k, v in results.items() if not v]
    log("")
    if failed:
        log(f"contract: FAILED: {', '.join(failed)}")
        return 1
    log(f"contract: OK: {', '.join(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
