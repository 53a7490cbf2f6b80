"""Documents as A4 PDFs, made with WeasyPrint: the funder report, subject access copies and
letters. Whatever the page holds is in the HTML itself (charts are inline SVG), so nothing is
fetched from anywhere while it is drawn: a person's words in a document cannot make the server
read a file or call an address."""

from django.template.loader import render_to_string

# The look every report-like document shares (page, type, cover, tables); each document's own
# stylesheet adds to it.
DOCUMENT_CSS = "core/pdf/document.css"


def render_pdf(template: str, context: dict, *, stylesheets: tuple[str, ...]) -> bytes:
    """`template` rendered with `context`, laid out with the stylesheet templates in order."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    nothing = URLFetcher(allowed_protocols=())
    html = render_to_string(template, context)
    css = [CSS(string=render_to_string(name, context), url_fetcher=nothing) for name in stylesheets]
    return HTML(string=html, url_fetcher=nothing).write_pdf(stylesheets=css)
