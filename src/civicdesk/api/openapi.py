"""The API's OpenAPI document and docs page: 401 and 429 documented on every operation, and /api/docs served from our
own template and static files (a `lang`, a main landmark, WCAG AA contrast, the staff session's CSRF token)."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
ERROR_SCHEMA = {"title": "ErrorOut", "type": "object", "required": ["detail"],
                "properties": {"detail": {"title": "Detail", "anyOf": [{"type": "string"},
                                                                       {"type": "array", "items": {}}]}}}
COMMON_RESPONSES: dict[str, dict[str, Any]] = {
    "401": {"description": "Not signed in: no valid token in `Authorization: Bearer <token>` and no signed-in staff "
                           "session (an administrator's session counts once past two-factor).",
            "content": {"application/json": {"schema": ERROR_REF}}},
    "429": {"description": "Too many requests from this token or session in the current minute (API_RATE_LIMIT). "
                           "Wait the number of seconds in `Retry-After`.",
            "headers": {"Retry-After": {"description": "Seconds until the next minute's allowance.",
                                        "schema": {"type": "integer", "minimum": 1}}},
            "content": {"application/json": {"schema": ERROR_REF}}},
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


class StaffDocs(Swagger):
    """Swagger UI from the swagger files django-ninja ships (served by our static files, no CDN), in our page.
    Without deep links: their anchors sit inside the operations' toggle buttons (a link inside a button)."""

    template = "api/docs.html"

    def __init__(self) -> None:
        super().__init__(settings={"deepLinking": False})


class DocumentedApi(NinjaAPI):
    """A NinjaAPI whose OpenAPI document lists the answers every operation can give: 401 and 429."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("ErrorOut", ERROR_SCHEMA)
        for path in schema.get("paths", {}).values():
            for method, operation in path.items():
                if method in HTTP_METHODS:
                    responses = operation["responses"] = _by_status_text(operation.get("responses", {}))
                    for code, response in COMMON_RESPONSES.items():
                        responses.setdefault(code, response)
        return schema


def _by_status_text(responses: dict[Any, Any]) -> dict[str, Any]:
    """One entry per status code: ninja keys its own by int and openapi_extra by text, and JSON keeps both."""
    merged: dict[str, Any] = {}
    for code, response in responses.items():
        entry = merged.setdefault(str(code), {})
        content = {**entry.get("content", {}), **response.get("content", {})}
        entry.update(response)
        if content:
            entry["content"] = content
    return merged
