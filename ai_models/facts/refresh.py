"""Refreshing a dataset from its upstream URL (``AI_MODELS["FACTS_REFRESH"]``), off by default.

The download goes through the providers' guarded transport (``HTTPProvider``): https only, or
plain http and internal addresses only to a host and port ``ALLOWED_HTTP_HOSTS`` lists, every
resolved address vetted when connecting, same-host redirects, ``MAX_RESPONSE_BYTES``, retries.
A copy that reads as no model at all is refused, so a broken upstream never empties the facts.
The copy is kept in the shared cache for every process; ``datasets()`` prefers it to the package's.
"""

import json
import time
import zlib

from .. import sharedcache
from ..exceptions import ProviderError
from ..providers import parsing
from ..providers.http import HTTPProvider
from . import REFRESHED_KEY, forget, sources


class DatasetDownload(HTTPProvider):
    """One dataset's JSON fetched from its URL, under the providers' network rules."""

    id = "facts"
    name = "Model facts"
    requires_key = False
    items_key = None

    def fetch_payload(self):
        with self.client() as client:
            data, _reply = self.get_json(client, self.base_url)
        return data


def refresh(urls: dict) -> dict:
    """Fetch each dataset of ``urls`` (name -> URL); name -> "" when refreshed, else the error."""
    outcome = {}
    for name, url in urls.items():
        if name not in sources.READERS:
            outcome[name] = parsing.translate("unknown dataset %(name)r; known: %(known)s") % {
                "name": name, "known": ", ".join(sources.ORDER)}
            continue
        try:
            data = DatasetDownload(base_url=str(url)).fetch_payload()
            if not isinstance(data, dict) or not sources.READERS[name](data):
                raise ProviderError("facts", parsing.translate("the answer holds no model of a known provider"))
        except ProviderError as err:
            outcome[name] = str(err)
            continue
        copy = {
            "data": zlib.compress(json.dumps(data, separators=(",", ":")).encode()),
            "url": str(url),
            "fetched_at": time.time(),
        }
        sharedcache.shared_cache().set(REFRESHED_KEY.format(name=name), copy, None)
        outcome[name] = ""
    forget()
    return outcome
