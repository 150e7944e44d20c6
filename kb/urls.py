from django.urls import path, re_path

from kb import changes, kinds, live, views, web
from kb.evidence import views as evidence
from kb.feeds import RecentArticlesFeed
from kb.search.views import search_page

FOLDERS = "|".join(k.folder for k in kinds.KINDS)

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_page, name="search"),
    path("evidence/", evidence.evidence, name="evidence"),
    path("evidence/map/", evidence.knowledge_map, name="evidence_map"),
    path("compare/", evidence.compare, name="compare"),
    path("healthz", web.healthz, name="healthz"),
    path("robots.txt", web.robots_txt, name="robots"),
    path("sitemap.xml", web.sitemap, name="sitemap"),
    path("feed.xml", RecentArticlesFeed(), name="feed"),
    path("changes/", changes.recent_changes, name="changes"),
    path("__live__/version", live.version, name="live_version"),  # 404 unless DEBUG
    re_path(rf"^(?P<folder>{FOLDERS})/$", views.kind_index, name="kind_index"),
    re_path(rf"^(?P<folder>{FOLDERS})/page/(?P<page>[1-9][0-9]{{0,5}})/$", views.kind_index,
            name="kind_index_page"),
    re_path(rf"^(?P<folder>{FOLDERS})/(?P<slug>[a-z0-9-]+)/$", views.article, name="article"),
    re_path(rf"^(?P<folder>{FOLDERS})/(?P<slug>[a-z0-9-]+)/links/$", views.article_backlinks,
            name="article_backlinks"),
]

# The 500 page in the site's layout, drawn without touching the database.
handler500 = "kb.web.server_error"
