"""Passwords nobody should be able to guess from knowing the service: not the service's name,
nor a site's, nor with a year or digits added (`Powys2024`, `Linkwork1`). Django's own
validators refuse short, common, all-digit and name-like passwords beside this one."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from linkwork.partners.models import Site

SERVICE_WORDS = ("linkwork", "password", "cyfrinair", "socialprescribing")


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


class ServiceWordsValidator:
    """Refuses a password that is, once digits and symbols are dropped, made mostly of the
    service's name or a site's name (a word of 4 letters or more)."""

    def words(self) -> set[str]:
        words = set(SERVICE_WORDS)
        for name, slug in Site.objects.values_list("name", "slug"):
            for word in re.split(r"[\s\-_]+", f"{name} {slug}".lower()):
                if len(_letters(word)) >= 4:
                    words.add(_letters(word))
        return words

    def validate(self, password: str, user=None) -> None:
        letters = _letters(password)
        for word in self.words():
            if word in letters and len(letters) - len(word) < 8:
                raise ValidationError(
                    _(
                        "Choose a password that does not rely on the name of the service or "
                        "of a site. A few unrelated words make a strong password."
                    ),
                    code="password_service_words",
                )

    def get_help_text(self) -> str:
        return _("Your password must not be made from the name of the service or of a site.")
