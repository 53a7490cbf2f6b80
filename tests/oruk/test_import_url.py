"""Importing from a URL, against a real HTTP server on this machine: every page of a list,
and a failure part way that leaves the directory as it was."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from linkwork.directory.models import DirectoryImport, ImportStatus, Organization, Service
from linkwork.oruk import importer

pytestmark = pytest.mark.django_db

ORGANIZATION = {
    "id": "2a000000-0000-4000-8000-000000000001",
    "name": "Powys CVC",
    "description": ".",
}


def service(n: int) -> dict:
    return {
        "id": f"2b000000-0000-4000-8000-00000000000{n}",
        "name": f"Service {n}",
        "url": f"https://cvc.example.org/{n}",
        "status": "active",
        "organization": ORGANIZATION,
    }


def page(number: int, total: int, services: list[dict]) -> dict:
    return {
        "total_items": total * 2,
        "total_pages": total,
        "page_number": number,
        "size": 2,
        "first_page": number == 1,
        "last_page": number == total,
        "empty": not services,
        "contents": services,
    }


class Feed(BaseHTTPRequestHandler):
    """Serves `pages` (path -> {page number: (status, body)}) given to the server."""

    def do_GET(self):
        parts = urlsplit(self.path)
        number = int(parse_qs(parts.query).get("page", ["1"])[0])
        status, body = self.server.pages.get(parts.path, {}).get(number, (404, {}))
        self.server.requests.append(self.path)
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass  # quiet: no request lines in the test output


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    httpd.pages = {}
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_every_page_of_a_list_is_fetched_and_imported(server):
    server.pages["/api/services"] = {
        1: (200, page(1, 2, [service(1), service(2)])),
        2: (200, page(2, 2, [service(3)])),
    }
    directory_import = DirectoryImport.objects.create(
        source=server.url + "/api/services?per_page=2"
    )

    report = importer.run_directory_import(directory_import)

    assert not report.failed
    assert sorted(Service.objects.values_list("name", flat=True)) == [
        "Service 1",
        "Service 2",
        "Service 3",
    ]
    assert Organization.objects.count() == 1
    assert server.requests == ["/api/services?per_page=2", "/api/services?per_page=2&page=2"]
    directory_import.refresh_from_db()
    assert directory_import.status == ImportStatus.SUCCEEDED
    assert directory_import.counts["created"] == 4
    assert not [e for e in report.entries if e["kind"] == "feed"]  # no "only this page" note


def test_a_page_that_cannot_be_fetched_leaves_the_directory_unchanged(server):
    server.pages["/services"] = {
        1: (200, page(1, 3, [service(1)])),
        2: (200, page(2, 3, [service(2)])),
        3: (500, {"error": "database down"}),
    }
    directory_import = DirectoryImport.objects.create(source=server.url + "/services")

    report = importer.run_directory_import(directory_import)

    assert report.failed
    assert not Service.objects.exists()
    directory_import.refresh_from_db()
    assert directory_import.status == ImportStatus.FAILED
    assert directory_import.error == (
        "Page 3 of the feed could not be fetched: the server answered 500."
    )


def test_a_server_that_is_not_there_gives_a_readable_error(server):
    url = server.url + "/services"
    server.shutdown()
    server.server_close()

    with pytest.raises(importer.FeedError) as raised:
        importer.fetch(url, timeout=2)

    assert str(raised.value) == (
        "Page 1 of the feed could not be fetched: The server could not be reached."
    )


def test_a_page_that_is_not_json_is_named(server):
    server.pages["/services"] = {1: (200, b"<html>Sign in</html>")}

    with pytest.raises(importer.FeedError) as raised:
        importer.fetch(server.url + "/services")

    assert str(raised.value) == "Page 1 of the feed is not valid JSON."


def test_a_feed_larger_than_the_limit_is_refused(server):
    server.pages["/services"] = {1: (200, page(1, 1, [service(n) for n in range(1, 10)]))}

    with pytest.raises(importer.FeedError) as raised:
        importer.fetch(server.url + "/services", max_bytes=500)

    assert "larger than" in str(raised.value)


@pytest.mark.parametrize("url", ["ftp://example.org/feed.json", "file:///etc/passwd", "feed.json"])
def test_only_http_and_https_addresses_are_fetched(url):
    with pytest.raises(importer.FeedError) as raised:
        importer.fetch(url)

    assert str(raised.value) == "The address must start with http:// or https://."


def test_a_single_record_at_a_url_is_imported(server):
    server.pages["/services/2b000000-0000-4000-8000-000000000001"] = {1: (200, service(1))}

    data = importer.fetch(server.url + "/services/2b000000-0000-4000-8000-000000000001")
    report = importer.run_import(data, source="a url")

    assert report.counts["created"] == 2


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "169.254.169.254"])
def test_addresses_inside_the_servers_own_network_are_refused(server, settings, host):
    """A manager types the URL and the server fetches it: the server's own network (loopback,
    private ranges, the cloud metadata address) is out of bounds, redirects included."""
    settings.DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS = False
    port = server.server_address[1]
    with pytest.raises(importer.FeedError) as refusal:
        importer.fetch(f"http://{host}:{port}/api/services", timeout=2)
    assert "does not fetch feeds from addresses inside its own network" in str(refusal.value)
    assert server.requests == []  # nothing was sent
    assert not Service.objects.exists()


def test_the_request_goes_to_the_address_that_was_checked(settings, monkeypatch):
    """DNS rebinding: a name that answers with a public address when checked and an internal one
    when connecting. The request is sent to the checked address, with the name kept for the
    Host header and TLS, so a second answer is never asked for."""
    import socket

    import httpx

    settings.DIRECTORY_IMPORT_ALLOW_INTERNAL_HOSTS = False
    answers = iter(["93.184.216.34", "127.0.0.1"])
    asked = []

    def rebinding(host, port, *args, **kwargs):
        asked.append(host)
        return [(2, 1, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    seen = []

    def feed(request: httpx.Request) -> httpx.Response:
        seen.append(
            (request.url.host, request.headers["Host"], request.extensions.get("sni_hostname"))
        )
        return httpx.Response(200, json=service(1))

    data = importer.fetch(
        "https://feed.example.org/services/2b000000-0000-4000-8000-000000000001",
        transport=httpx.MockTransport(feed),
    )
    assert data["id"]
    assert seen == [("93.184.216.34", "feed.example.org", "feed.example.org")]
    assert asked == ["feed.example.org"]  # resolved once, and only to check
