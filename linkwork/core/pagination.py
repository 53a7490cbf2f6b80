"""GOV.UK pagination for any paged list: `page_links(request, page)` for the view, and
`includes/pagination.html` for the template."""

from django.core.paginator import Page
from django.http import HttpRequest


def page_links(request: HttpRequest, page: Page) -> dict:
    """Previous, the numbered pages (with ellipses when there are many), next; each link keeps
    the rest of the query string (the list's filters). No items when there is one page."""
    paginator = page.paginator

    def url(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return "?" + params.urlencode()

    items = []
    if paginator.num_pages > 1:
        for number in paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
            if number == paginator.ELLIPSIS:
                items.append({"ellipsis": True})
            else:
                items.append(
                    {"number": number, "url": url(number), "current": number == page.number}
                )
    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else "",
        "next": url(page.next_page_number()) if page.has_next() else "",
        "items": items,
    }
