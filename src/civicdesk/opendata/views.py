"""The public open data pages: the list of exports with their schema, the files, and schema.json."""

from datetime import date

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from civicdesk.opendata import queries
from civicdesk.opendata.actions import FILE_NAMES, export_dir
from civicdesk.opendata.models import Export
from civicdesk.opendata.schema import APPROXIMATE_METRES, FIELDS, table_schema

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "opendata/index.html", {
        "exports": queries.exports(), "fields": FIELDS, "approximate_metres": APPROXIMATE_METRES})


def _file(export: Export | None, fmt: str) -> FileResponse:
    if export is None:
        raise Http404(gettext("No export has been written yet. The first one is written within ten minutes."))
    path = export_dir(export.day) / FILE_NAMES[fmt]
    if not path.exists():
        raise Http404(gettext("This export's file is missing."))
    response = FileResponse(open(path, "rb"), content_type=CONTENT_TYPES[fmt], as_attachment=True,  # noqa: SIM115
                            filename=f"requests-{export.day.isoformat()}.{fmt}")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def latest(request: HttpRequest, fmt: str) -> FileResponse:
    return _file(queries.latest_export(), fmt)


@require_GET
def of_day(request: HttpRequest, day: str, fmt: str) -> FileResponse:
    try:
        wanted = date.fromisoformat(day)
    except ValueError as exc:
        raise Http404(gettext("No export for that day.")) from exc
    return _file(Export.objects.filter(day=wanted).first(), fmt)


@require_GET
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(table_schema(), json_dumps_params={"ensure_ascii": False, "indent": 2})
