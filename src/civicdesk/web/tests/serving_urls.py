"""A URLconf for the serving tests: a sync page, a sync streaming answer and an async view."""

import threading
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def page(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(f"{request.method} {request.POST.get('word', '')} {threading.current_thread().name}")
    response.set_cookie("seen", "yes")
    return response


def chunks(request: HttpRequest) -> StreamingHttpResponse:
    def parts() -> Iterator[bytes]:
        for n in range(3):
            yield f"part {n} from {threading.current_thread().name}\n".encode()
    return StreamingHttpResponse(parts(), content_type="text/plain")


async def live(request: HttpRequest, n: int) -> HttpResponse:
    return HttpResponse(f"async {threading.current_thread().name}")


urlpatterns = [
    path("page/", page),
    path("chunks/", chunks),
    path("nested/", include([path("<int:n>/live/", live)])),
]
