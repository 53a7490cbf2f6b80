"""A kept letter as an A4 PDF, laid out for a window envelope, made with WeasyPrint (as the
funder report is). The letter's words are escaped by the template; nothing is fetched from
anywhere while it is drawn."""

from django.template.loader import render_to_string

from .models import Letter
from .presenters import paper


def render_pdf(letter: Letter) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    context = {"paper": paper(letter, reference=letter.referral.reference)}
    html = render_to_string("letters/pdf/letter.html", context)
    css = render_to_string("letters/pdf/letter.css", context)
    # No protocol allowed: a letter never loads an image, font or page from anywhere.
    nothing = URLFetcher(allowed_protocols=())
    return HTML(string=html, url_fetcher=nothing).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=nothing)]
    )
