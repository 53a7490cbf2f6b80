"""The directory's categories, for the managers who keep the directory: each with its name in
Welsh, so that people using Linkwork in Welsh read categories in Welsh."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from linkwork.accounts.permissions import Permission, require
from linkwork.core.form_pages import posted, submit
from linkwork.core.pagination import page_links

from .. import actions, queries
from ..forms import CategoryForm

PAGE_SIZE = 50


def category_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Permission.EDIT_DIRECTORY)
    untranslated = request.GET.get("untranslated") == "1"
    page = Paginator(queries.all_categories(untranslated_only=untranslated), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "directory/categories.html",
        {"page": page, "page_links": page_links(request, page), "untranslated": untranslated},
    )


@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, Permission.EDIT_DIRECTORY)
    term = get_object_or_404(queries.all_categories(), pk=pk)
    form = posted(request, CategoryForm, term=term)

    def act(data):
        actions.name_category(term, by=request.user, name_cy=data["name_cy"], name=data.get("name"))
        messages.success(request, _("Category %(name)s saved.") % {"name": term.label})
        return redirect("directory:categories")

    if response := submit(request, form, act):
        return response
    return render(request, "directory/category_form.html", {"form": form, "term": term})


urlpatterns = [
    path("categories/", category_list, name="categories"),
    path("categories/<int:pk>/", category_edit, name="category_edit"),
]
