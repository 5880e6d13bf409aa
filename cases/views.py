from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.generic import DetailView, ListView

from .models import Case


class HomeView(ListView):
    template_name = "cases/home.html"
    context_object_name = "cases"

    def get_queryset(self):
        return Case.objects.published().for_listing()


class CaseDetailView(DetailView):
    template_name = "cases/case_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        return Case.objects.visible_to(self.request.user).for_listing()


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
