from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, Http404
from django.urls import include, path, re_path

from reservations.api.login_limits import login_door


def frontend_app(request):
    """The built React app's index.html for every client-side route (/events/1, /login...)."""
    index = settings.FRONTEND_DIST / "index.html"
    if not index.is_file():
        raise Http404(
            "The front end is not built: run `make run` (or `npm run build` in frontend/)."
        )
    return FileResponse(index.open("rb"), content_type="text/html")


urlpatterns = [
    # The admin's login form is a login door as the API's are (login_limits.py).
    path("admin/login/", login_door(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/", include("reservations.api.urls")),
    re_path(r"^(?!api/|admin/|ws/|static/).*$", frontend_app),
]
