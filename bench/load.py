"""Throughput under load: the production server with N workers, 16 clients at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py \
        [--referrals 20000] [--workers 5] [--clients 16] [--seconds 20]

Builds the page bench's synthetic service (`bench/pages.py`) in a database of its own, starts
the production server on it (`manage.py linkwork_serve --no-migrate --task-workers 0`, so
gunicorn with the production settings, plus one bare view, `bench/load_settings.py`), signs in a
link coordinator and a manager through the sign-in form, then for each page drives `--clients`
concurrent clients (keep-alive connections, spread over `--processes` driver processes) for
`--seconds` and prints requests per second and p50/p95/p99 latency, each page's throughput as a
share of the bare view's in the same run.

The driver runs on the same machine as the server, so it takes some of the CPU the server
would have: read the shares rather than the absolute figures. See bench/README.md.
"""

import argparse
import http.client
import math
import multiprocessing
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

PASSWORD = "bench-load-" + secrets.token_hex(8)
START_SECONDS = 300


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--referrals", type=int, default=20_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--coordinators", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() * 2 + 1, help="gunicorn web workers"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per web worker")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--processes", type=int, default=2, help="driver processes")
    parser.add_argument("--seconds", type=float, default=20, help="driving time per page")
    parser.add_argument("--warmup", type=float, default=3, help="untimed seconds per page first")
    parser.add_argument("--only", action="append", default=[], metavar="PAGE")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.processes < 1 or args.clients < args.processes:
        parser.error("need at least one client per driver process")
    return args


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, args, static_root: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", static_root),
        "PYTHONPATH": str(BENCH),
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_HOST": "127.0.0.1",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": static_root,
        "LINKWORK_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "WEB_THREADS": str(args.threads),
        "WEB_ACCESS_LOG": "off",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "manage.py", "linkwork_serve", "--no-migrate", "--task-workers", "0"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped while starting (exit {server.returncode})")
        try:
            if request(Connection(port), "/healthz")[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"the server did not answer within {START_SECONDS} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- HTTP, by hand: keep-alive, cookies, nothing else -----------------------------------------


class Connection:
    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def headers(self, extra=None) -> dict:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            # As the TLS proxy in front would say: the production settings redirect plain HTTP.
            "X-Forwarded-Proto": "https",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers


def request(conn: Connection, path: str, method="GET", body=None, headers=None):
    try:
        conn.http.request(method, path, body=body, headers=conn.headers(headers))
        response = conn.http.getresponse()
        data = response.read()
    except (http.client.HTTPException, OSError):
        conn.http.close()  # the next request reconnects
        raise
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _sep, rest = header.partition("=")
        conn.cookies[name.strip()] = rest.split(";", 1)[0]
    if response.getheader("Connection", "").lower() == "close":
        conn.http.close()
    return response.status, data


def sign_in(port: int, username: str) -> dict:
    """Through the sign-in form, as a person would: the CSRF token, then the POST."""
    from urllib.parse import urlencode

    conn = Connection(port)
    status, page = request(conn, "/sign-in/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not token:
        raise SystemExit(f"the sign-in page answered {status}")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": PASSWORD}
    )
    status, _body = request(
        conn,
        "/sign-in/",
        method="POST",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://127.0.0.1:{port}/sign-in/",
        },
    )
    if status != 302 or "sessionid" not in conn.cookies:
        raise SystemExit(f"signing in as {username} answered {status}")
    return conn.cookies


# --- the load ---------------------------------------------------------------------------------


def drive_process(port, cookies, paths, clients, warmup, seconds, results) -> None:
    """One driver process: `clients` threads, each with its own keep-alive connection, asking
    for `paths` in turn until the time is up. Puts (latencies in ms, errors) on `results`."""
    start = time.monotonic() + warmup
    end = start + seconds
    latencies: list[list[float]] = [[] for _i in range(clients)]
    errors = [0] * clients

    def client(k: int) -> None:
        conn = Connection(port, cookies)
        i = k
        while True:
            began = time.monotonic()
            if began >= end:
                return
            path = paths[i % len(paths)]
            i += clients
            try:
                status, _body = request(conn, path)
                ok = status == 200
            except (http.client.HTTPException, OSError):
                ok = False
            finished = time.monotonic()
            if began >= start:
                if ok:
                    latencies[k].append((finished - began) * 1000)
                else:
                    errors[k] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(([ms for own in latencies for ms in own], sum(errors)))


def drive(port, cookies, paths, args) -> dict:
    results = multiprocessing.Queue()
    shares = [args.clients // args.processes] * args.processes
    for k in range(args.clients % args.processes):
        shares[k] += 1
    processes = [
        multiprocessing.Process(
            target=drive_process,
            args=(port, cookies, paths, share, args.warmup, args.seconds, results),
        )
        for share in shares
    ]
    for process in processes:
        process.start()
    latencies, errors = [], 0
    for _process in processes:
        own, own_errors = results.get()
        latencies += own
        errors += own_errors
    for process in processes:
        process.join()
    latencies.sort()
    n = len(latencies)

    def pct(p):
        return latencies[max(0, math.ceil(p / 100 * n) - 1)] if n else float("nan")

    return {
        "rps": n / args.seconds,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "n": n,
        "errors": errors,
    }


def targets(service) -> dict:
    """(who, paths) for each page, by name, so the bench follows the pages' addresses."""
    from django.urls import reverse

    def each(name, pks):
        return [reverse(name, args=[pk]) for pk in pks]

    return {
        "/healthz": (None, ["/healthz"]),
        "bare view": (None, ["/bench/bare"]),
        "person record": ("coordinator", each("casework:record", service.caseload_pks)),
        "my caseload": ("coordinator", [reverse("referrals:my_caseload")]),
        "coordinator home": ("coordinator", [reverse("home")]),
        "waiting list": ("manager", [reverse("referrals:waiting_list")]),
        "triage page": ("manager", each("referrals:triage", service.triage_pks)),
    }


def caseload_of(coordinator) -> list[int]:
    """The people the coordinator holds now: their own records, as on a home visit."""
    from linkwork.referrals.models import Allocation

    return list(
        Allocation.objects.filter(coordinator=coordinator, ended_at__isnull=True)
        .order_by("referral_id")
        .values_list("referral_id", flat=True)[:30]
    )


def main(argv=None) -> int:
    import pages

    args = parse_args(argv)
    database = pages.BenchDatabase()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = None
    static_root = tempfile.mkdtemp(prefix="linkwork-load-static-")
    try:
        started = time.perf_counter()
        url = database.create()
        pages.start_django(url)
        service = pages.build(args)
        from django.db import connection

        if database.postgres:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by now
        # The production server's hasher (the bench builder runs with the tests' fast one).
        from django.contrib.auth.hashers import PBKDF2PasswordHasher

        hasher = PBKDF2PasswordHasher()
        for user in (service.coordinator, service.manager):
            user.password = hasher.encode(PASSWORD, hasher.salt())
            user.save(update_fields=["password"])
        service.caseload_pks = caseload_of(service.coordinator)
        chosen = {
            name: target
            for name, target in targets(service).items()
            if not args.only or name in args.only or name == "bare view"
        }
        connection.close()
        built = time.perf_counter()
        print(f"Linkwork load bench: {pages.describe_machine()}")
        print(
            f"{', '.join(f'{v} {k}' for k, v in service.counts.items())}; built in "
            f"{built - started:.0f} s"
        )
        server, port = start_server(url, args, static_root)
        print(
            f"gunicorn: {args.workers} workers x {args.threads} thread(s), production settings; "
            f"{args.clients} clients over {args.processes} driver processes, "
            f"{args.seconds:g} s per page after {args.warmup:g} s warm-up; "
            f"server up in {time.perf_counter() - built:.0f} s"
        )
        cookies = {
            "coordinator": sign_in(port, service.coordinator.username),
            "manager": sign_in(port, service.manager.username),
            None: {},
        }
        results = {}
        for name, (who, paths) in chosen.items():
            results[name] = drive(port, cookies[who], paths, args)
        bare = results["bare view"]["rps"]
        print(
            f"\n{'page':<18}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
            f"{'errors':>8}{'x bare':>8}"
        )
        print("-" * 70)
        for name, r in results.items():
            print(
                f"{name:<18}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p95']:>9.1f}{r['p99']:>9.1f}"
                f"{r['errors']:>8}{r['rps'] / bare:>7.1%}"
            )
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
    finally:
        if server is not None:
            stop_server(server)
        database.drop()
        import shutil

        shutil.rmtree(static_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
