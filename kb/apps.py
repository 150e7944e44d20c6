from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "kb"
    verbose_name = "CD38 knowledge base"

    def ready(self):
        from kb import live

        if live.enabled():
            # Sent only in the process runserver serves from (its autoreloader
            # child): live reload of content/ there and nowhere else (issue #9).
            from django.utils.autoreload import autoreload_started
            autoreload_started.connect(live.start_watching, dispatch_uid="kb-live-reload")
