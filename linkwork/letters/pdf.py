"""A kept letter as an A4 PDF, laid out for a window envelope, made with WeasyPrint (as the
funder report is). The letter's words are escaped by the template; nothing is fetched from
anywhere while it is drawn (`linkwork.core.pdf`)."""

from linkwork.core import pdf

from .models import Letter
from .presenters import paper


def render_pdf(letter: Letter) -> bytes:
    context = {"paper": paper(letter, reference=letter.referral.reference)}
    return pdf.render_pdf(
        "letters/pdf/letter.html", context, stylesheets=("letters/pdf/letter.css",)
    )
