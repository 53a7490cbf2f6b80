"""The service in Welsh: the public self-referral form, the referrer's form, and the catalogue.

People may ask to be served in Welsh, so everything a member of the public or a referrer sees
must be in the Welsh catalogue (linkwork/locale/cy). These tests need the compiled catalogue:
`make install` (or `manage.py compilemessages`) builds it.
"""

import datetime
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from linkwork.referrals.forms import ReferralForm, SelfReferralForm
from linkwork.referrals.models import Language, Need, Pathway, Referral
from linkwork.referrals.status import DeclineReason, ReferralStatus

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
WELSH_PO = LOCALE_DIR / "cy" / "LC_MESSAGES" / "django.po"
WELSH_MO = WELSH_PO.with_suffix(".mo")


@pytest.fixture(autouse=True)
def _clear_cache():
    """The self-referral rate limit counts in the cache: each test starts with a clean count."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _back_to_english_afterwards():
    """LocaleMiddleware activates a request's language for the whole thread and leaves it
    active: put English back so later tests in this process are not run in Welsh."""
    yield
    translation.deactivate()


@pytest.fixture
def welsh_client(client):
    """An anonymous visitor who has chosen Cymraeg with the language switch in the header."""
    response = client.post(
        reverse("set_language"),
        {"language": "cy", "next": reverse("referrals:self_referral_sites")},
    )
    assert response.status_code == 302
    return client


def text(response) -> str:
    """The page as a reader sees it: entities such as &#x27; turned back into characters."""
    return html.unescape(response.content.decode())


def self_referral_form(**overrides) -> dict:
    data = {
        "given_name": "Dewi",
        "family_name": "Jones",
        "date_of_birth_day": "2",
        "date_of_birth_month": "11",
        "date_of_birth_year": "1988",
        "phone": "07700 900321",
        "email": "",
        "preferred_language": "cy",
        "needs": ["confidence"],
        "needs_detail": "Hoffwn i fynd allan o'r tŷ yn amlach",
        "consent_to_referral": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def input_value(content: str, name: str) -> str | None:
    for tag in re.findall(r"<input\b[^>]*>", content):
        if f'name="{name}"' in tag:
            found = re.search(r'value="([^"]*)"', tag)
            return html.unescape(found.group(1)) if found else ""
    return None


# --- The compiled catalogue --------------------------------------------------------------------


def test_the_welsh_catalogue_is_compiled_and_up_to_date():
    assert WELSH_MO.exists(), f"{WELSH_MO} is missing: run `make install` or compilemessages"
    assert WELSH_MO.stat().st_mtime >= WELSH_PO.stat().st_mtime, (
        f"{WELSH_MO} is older than {WELSH_PO.name}: run `make install` or compilemessages"
    )


@pytest.mark.parametrize(
    "po", sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")), ids=lambda path: path.parent.parent.name
)
def test_every_catalogue_compiles_with_its_placeholders_intact(po, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed")
    # --check: header, format strings (%(name)s) and plural forms agree with the msgid.
    result = subprocess.run(  # noqa: S603 - fixed arguments, a program found on PATH
        [msgfmt, "--check", "--output-file", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_no_welsh_entry_is_left_fuzzy():
    """makemessages marks an entry fuzzy when its English changes. A fuzzy entry is not
    compiled, so the English shows through: check the translation and remove the flag."""
    fuzzy = re.findall(
        r"^#,.*\bfuzzy\b.*\n(?:#.*\n)*((?:msgctxt|msgid) .*)$",
        WELSH_PO.read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    assert fuzzy == []


def test_the_welsh_catalogue_says_it_needs_a_translators_review():
    header = WELSH_PO.read_text(encoding="utf-8").split('msgid ""', 1)[0]
    assert "qualified Welsh-language translator" in header


# Every string on the public self-referral pages, the base template and the form machinery.
PUBLIC_MSGIDS = [
    # base.html
    "Skip to main content",  # ("Beta" is "Beta" in Welsh too.)
    "This is a new service. Your feedback will help us to improve it.",
    "Sign out",
    "Language",
    "Menu",
    "Support links",
    "%(service)s: social prescribing case management.",
    '<span class="govuk-visually-hidden">Signed in as</span> %(name)s',
    "Success",
    "Important",
    # forms/*.html
    "There is a problem",
    "Error:",
    # public/sites.html, public/self_referral.html, public/sent.html
    "Refer yourself",
    "Choose where you live:",
    "You cannot refer yourself online at the moment. Ask your GP or another professional to "
    "refer you.",
    "Ask for support",
    "A link coordinator can help you find things in your area that could make life better, "
    "like groups, activities, advice about money or housing, and support for your wellbeing.",
    "You need to be %(age)s or over. It takes about 5 minutes.",
    "Warning",
    "This is not an emergency service. If you feel you might harm yourself or are in danger, "
    "call 999, or call NHS 111 and choose option 2 for mental health support.",
    "Leave this empty",
    "Send",
    "We have your details",
    "What happens next",
    "Someone from the %(site)s team will look at what you sent within 5 working days.",
    "They will phone or email you, at the time you said suits you, to talk about what would help.",
    "If we can help, you may have to wait a little while before a link coordinator is free. "
    "We can give you telephone support while you wait.",
    "If you feel you might harm yourself or are in danger, do not wait for us: call 999, or "
    "call NHS 111 and choose option 2.",
    # The messages a member of the public can be shown by the form and the rules behind it.
    "Enter a phone number or an email address",
    "Enter an email address like name@example.com",
    "Enter an NHS number with 10 digits, like 943 476 5919",
    "Enter a valid NHS number: check it for typing mistakes",
    "Date of birth must be in the past",
    "This service is for people aged %(minimum)s or over. The person is %(age)s. Contact the "
    "service to talk about other support.",
    # core/forms.py: the date input's messages.
    "Enter %(label_lower)s",
    "%(label)s must be a real date",
    "%(label)s must have a year with 4 numbers",
    "%(label)s must include a day",
    "%(label)s must include a month",
    "%(label)s must include a year",
    "%(label)s must include a day and month",
    "%(label)s must include a day and year",
    "%(label)s must include a month and year",
    # Sign-in and error pages.
    "Sign in",
    "Sign in to Linkwork",
    "Username",
    "Password",
    "Enter a correct username and password. Both are case-sensitive.",
    "Want support for yourself?",
    'You do not need an account. <a class="govuk-link" href="%(self_url)s">Refer yourself to '
    "the service</a>.",
    "You do not have permission to see this page",
    "Page not found",
    "Too many attempts",
    "You have sent this form too many times. Wait an hour and try again, or phone the service.",
    "Sorry, there is a problem with the service",
    "Go to the home page",
    # outcomes/public/*.html: the person's own questionnaire, through a one-time link.
    "A short questionnaire",
    "This link works once. Your link coordinator will see your answers.",
    "This questionnaire is only available in English.",
    "If you need help now, call Samaritans free on 116 123, any time, or NHS 111 and press 2 "
    "for mental health. In an emergency, call 999.",
    "Thank you",
    "Your answers have been sent to your link coordinator.",
    "If you are struggling, help is available now",
    "Call Samaritans on 116 123. It is free, and open 24 hours a day, every day.",
    "Call NHS 111 and press 2 for mental health support (in Wales).",
    "If you are in danger now, or might act on these thoughts, call 999 or go to A&E.",
    "Your link coordinator will be in touch with you soon.",
    "This link does not work any more",
    "Contact your link coordinator, who can send you a new link.",
]


@pytest.mark.parametrize("msgid", PUBLIC_MSGIDS)
def test_every_public_string_has_a_welsh_translation(msgid):
    with translation.override("cy"):
        welsh = gettext(msgid)
    assert welsh != msgid, f"not translated into Welsh: {msgid!r}"
    # Same placeholders, in any order.
    assert sorted(re.findall(r"%\(\w+\)s", welsh)) == sorted(re.findall(r"%\(\w+\)s", msgid))


def test_the_date_input_parts_have_welsh_names():
    with translation.override("cy"):
        assert [pgettext("date input", part) for part in ("Day", "Month", "Year")] == [
            "Diwrnod",
            "Mis",
            "Blwyddyn",
        ]


def test_welsh_plurals_follow_the_catalogue_plural_rule():
    """Django's cy rule: 1, 2, 8 and 11 each have their own form; 2 mutates the noun."""
    with translation.override("cy"):
        days = {n: ngettext("%(days)s day", "%(days)s days", n) % {"days": n} for n in (1, 2, 3)}
    assert days == {1: "1 diwrnod", 2: "2 ddiwrnod", 3: "3 diwrnod"}


def form_strings(form) -> list[str]:
    """Every label, hint, required-field message and choice a form shows."""
    strings = []
    for field in form.fields.values():
        strings += [str(field.label or ""), str(field.help_text or "")]
        if "required" in field.error_messages and field.required:
            strings.append(str(field.error_messages["required"]))
        if "invalid" in field.error_messages and hasattr(field, "fields"):  # a date input
            strings.append(str(field.error_messages["invalid"]))
        for _value, label in getattr(field, "choices", []):
            strings.append(str(label))
    return [s for s in strings if s]


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", [SelfReferralForm, ReferralForm])
def test_every_label_hint_message_and_choice_of_the_public_and_referrer_forms_is_welsh(
    form_class, pathway_a
):
    def make():
        if form_class is ReferralForm:
            return ReferralForm(pathways=Pathway.objects.all())
        return form_class()

    with translation.override("en-gb"):
        english = form_strings(make())
    with translation.override("cy"):
        welsh = form_strings(make())
    assert len(english) == len(welsh)
    # Names of places and pathways are data, not text to translate.
    untranslated = [
        e for e, w in zip(english, welsh, strict=True) if e == w and pathway_a.name not in e
    ]
    assert untranslated == []


@pytest.mark.parametrize(
    "choices", [Need, Language, ReferralStatus, DeclineReason], ids=lambda c: c.__name__
)
def test_needs_languages_statuses_and_decline_reasons_are_welsh(choices):
    for member in choices:
        with translation.override("en-gb"):
            english = str(member.label)
        with translation.override("cy"):
            welsh = str(member.label)
        assert welsh != english, f"{choices.__name__}.{member.name} is not translated"


# --- The public self-referral form in Welsh ----------------------------------------------------


@pytest.mark.django_db
def test_the_self_referral_form_is_in_welsh_after_choosing_cymraeg(
    welsh_client, site_b, self_referral_pathway_b
):
    response = welsh_client.get(reverse("referrals:self_referral", args=[site_b.slug]))

    assert response.status_code == 200
    page = text(response)
    assert '<html lang="cy"' in page
    for welsh in (
        "Neidio i'r prif gynnwys",
        "Mae hwn yn wasanaeth newydd. Bydd eich adborth yn ein helpu i'w wella.",
        "Gofyn am gymorth",
        "Mae angen i chi fod yn 18 oed neu'n hŷn.",
        "Nid gwasanaeth brys yw hwn.",
        "Eich enw cyntaf",
        "Eich dyddiad geni",
        "Diwrnod",
        "Eich rhif GIG (dewisol)",
        "Eich rhif ffôn",
        "Eich cyfeiriad e-bost",
        "Pa iaith hoffech chi i ni ei defnyddio?",
        "Gyda beth hoffech chi gael help?",
        "Unigrwydd neu ynysigrwydd",
        "Rwy'n cytuno y gall y gwasanaeth gadw'r manylion hyn a chysylltu â mi",
        ">Anfon<",
    ):
        assert welsh in page, welsh
    for english in ("Ask for support", "Your first name", "Skip to main content", ">Send<"):
        assert english not in page, english
    # The switch offers English, named in English.
    assert 'lang="en-gb"' in page
    assert ">English<" in page


@pytest.mark.django_db
def test_a_browser_that_prefers_welsh_gets_the_form_in_welsh(
    client, site_b, self_referral_pathway_b
):
    response = client.get(
        reverse("referrals:self_referral", args=[site_b.slug]), HTTP_ACCEPT_LANGUAGE="cy"
    )
    page = text(response)
    assert '<html lang="cy"' in page
    assert "Gofyn am gymorth" in page


@pytest.mark.django_db
def test_english_is_still_the_default(client, site_b, self_referral_pathway_b):
    page = text(client.get(reverse("referrals:self_referral", args=[site_b.slug])))
    assert '<html lang="en-gb"' in page
    assert "Ask for support" in page
    assert "Gofyn am gymorth" not in page


@pytest.mark.django_db
def test_a_self_referral_with_mistakes_is_explained_in_welsh_and_keeps_what_was_typed(
    welsh_client, site_b, self_referral_pathway_b
):
    response = welsh_client.post(
        reverse("referrals:self_referral", args=[site_b.slug]),
        self_referral_form(
            given_name="",
            date_of_birth_day="31",
            date_of_birth_month="2",
            phone="",
            needs=[],
            consent_to_referral="",
        ),
    )

    assert response.status_code == 200
    content = response.content.decode()
    page = text(response)
    assert "<title>Gwall: Gofyn am gymorth" in page
    assert "Mae problem" in page
    for message in (
        "Rhowch eich enw cyntaf",
        "Eich dyddiad geni: rhaid iddo fod yn ddyddiad go iawn",
        "Rhowch rif ffôn neu gyfeiriad e-bost",
        "Ticiwch o leiaf un peth yr hoffech chi gael help gydag ef",
        "Ticiwch y blwch i ddweud eich bod yn cytuno, er mwyn i ni allu cysylltu â chi",
    ):
        assert message in page, message
    assert 'class="govuk-visually-hidden">Gwall:</span>' in page
    for english in ("There is a problem", "Enter your first name", "must be a real date"):
        assert english not in page, english
    # What was typed is shown again.
    assert input_value(content, "family_name") == "Jones"
    assert input_value(content, "date_of_birth_day") == "31"
    assert input_value(content, "date_of_birth_year") == "1988"
    assert "Hoffwn i fynd allan o&#x27;r tŷ yn amlach" in content
    assert re.search(r'<input[^>]*name="preferred_language"[^>]*value="cy"[^>]*checked', content)
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_an_incomplete_date_of_birth_is_explained_in_welsh(
    welsh_client, site_b, self_referral_pathway_b
):
    response = welsh_client.post(
        reverse("referrals:self_referral", args=[site_b.slug]),
        self_referral_form(date_of_birth_month="", date_of_birth_year=""),
    )
    assert "Eich dyddiad geni: rhaid iddo gynnwys mis a blwyddyn" in text(response)


@pytest.mark.django_db
def test_someone_too_young_is_told_why_in_welsh(welsh_client, site_b, self_referral_pathway_b):
    today = datetime.date.today()
    response = welsh_client.post(
        reverse("referrals:self_referral", args=[site_b.slug]),
        self_referral_form(date_of_birth_year=str(today.year - 10)),
    )
    page = text(response)
    assert "Mae'r gwasanaeth hwn ar gyfer pobl 18 oed neu'n hŷn." in page
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_a_welsh_self_referral_is_sent_and_confirmed_in_welsh(
    welsh_client, site_b, self_referral_pathway_b
):
    response = welsh_client.post(
        reverse("referrals:self_referral", args=[site_b.slug]), self_referral_form()
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:self_referral_sent", args=[site_b.slug])
    referral = Referral.objects.get()
    assert referral.person.preferred_language == Language.WELSH

    page = text(welsh_client.get(response["Location"]))
    assert '<html lang="cy"' in page
    for welsh in (
        "Mae eich manylion gennym",
        "Beth sy'n digwydd nesaf",
        "Bydd rhywun o dîm Rhondda Valleys yn edrych ar yr hyn a anfonoch chi o fewn 5 diwrnod",
        "ffoniwch GIG 111 a dewis opsiwn 2",
    ):
        assert welsh in page, welsh
    assert "We have your details" not in page


@pytest.mark.django_db
def test_the_sign_in_page_and_not_found_page_are_welsh(welsh_client):
    sign_in = text(welsh_client.get(reverse("login")))
    assert "Mewngofnodi i Linkwork" in sign_in
    assert "Cyfeiriwch eich hun at y gwasanaeth" in sign_in

    missing = welsh_client.get(reverse("referrals:self_referral", args=["nowhere"]))
    assert missing.status_code == 404
    assert "Heb ddod o hyd i'r dudalen" in text(missing)


# --- The referrer's form in Welsh --------------------------------------------------------------


@pytest.mark.django_db
def test_the_referral_form_is_in_welsh_for_a_referrer_who_prefers_welsh(
    client_for, gp_referrer, pathway_a
):
    browser = client_for(gp_referrer)
    response = browser.get(reverse("referrals:refer"), HTTP_ACCEPT_LANGUAGE="cy")

    assert response.status_code == 200
    page = text(response)
    assert '<html lang="cy"' in page
    for welsh in (
        "Gwneud atgyfeiriad",
        "Allgofnodi",
        "I ba safle rydych chi'n atgyfeirio'r person?",
        "Enw cyntaf",
        "Cyfenw",
        "Dyddiad geni",
        "Rhif GIG (dewisol)",
        "Rhif ffôn",
        "Cyfeiriad e-bost",
        "Ym mha iaith yr hoffen nhw gael cymorth?",
        "Gyda beth mae angen help ar y person?",
        "Hwyliau isel, straen neu bryder",
        "Risgiau hysbys",
        "Ydy'r person yn mynd at feddyg teulu neu'r gwasanaethau brys yn aml?",
        "Nac ydy",
        "Mae'r person yn cytuno i'r atgyfeiriad at y gwasanaeth",
        "Anfon yr atgyfeiriad",
    ):
        assert welsh in page, welsh
    for english in ("First name", "Which site is the person referred to?", "Send referral"):
        assert english not in page, english


@pytest.mark.django_db
def test_a_referral_with_mistakes_is_explained_to_the_referrer_in_welsh(
    client_for, gp_referrer, pathway_a
):
    browser = client_for(gp_referrer)
    browser.post(reverse("set_language"), {"language": "cy", "next": "/"})
    response = browser.post(
        reverse("referrals:refer"),
        {
            "pathway": str(pathway_a.pk),
            "given_name": "",
            "family_name": "Bevan",
            "date_of_birth_day": "17",
            "date_of_birth_month": "5",
            "date_of_birth_year": "1990",
            "phone": "",
            "email": "",
            "preferred_language": "cy",
            "needs": [],
        },
    )

    assert response.status_code == 200
    page = text(response)
    for message in (
        "Mae problem",
        "Rhowch enw cyntaf y person",
        "Rhowch rif ffôn neu gyfeiriad e-bost",
        "Dewiswch gyda beth mae angen help ar y person",
        "Dewiswch ‘Ydy’ os yw'r person yn mynd at feddyg teulu",
        "Rhaid i'r person gytuno i'r atgyfeiriad",
    ):
        assert message in page, message
    assert input_value(response.content.decode(), "family_name") == "Bevan"
    assert not Referral.objects.exists()


def test_the_welsh_form_offers_welsh_support_first(client, self_referral_pathway_b):
    form = reverse("referrals:self_referral", args=["rhondda"])
    response = client.get(form, HTTP_ACCEPT_LANGUAGE="cy")
    assert response.context["form"]["preferred_language"].value() == "cy"
    response = client.get(form, HTTP_ACCEPT_LANGUAGE="en-GB")
    assert response.context["form"]["preferred_language"].value() == "en"


# --- The client feedback questionnaire ---------------------------------------------------------


def test_the_client_feedback_questions_and_answers_are_welsh():
    """The person answers the questionnaire in their own language: every question (the model's
    field names, shown to staff too) and every answer must have a Welsh translation."""
    from linkwork.casework.models import Agreement, ClientFeedback, PreferredMode

    fields = [
        "helpful",
        "listened_to",
        "involved_in_decisions",
        "preferred_mode",
        "what_helped",
        "what_could_be_better",
    ]
    labels = [ClientFeedback._meta.get_field(name).verbose_name for name in fields]
    labels.append(ClientFeedback._meta.verbose_name)
    labels += [member.label for member in Agreement]
    labels += [member.label for member in PreferredMode]
    labels += [member.label for member in ClientFeedback.CompletedVia]
    untranslated = []
    for label in labels:
        with translation.override("en-gb"):
            english = str(label)
        with translation.override("cy"):
            welsh = str(label)
        if welsh == english:
            untranslated.append(english)
    assert untranslated == []


def test_the_client_feedback_agreement_scale_reads_as_a_welsh_scale():
    from linkwork.casework.models import Agreement

    with translation.override("cy"):
        assert [str(member.label) for member in Agreement] == [
            "Anghytuno'n gryf",
            "Anghytuno",
            "Ddim yn cytuno nac yn anghytuno",
            "Cytuno",
            "Cytuno'n gryf",
        ]


def test_every_label_message_and_choice_of_the_feedback_form_is_welsh():
    from linkwork.casework.forms import ClientFeedbackForm

    with translation.override("en-gb"):
        english = form_strings(ClientFeedbackForm())
    with translation.override("cy"):
        welsh = form_strings(ClientFeedbackForm())
    assert len(english) == len(welsh)
    assert english, "the feedback form has no labels"
    untranslated = [e for e, w in zip(english, welsh, strict=True) if e == w]
    assert untranslated == []


# Everything on the public feedback-link pages (casework/public/*.html) and its email.
PUBLIC_FEEDBACK_MSGIDS = [
    "Your feedback",
    "Hello %(name)s. Thank you for taking part. Your answers help the service to improve. "
    "Tell us how much you agree with each sentence.",
    "This link works once. Your link coordinator will see your answers.",
    "This link does not work any more",
    "Each feedback link works once, for 30 days. It may have been used already, replaced by a "
    "newer link, or copied only in part.",
    "If you would still like to give feedback, contact your link coordinator, who can send you "
    "a new link.",
    "Thank you for your feedback",
    "Your answers have been sent to the service. You can close this page.",
    "Select how much you agree",
    "Select how you would prefer to get support",
    "What helped? (optional)",
    "What could have been better? (optional)",
    # casework/email/feedback_link.txt and its subject
    "Your feedback on the support you had",
    "Thank you for working with your link coordinator.",
    "We would like to know what you thought of the support. It takes about 3 minutes:",
    "The link works once, for 30 days.",
]


# Everything a receiving organisation sees: prescriptions/public/*.html, the forms on them,
# and the email that brings the link (prescriptions/email/link.txt and its subjects).
PUBLIC_SERVICE_LINK_MSGIDS = [
    # public/link.html
    "A referral for your service",
    "How is it going?",
    "From the %(site)s social prescribing service",
    "Referred to",
    "What we are asking for",
    "The person",
    "The link coordinator will contact you to arrange.",
    "First visit",
    "The link coordinator will come with them to the first visit.",
    "They will come on their own.",
    "Link coordinator",
    "Send",
    "This link works once and until %(date)s. Do not forward it.",
    # public/done.html
    "Thank you",
    "%(name)s, the link coordinator, can now see your answer.",
    "Tell us how it goes",
    "When you know how it is going (for example after a few sessions), use this link to tell "
    "the link coordinator. We have emailed it to you too.",
    "It works once and until %(date)s.",
    "If you need to tell %(name)s anything else, email",
    # public/refused.html
    "This link has already been used",
    "This link has expired",
    "This link has been withdrawn",
    "This link does not work",
    "Each link can be used once, and an answer has already been sent with this one.",
    "Links stop working after a while, to keep people's information safe.",
    "The link coordinator has withdrawn this link, or a newer link has replaced it.",
    "The web address may be incomplete: check you copied the whole link from the email.",
    "If you still need to answer, contact %(name)s, the link coordinator, who can send you a "
    "new link:",
    "If you still need to answer, contact the link coordinator who sent you the link. They can "
    "send you a new one.",
    # The forms on public/link.html
    "Can you accept this referral?",
    "Yes, we can accept it",
    "No, we cannot accept it",
    "Select whether you can accept the referral",
    "If you cannot accept it, tell us why",
    "For example, no places until March, or outside the area we cover.",
    "Tell the link coordinator why you cannot accept",
    "They are attending",
    "They have finished (completed)",
    "They did not attend, or stopped coming",
    "We can no longer offer this",
    "Select how it is going",
    "Anything the link coordinator should know (optional)",
    "For example, attended 4 sessions, or debt write-off agreed.",
    # email/link.txt and its subjects
    "We sent you a link on %(date)s and have not heard back yet.",
    "%(coordinator)s, a link coordinator at the %(site)s social prescribing service, would like "
    "to refer someone to %(service)s.\n\nPlease use this secure link to see what is asked for "
    "and to accept or decline the referral:",
    "Thank you for accepting a referral to %(service)s from %(coordinator)s at the %(site)s "
    "social prescribing service.\n\nWhen you know how it is going, please use this secure link "
    "to tell %(coordinator)s:",
    "The link works once and until %(date)s. Please do not forward it.",
    "Questions? Contact %(coordinator)s at %(email)s.",
    "Reminder: a referral from %(site)s is waiting for your answer",
    "Tell %(site)s how a referral went",
    "A referral from %(site)s social prescribing",
]


@pytest.mark.parametrize("msgid", PUBLIC_FEEDBACK_MSGIDS + PUBLIC_SERVICE_LINK_MSGIDS)
def test_every_public_feedback_and_service_link_string_has_a_welsh_translation(msgid):
    with translation.override("cy"):
        welsh = gettext(msgid)
    assert welsh != msgid, f"not translated into Welsh: {msgid!r}"
    assert sorted(re.findall(r"%\(\w+\)s", welsh)) == sorted(re.findall(r"%\(\w+\)s", msgid))


def test_every_plain_string_on_the_public_service_link_pages_is_listed_and_welsh():
    """A new {% translate "..." %} on a public page must be translated (and listed above)."""
    templates = Path(settings.BASE_DIR) / "linkwork" / "prescriptions" / "templates"
    found = set()
    for page in sorted((templates / "prescriptions" / "public").glob("*.html")):
        found |= set(re.findall(r'{% translate "([^"]+)" %}', page.read_text(encoding="utf-8")))
    assert found
    assert sorted(found - set(PUBLIC_SERVICE_LINK_MSGIDS)) == []
    with translation.override("cy"):
        untranslated = sorted(msgid for msgid in found if gettext(msgid) == msgid)
    assert untranslated == []


# --- Nothing left untranslated or fuzzy -------------------------------------------------------


def po_entries(text: str) -> list[dict]:
    """The catalogue's entries: each with its flags, msgid and msgstr (or msgstr[n]) texts.
    Obsolete (#~) entries are ignored."""
    entries = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        entry = {"flags": [], "fields": {}}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry["fields"][key] += line.strip()[1:-1]
            else:
                key, _, value = line.partition(" ")
                entry["fields"][key] = value.strip()[1:-1]
        entries.append(entry)
    return entries


def test_the_welsh_catalogue_has_no_untranslated_and_no_fuzzy_entries():
    """Every string must be translated before it is merged: an empty msgstr (or an empty plural
    form) shows English on Welsh pages, and so does a fuzzy entry (it is not compiled)."""
    text_of_po = WELSH_PO.read_text(encoding="utf-8")
    assert not re.search(r"^#,.*\bfuzzy\b", text_of_po, flags=re.MULTILINE)

    entries = po_entries(text_of_po)
    assert len(entries) > 100
    untranslated, fuzzy = [], []
    for entry in entries:
        fields = entry["fields"]
        if fields["msgid"] == "" and "msgctxt" not in fields:
            continue  # the header
        if "fuzzy" in entry["flags"]:
            fuzzy.append(fields["msgid"])
        if "msgid_plural" in fields:
            forms = [value for key, value in fields.items() if key.startswith("msgstr[")]
            if len(forms) != 4 or "" in forms:
                untranslated.append(fields["msgid"])
        elif fields.get("msgstr", "") == "":
            untranslated.append(fields["msgid"])
    assert fuzzy == []
    assert untranslated == [], f"{len(untranslated)} untranslated Welsh entries"
