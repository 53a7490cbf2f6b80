"""The form that starts an ORUK import: a JSON file, or the address of a feed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from linkwork.core.forms import GovUKForm

from . import importer


class ImportForm(GovUKForm):
    """Exactly one of a file and an address. A file is read and checked here, so a file that
    is not JSON, or not an ORUK feed, is refused at once; an address is fetched when the
    import runs."""

    file = forms.FileField(
        label=_("Upload a JSON file"),
        required=False,
        help_text=_("An ORUK feed saved as a .json file, up to 10 MB."),
        error_messages={
            "empty": _("The selected file is empty"),
            "invalid": _("The selected file could not be uploaded: try again"),
            "missing": _("The selected file could not be uploaded: try again"),
        },
    )
    url = forms.CharField(
        label=_("Or enter the address of an ORUK feed"),
        required=False,
        max_length=500,
        help_text=_(
            "For example, https://example.org/api/v3/services. Every page of a list is imported."
        ),
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "url"}),
        error_messages={"max_length": _("The address must be 500 characters or fewer")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.payload = ""
        self.source = ""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > importer.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The selected file must be smaller than %(limit)s MB"),
                params={"limit": importer.MAX_UPLOAD_BYTES // (1024 * 1024)},
                code="too_big",
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The selected file is empty"), code="empty")
        raw = upload.read()
        try:
            data = importer.load_json(raw)
        except importer.FeedError as error:
            raise forms.ValidationError(
                _("The selected file must be a JSON file: %(problem)s"),
                params={"problem": importer.render_message(error.message)},
                code="not_json",
            ) from error
        try:
            importer.describe(data, source=upload.name)
        except importer.FeedError as error:
            raise forms.ValidationError(
                _("The selected file is not an ORUK feed: %(problem)s"),
                params={"problem": importer.render_message(error.message)},
                code="not_a_feed",
            ) from error
        self.payload = raw.decode("utf-8-sig")
        self.source = upload.name[:500]
        return upload

    def clean_url(self):
        url = (self.cleaned_data.get("url") or "").strip()
        if not url:
            return ""
        try:
            return importer.check_url(url)
        except importer.FeedError as error:
            raise forms.ValidationError(
                _("Enter an address that starts with http:// or https://"), code="scheme"
            ) from error

    def clean(self):
        cleaned = super().clean()
        has_file = bool(cleaned.get("file")) or "file" in self.errors
        url = cleaned.get("url")
        if not has_file and not url and "url" not in self.errors:
            self.add_error("file", _("Select a JSON file, or enter the address of a feed"))
        elif cleaned.get("file") and url:
            self.add_error("url", _("Select a file or enter an address, not both"))
        elif url and not has_file:
            self.source = url
        return cleaned
