from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when missing)."""
    return mapping.get(key) if mapping else None


@register.filter
def split_words(value):
    return value.split()


@register.filter
def p_value(p):
    """A p-value as people read it: four decimals, "< 0.0001" below that (never "0.0000")."""
    if p is None:
        return "–"
    return "< 0.0001" if p < 0.0001 else f"{p:.4f}"


@register.filter
def freeze_query(details):
    """The freeze form's fields from a refused freeze job, as a query string (overrides are left
    for the lead to write)."""
    from urllib.parse import urlencode

    ratios = details.get("ratios") or [0.8, 0.1, 0.1]
    return urlencode(
        {
            "name": details.get("name", ""),
            "note": details.get("note", ""),
            "seed": details.get("seed", 0),
            "stratify_field": details.get("stratify_field", ""),
            "train": round(ratios[0] * 100),
            "validation": round(ratios[1] * 100),
            "test": round(ratios[2] * 100),
        }
    )
