"""Documents made as PDFs fetch nothing while they are drawn: text someone typed that ends up
in a report, a subject access copy or a letter cannot make the server read a file or an address."""

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from PIL import Image

from linkwork.core import pdf

PAGE = '<html><body><p>Before</p><img src="{{ picture }}"><p>After</p></body></html>'
STYLE = 'body { background: url("{{ picture }}"); }'


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "secret.png"
    Image.new("RGB", (40, 40), "red").save(path)
    return path.as_uri()


def locmem(**templates):
    return override_settings(
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "loaders": [("django.template.loaders.locmem.Loader", templates)],
                },
            }
        ]
    )


def test_a_document_loads_no_file_named_in_its_html_or_css(picture):
    from weasyprint import HTML

    with locmem(**{"page.html": PAGE, "style.css": STYLE}):
        # The control: WeasyPrint left to itself reads the file into the PDF.
        fetched = HTML(string=render_to_string("page.html", {"picture": picture})).write_pdf()
        assert b"/Subtype /Image" in fetched

        made = pdf.render_pdf("page.html", {"picture": picture}, stylesheets=("style.css",))
    assert made.startswith(b"%PDF")
    assert b"/Subtype /Image" not in made
