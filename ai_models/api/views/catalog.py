"""The live catalog over HTTP: the listing, one entry, a refresh, the providers' statuses."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.fields import BooleanField
from rest_framework.response import Response

from ...catalog import entry_states, filter_entries, get_catalog, get_entry, provider_statuses, refresh, sort_entries
from .. import serializers as s
from ..errors import bad_gateway, forbidden, not_found
from ..permissions import CanRefreshCatalog, CanViewCatalog
from .base import PAGE_PARAMETERS, APIBase, Pagination, WriteBase, document



def statuses_data(statuses) -> list:
    return s.StatusSerializer(statuses, many=True).data


def unavailable(statuses):
    """502 when every provider asked for failed with nothing cached to serve; else None."""
    if statuses and all(status.state == "failed" for status in statuses):
        return bad_gateway(
            gettext("No catalog to serve: %(errors)s") % {"errors": "; ".join(status.error for status in statuses)},
            providers=statuses_data(statuses),
        )
    return None


def sort_arguments(value: str) -> tuple[str, bool]:
    """("context", True) for "-context"."""
    return value.removeprefix("-"), value.startswith("-")


class CatalogList(APIBase):
    """GET: the live catalog, filtered, sorted and paged, with each model's saved/active state
    and every provider's status. A stale list is served (and marked); 502 only when nothing can be.
    ``refresh=true`` fetches the catalogs anew first (the refresh permission, the write rate)."""

    permission_classes = [CanViewCatalog]
    pagination_class = Pagination

    def get_throttles(self):
        if self.request.query_params.get("refresh") in BooleanField.TRUE_VALUES:
            self.throttle_scope = "ai_models_write"  # a fetch from every provider, as a POST of refresh/
        return super().get_throttles()

    @document("catalog_list", {200: s.CatalogPageSerializer}, errors=(400, 404, 502),
              parameters=[s.CatalogQuery, *PAGE_PARAMETERS])
    def get(self, request):
        # The enabled providers are read only to check one named: the listing reads them anyway.
        named = request.query_params.get("provider")
        query = self.validated(s.CatalogQuery, request.query_params,
                               providers=[status.provider for status in provider_statuses()] if named else [])
        provider = query.get("provider")
        if query["refresh"] and not CanRefreshCatalog().has_permission(request, self):
            raise forbidden(gettext("Refreshing the catalog needs the permission “Can refresh the provider catalogs”."))
        listing = refresh([provider] if provider else None) if query["refresh"] else get_catalog()
        statuses = [status for status in listing.statuses if not provider or status.provider == provider]
        error = unavailable(statuses)
        if error:
            raise error
        states = entry_states()
        entries = filter_entries(
            listing.entries,
            provider=provider,
            capability=query.get("capability"),
            search=query.get("search", ""),
            price=query.get("price"),
            state=query.get("state"),
            states=states,
            meets=query.get("meets") or None,
        )
        entries = sort_entries(entries, *sort_arguments(query["sort"]))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        response = paginator.get_paginated_response(s.EntrySerializer(page, many=True, context={"states": states}).data)
        response.data["providers"] = statuses_data(listing.statuses)
        return response


class CatalogDetail(APIBase):
    """GET: one catalog model with its raw provider data."""

    permission_classes = [CanViewCatalog]

    @document("catalog_detail", {200: s.EntryDetailSerializer}, errors=(404, 502), parameters=[
        OpenApiParameter("model_id", str, OpenApiParameter.PATH,
                         description=_("The model's id as its provider gives it, slashes included.")),
    ])
    def get(self, request, provider, model_id):
        statuses = {status.provider: status for status in provider_statuses()}
        if provider not in statuses:
            raise not_found(gettext("Unknown or disabled provider “%(name)s”.") % {"name": provider}, "unknown_provider")
        entry = get_entry(provider, model_id)
        if entry is None:
            raise missing_entry(provider, model_id)
        states = entry_states([entry])
        return Response(s.EntryDetailSerializer(entry, context={"states": states}).data)


def missing_entry(provider, model_id):
    """Why ``get_entry`` found nothing: the provider is down with nothing cached (502), or it does not list the model (404)."""
    (status,) = provider_statuses([provider])
    error = unavailable([status])
    if error:
        return error
    return not_found(
        gettext("Model “%(model)s” is not in the catalog of %(provider)s.") % {"model": model_id, "provider": provider},
        "unknown_model",
    )


class CatalogRefresh(WriteBase):
    """POST: fetch the chosen providers' catalogs now, bypassing the cache (all enabled when none is named).

    200 with every chosen provider's status; 502 when none of them could be fetched.
    """

    permission_classes = [CanRefreshCatalog]

    @document("catalog_refresh", {200: s.RefreshResultSerializer}, errors=(502,), request=s.RefreshRequest)
    def post(self, request):
        known = [status.provider for status in provider_statuses()]
        chosen = self.validated(s.RefreshRequest, request.data, providers=known)["providers"]
        statuses = [status for status in refresh(chosen or None).statuses if not chosen or status.provider in chosen]
        if statuses and not any(status.state == "fresh" for status in statuses):
            raise bad_gateway(
                gettext("The refresh failed: %(errors)s") % {"errors": "; ".join(x.error for x in statuses if x.error)},
                providers=statuses_data(statuses),
            )
        return Response({"providers": statuses_data(statuses)})


class ProviderList(APIBase):
    """GET: every enabled provider, its catalog status and where its key comes from (never the key)."""

    permission_classes = [CanViewCatalog]

    @document("providers_list", {200: s.StatusSerializer(many=True)})
    def get(self, request):
        return Response(statuses_data(provider_statuses()))
