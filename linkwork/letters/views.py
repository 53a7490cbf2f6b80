"""Letters: making one from the person's record (with a preview), reading a kept one and its
PDF, and the letter settings. Thin: parse, act, render.

The person comes from `queries.person_for` (their record's own lookup: 404 for anyone who may not
open the record), with WRITE_LETTER to make a letter and VIEW_PERSON_RECORD to read one. Every
preview, read and download is written to the audit log. The wording and letterheads need
EDIT_LETTER_TEMPLATES (the rule for managing pathways).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from linkwork.accounts.permissions import Permission, require
from linkwork.accounts.queries import site_for, sites_for
from linkwork.core.form_pages import posted, submit
from linkwork.referrals.models import Language

from . import actions, drafting
from .forms import LetterForm, LetterheadForm, TemplateForm
from .models import LetterKind
from .pdf import render_pdf
from .placeholders import PLACEHOLDERS
from .presenters import paper
from .queries import (
    all_templates,
    letter_for,
    letterhead_of,
    letterheads_for,
    person_for,
    template_for,
)

# --- Making a letter -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The letter's choices and its preview on one page: shown first with the record's
    defaults, previewed again on "Preview", kept on "Make the letter"."""
    if kind not in LetterKind.values:
        raise Http404
    user = request.user
    referral = person_for(user, pk, Permission.WRITE_LETTER)
    situation = drafting.Situation.of(referral)
    reason = drafting.why_not(situation, kind)
    name, address = drafting.default_recipient(referral, kind)
    initial = {
        "language": drafting.default_language(referral),
        "recipient_name": name,
        "recipient_address": address,
    }
    if kind == LetterKind.APPOINTMENT and situation.booked:
        initial["contact"] = situation.booked[0].pk
    form = posted(request, LetterForm, initial=initial, kind=kind, contacts=situation.booked)
    context = {"referral": referral, "kind": LetterKind(kind), "reason": reason, "form": form}
    if reason:
        return render(request, "letters/write.html", context)

    if request.POST.get("action") == "make":

        def make(data):
            letter = actions.make_letter(
                referral,
                by=user,
                kind=kind,
                language=data["language"],
                recipient_name=data["recipient_name"],
                recipient_address=data["recipient_address"],
                contact=form.chosen_contact(),
                place=data.get("place", ""),
            )
            messages.success(request, _("Letter made. Download it as a PDF to print or send it."))
            return redirect("letters:letter", pk=referral.pk, letter_pk=letter.pk)

        if response := submit(request, form, make):
            return response

    choices = None
    if request.method == "GET":
        choices = dict(initial)
        choices["contact"] = situation.booked[0] if situation.booked else None
    elif form.is_valid():
        choices = dict(form.cleaned_data)
        choices["contact"] = form.chosen_contact()
    if choices is not None and not (kind == LetterKind.APPOINTMENT and choices["contact"] is None):
        draft = drafting.draft(
            situation,
            kind,
            by=user,
            language=choices["language"],
            recipient_name=choices["recipient_name"],
            recipient_address=choices["recipient_address"],
            contact=choices["contact"],
            place=choices.get("place", ""),
        )
        actions.record_preview(referral, by=user, kind=kind, language=draft.language)
        context |= {"draft": draft, "paper": paper(draft, reference=referral.reference)}
    return render(request, "letters/write.html", context)


# --- A kept letter -------------------------------------------------------------------------------


@require_GET
def letter(request: HttpRequest, pk: int, letter_pk: int) -> HttpResponse:
    kept = letter_for(request.user, pk, letter_pk)
    actions.record_read(kept, by=request.user)
    return render(
        request,
        "letters/letter.html",
        {
            "letter": kept,
            "referral": kept.referral,
            "paper": paper(kept, reference=kept.referral.reference),
        },
    )


@require_GET
def letter_pdf(request: HttpRequest, pk: int, letter_pk: int) -> HttpResponse:
    kept = letter_for(request.user, pk, letter_pk)
    actions.record_read(kept, by=request.user, downloaded=True)
    response = HttpResponse(render_pdf(kept), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{kept.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Letter settings -----------------------------------------------------------------------------


@require_GET
def letter_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, Permission.EDIT_LETTER_TEMPLATES)
    templates = all_templates()
    rows = [
        {
            "kind": LetterKind(kind),
            "templates": [t for t in templates if t.kind == kind],
        }
        for kind in LetterKind.values
    ]
    sites = list(sites_for(user).order_by("name"))
    heads = letterheads_for(sites)
    for site in sites:
        site.head = heads.get(site.pk)
    return render(request, "letters/settings.html", {"rows": rows, "sites": sites})


@require_http_methods(["GET", "POST"])
def edit_template(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    user = request.user
    require(user, Permission.EDIT_LETTER_TEMPLATES)
    if kind not in LetterKind.values or language not in Language.values:
        raise Http404
    template = template_for(kind, language)
    form = posted(
        request,
        TemplateForm,
        kind=kind,
        initial={"subject": template.subject, "body": template.body},
    )

    def save(data):
        actions.change_template(kind, language, by=user, subject=data["subject"], body=data["body"])
        messages.success(
            request,
            _(
                "The wording of “%(kind)s” in %(language)s is saved. Letters made from now on "
                "use it."
            )
            % {"kind": LetterKind(kind).label, "language": Language(language).label},
        )
        return redirect("letters:settings")

    if response := submit(request, form, save):
        return response
    return render(
        request,
        "letters/template.html",
        {
            "form": form,
            "template": template,
            "kind": LetterKind(kind),
            "language": Language(language),
            "placeholders": PLACEHOLDERS[kind],
        },
    )


@require_http_methods(["GET", "POST"])
def letterhead(request: HttpRequest, site_pk: int) -> HttpResponse:
    user = request.user
    require(user, Permission.EDIT_LETTER_TEMPLATES)
    site = site_for(user, site_pk, Permission.EDIT_LETTER_TEMPLATES)
    head = letterhead_of(site)
    fields = ("service_name", "address", "phone", "email")
    initial = {name: getattr(head, name) for name in fields} if head else {}
    form = posted(request, LetterheadForm, initial=initial)

    def save(data):
        actions.save_letterhead(site, by=user, **data)
        messages.success(request, _("The letterhead of %(site)s is saved.") % {"site": site.name})
        return redirect("letters:settings")

    if response := submit(request, form, save):
        return response
    return render(
        request,
        "letters/letterhead.html",
        {"form": form, "site": site, "head": head},
    )
