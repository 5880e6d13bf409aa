"""`{% case_structured_data case %}` and friends: a page's schema.org JSON-LD script."""

from django import template
from django.utils.safestring import mark_safe

from cases import linked_data

register = template.Library()


def _script(node: dict) -> str:
    # script_json escapes <, > and &: the text cannot end the script, and HTML escaping
    # would corrupt it (a script's text is not decoded).
    json_text = linked_data.script_json(linked_data.on_page(node))
    return mark_safe(f'<script type="application/ld+json">{json_text}</script>')


@register.simple_tag(takes_context=True)
def case_structured_data(context, case) -> str:
    """The case as a CreativeWork (themes and organizations from its prefetched relations)."""
    return _script(linked_data.case_node(context["request"], case))


@register.simple_tag(takes_context=True)
def organization_structured_data(context, organization) -> str:
    return _script(linked_data.organization_node(context["request"], organization))


@register.simple_tag(takes_context=True)
def catalogue_structured_data(context) -> str:
    """The catalogue as a Dataset, changed when its public content last changed."""
    request = context["request"]
    return _script(linked_data.catalogue_node(request, request.catalogue.changed_at))
