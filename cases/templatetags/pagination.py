"""The page numbers of paginated lists."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_numbers(page: Page) -> list[int | None]:
    """The numbers to link around the current page, None for each gap: 1 … 4 5 6 … 250."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    return [number if isinstance(number, int) else None for number in numbers]
