"""An Atom feed of pages recently added or re-reviewed (issue #7).

Educators and patient groups follow it to learn when a page is new or has
been checked against its sources again. An entry's date is the later of the
day the page first appeared on the site and the day it was last reviewed;
its id is the page's address, so a re-review updates the entry instead of
adding a second one.
"""
import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from kb.models import Article
from kb.web import base_url

SIZE = 30


def _reviewed_at(article):
    return datetime.datetime.combine(article.last_reviewed, datetime.time(), datetime.UTC)


def entry_date(article):
    return max(article.created_at, _reviewed_at(article))


def recent_articles(size=SIZE):
    """The ``size`` articles with the latest entry dates, newest first.

    The newest by the later of two dates are among the newest by either date,
    so two short queries find them on a site of any size.
    """
    fields = ("id", "kind", "slug", "title", "summary", "created_at", "last_reviewed")
    rows = Article.objects.only(*fields)
    candidates = {a.id: a for a in [*rows.order_by("-created_at", "slug")[:size],
                                    *rows.order_by("-last_reviewed", "slug")[:size]]}
    return sorted(candidates.values(), key=lambda a: (entry_date(a), a.slug), reverse=True)[:size]


class RecentArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = "CD38 Myeloma Guide: new and re-reviewed pages"
    subtitle = ("Pages of the CD38 Myeloma Guide that are new or were checked against their "
                "sources again. For education only; not medical advice.")

    def get_object(self, request, *args, **kwargs):
        # The one Feed instance serves every thread: per-request state goes
        # through ``obj`` (the site's public address), never onto ``self``.
        return base_url(request)

    def link(self, obj):
        return obj + reverse("home")

    def feed_url(self, obj):
        return obj + reverse("feed")

    def items(self, obj):
        articles = recent_articles()
        for article in articles:
            article.feed_link = obj + article.get_absolute_url()
        return articles

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.feed_link

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return entry_date(item)
