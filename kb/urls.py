from django.urls import path, re_path

from kb import kinds, views
from kb.search.views import search_page

FOLDERS = "|".join(k.folder for k in kinds.KINDS)

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_page, name="search"),
    re_path(rf"^(?P<folder>{FOLDERS})/$", views.kind_index, name="kind_index"),
    re_path(rf"^(?P<folder>{FOLDERS})/(?P<slug>[a-z0-9-]+)/$", views.article, name="article"),
]
