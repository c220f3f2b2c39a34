"""Reading the admin pages as a user sees them: the provider panel, the rows listed, the messages."""

import html
import re

CATALOG_URL = "/admin/ai_models/catalogentry/"
REFRESH_URL = CATALOG_URL + "refresh/"
PROVIDERS_URL = "/admin/ai_models/provider/"
SAVED_URL = "/admin/ai_models/aimodel/"

STATUS_LINE = re.compile(
    r'<li class="aim-status aim-status-(?P<state>\w+)">\s*'
    r'<span class="aim-status-name">(?P<name>[^<]*)</span>\s*'
    r'<span class="aim-status-text">(?P<text>[^<]*)</span>'
)


def panel(response) -> dict:
    """Provider name -> (state, summary), as the provider panel above Browse catalog shows them."""
    page = response.content.decode()
    return {
        html.unescape(m["name"]): (m["state"], html.unescape(" ".join(m["text"].split())))
        for m in STATUS_LINE.finditer(page)
    }


def listed(response) -> set:
    """The pks of the catalog rows on the page."""
    return {row.entry.pk for row in response.context["cl"].result_list}


def messages_of(response) -> list:
    """The messages as read: markup's entities decoded, without the ``<bdi>`` isolating ids, dates, prices."""
    return [html.unescape(re.sub(r"</?bdi[^>]*>", "", str(message))) for message in response.context["messages"]]
