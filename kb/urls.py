from django.urls import path, re_path

from kb import kinds, views

FOLDERS = "|".join(k.folder for k in kinds.KINDS)

urlpatterns = [
    path("", views.home, name="home"),
    re_path(rf"^(?P<folder>{FOLDERS})/$", views.kind_index, name="kind_index"),
    re_path(rf"^(?P<folder>{FOLDERS})/(?P<slug>[a-z0-9-]+)/$", views.article, name="article"),
]
