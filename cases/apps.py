from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Case studies"

    def ready(self):
        from . import history, signals  # noqa: F401 (history registers the models)

        signals.connect()
