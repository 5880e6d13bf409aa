"""`{% case_citation case as citation %}`: the citation a case page shows."""

from django import template

from cases import citations

register = template.Library()


@register.simple_tag(takes_context=True)
def case_citation(context, case) -> citations.Citation:
    """The citation of `case` (organizations from its prefetched `links`), on SITE_URL."""
    return citations.of_case(context["request"], case)
