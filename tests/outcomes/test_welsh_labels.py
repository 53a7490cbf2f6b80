"""Band and change labels follow the person's language; item texts never do (no official Welsh
versions are held). Needs the compiled catalogue (`manage.py compilemessages`)."""

from django.utils import translation

from linkwork.outcomes.instruments import get_instrument, reliable_change


def test_labels_are_in_welsh_and_item_texts_stay_english():
    with translation.override("cy"):
        assert str(get_instrument("phq9").score([3] * 9).band_label) == "Difrifol"
        assert str(get_instrument("ons4").score([9, 9, 9, 0]).subscores["anxious"].band_label) == (
            "Isel iawn"
        )
        assert str(reliable_change("wemwbs", 40, 50).direction_label) == "Gwelliant dibynadwy"
        assert get_instrument("gad7").items[3] == "Trouble relaxing"
