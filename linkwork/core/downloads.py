"""A kept file (an export, a report) sent to the browser to save: never cached, since such files
hold personal data or figures about people."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response
