"""A kept letter downloads as a real PDF with the letter in it, in the letter's language."""

import pytest
from django.urls import reverse

from linkwork.letters.models import LetterKind

from .conftest import book, close, make, pdf_text

pytestmark = pytest.mark.django_db


def test_the_pdf_is_the_letter(client_for, coordinator_a, ann, letterhead_a, tmp_path):
    letter = make(
        ann,
        coordinator_a,
        LetterKind.APPOINTMENT,
        contact=book(ann, coordinator_a),
        recipient_name="Ms Ann Jones",
    )
    response = client_for(coordinator_a).get(reverse("letters:pdf", args=[ann.pk, letter.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="letter-{ann.reference}-appointment-{letter.pk}.pdf"'
    )
    assert "Ann" not in response["Content-Disposition"]  # no name in the file's name
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "Ms Ann Jones" in text
    assert "Dear Ann," in text
    assert "Cyswllt Cymunedol Powys" in text
    assert "Your next appointment" in text
    assert "Gareth Price" in text
    assert f"Our reference: {ann.reference}" in text


def test_a_welsh_letter_prints_in_welsh(client_for, coordinator_a, gwen, letterhead_a, tmp_path):
    close(gwen, coordinator_a)
    letter = make(gwen, coordinator_a, LetterKind.END_OF_SUPPORT, language="cy")
    response = client_for(coordinator_a).get(reverse("letters:pdf", args=[gwen.pk, letter.pk]))
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    assert "Gwen Prys" in text
    assert "Annwyl Gwen," in text
    assert "Diwedd eich cymorth" in text
    assert "Yn gywir," in text
    assert "Cydlynydd cyswllt" in text
    assert "Ein cyfeirnod" in text
    assert "Tudalen 1 o 1" in text
