"""What the home page and the index pages show, built from the database.

Views stay short (STYLE.md #3): they call one function here and render.
Everything is grouped in Python from a few queries; no request parses Markdown.
"""
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Subquery

from kb import kinds
from kb.models import (SETTINGS, Article, Biomarker, Combination, GlossaryTerm, Mechanism,
                       Section, Therapy, TherapyClass, Trial)

# "New to anti-CD38 treatment?": the reading order a nurse would suggest.
# Only the pages that exist are shown, so the list never points at a missing page.
PATIENT_PATH = [
    ("multiple-myeloma-basics", "What myeloma is, in plain words"),
    ("cd38", "The target these medicines share"),
    ("myeloma-treatment-overview", "Where anti-CD38 medicines fit in treatment"),
    ("daratumumab", "The most used anti-CD38 medicine"),
    ("isatuximab", "The other approved anti-CD38 antibody"),
    ("infusion-and-injection-reactions", "What the first doses feel like"),
    ("infusion-reactions", "What the first doses feel like"),
    ("blood-bank-and-transfusions", "Why the blood bank needs to know"),
    ("questions-for-your-care-team", "Questions to take to your next visit"),
]


@dataclass
class Group:
    title: str
    items: list
    slug: str = ""                       # an anchor for the group heading
    url: str = ""                        # the group's own page, if it has one
    subgroups: list = field(default_factory=list)   # [Group] (therapies: by status)
    continued: bool = False              # began on an earlier page of its index


def patient_path():
    found = {a.slug: a for a in Article.objects.for_listing().filter(
        slug__in=[slug for slug, _ in PATIENT_PATH])}
    seen, steps = set(), []
    for slug, why in PATIENT_PATH:
        article = found.get(slug)
        if article is not None and why not in seen:
            seen.add(why)
            steps.append((article, why))
    return steps


def recently_reviewed(count=5):
    return list(Article.objects.for_listing().only("kind", "slug", "title", "last_reviewed")
                .order_by("-last_reviewed", "title")[:count])


def example_section():
    """A real section link for the educators' box: the first section of CD38, else of any page."""
    sections = Section.objects.select_related("article").only(
        "anchor", "heading", "article__kind", "article__slug", "article__title").filter(
        level=2).exclude(anchor="").order_by("position")
    # Else the first page's that has one: found through the index on article,
    # not by sorting every section of the site (issue #8).
    first_article = sections.order_by("article_id").values("article_id")[:1]
    return (sections.filter(article__slug="cd38").first()
            or sections.filter(article_id=Subquery(first_article)).first())


# --- Index pages -----------------------------------------------------------------
#
# Grouping reads plain (id, key) rows of every article of the kind; only the
# items of the page drawn become model instances (``fill_page``). At 10,000
# articles building 2,600 trials to show 100 cost more than the page.

def index_groups(folder):
    """Index pages useful on their own: group by what matters for the kind (issue #4).

    Items are article ids, in title order; ``fill_page`` turns those of one page
    into articles.
    """
    grouper = GROUPERS.get(folder)
    if grouper is None:
        return [Group("", list(Article.objects.of_kind(folder).order_by("title")
                               .values_list("id", flat=True)))]
    return grouper()


def _therapies():
    classes = TherapyClass.objects.values_list("id", "slug", "title", "role")
    therapies = Therapy.objects.order_by("title").values_list("id", "status", "therapy_class_id")
    by_class = {}
    for pk, status, class_id in therapies:
        by_class.setdefault(class_id, []).append((pk, status))
    order = {"cd38-directed": 0, "partner": 1}
    groups = []
    for class_id, slug, title, role in sorted(classes, key=lambda c: (order.get(c[3], 2), c[2])):
        members = by_class.get(class_id)
        if not members:
            continue
        subgroups = [Group(label, [pk for pk, s in members if s == status], slug=status)
                     for status, label in Therapy.STATUSES]
        groups.append(Group(title, [pk for pk, _ in members], slug=slug,
                            url=Article(kind="therapy-classes", slug=slug).get_absolute_url(),
                            subgroups=[g for g in subgroups if g.items]))
    return groups


def _trials():
    rows = Trial.objects.order_by("title").values_list("id", "setting")
    return _by_setting(rows, lambda setting: [setting])


def _combinations():
    rows = Combination.objects.order_by("title").values_list("id", "settings")
    return _by_setting(rows, lambda settings: settings)


def _by_setting(rows, settings_of):
    buckets = {key: [] for key, _ in SETTINGS}
    for pk, value in rows:
        for key in settings_of(value):
            buckets.setdefault(key, []).append(pk)
    labels = dict(SETTINGS)
    return [Group(labels.get(key, key), items, slug=key) for key, items in buckets.items() if items]


def _mechanisms():
    rows = Mechanism.objects.order_by("title").values_list("id", "category")
    return _by_choice(rows, Mechanism.CATEGORIES)


def _classes():
    rows = TherapyClass.objects.order_by("title").values_list("id", "role")
    return _by_choice(rows, TherapyClass.ROLES)


def _by_choice(rows, choices):
    buckets = {key: [] for key, _ in choices}
    for pk, value in rows:
        buckets.setdefault(value, []).append(pk)
    labels = dict(choices)
    return [Group(labels.get(key, key), items, slug=key) for key, items in buckets.items() if items]


def _glossary():
    buckets = {}
    for pk, title in GlossaryTerm.objects.order_by("title").values_list("id", "title"):
        letter = title[:1].upper()
        buckets.setdefault(letter if letter.isalpha() else "#", []).append(pk)
    return [Group(letter, items,
                  slug=f"letter-{letter.lower()}" if letter != "#" else "letter-other")
            for letter, items in sorted(buckets.items())]


GROUPERS = {
    "therapies": _therapies,
    "trials": _trials,
    "combinations": _combinations,
    "mechanisms": _mechanisms,
    "therapy-classes": _classes,
    "glossary": _glossary,
}

# What an index page's items show (includes/article_list.html).
LISTING = {
    "trials": lambda: Trial.objects.only(
        "slug", "title", "summary", "kind", "setting", "phase", "nct", "enrolled",
        "comparator").prefetch_related(
        Prefetch("tests", Article.objects.for_listing().order_by("title"))),
    "combinations": lambda: Combination.objects.only(
        "slug", "title", "summary", "kind", "settings").prefetch_related(
        Prefetch("components", Therapy.objects.only("slug", "title", "kind").order_by("title"))),
}


def fill_page(folder, page):
    """Replace the ids of ``page`` by their articles: one query, and one per relation shown."""
    ids = {pk for group in page.groups for pk in group.items}
    queryset = LISTING[folder]() if folder in LISTING else Article.objects.for_listing()
    found = queryset.in_bulk(ids)
    for group in page.groups:
        group.items = [found[pk] for pk in group.items if pk in found]
        for sub in group.subgroups:
            sub.items = [found[pk] for pk in sub.items if pk in found]


# --- Index pages in pages ------------------------------------------------------

# Items per index page. Every index of the real guide fits on one page (the
# longest has 40); at 10,000 articles /trials/ alone was 866 KB (issue #8).
INDEX_PAGE_SIZE = 100


@dataclass
class IndexPage:
    number: int
    count: int                 # pages in all
    groups: list               # [Group]: this page's part of each group on it
    starts: dict               # group slug -> the page its heading is on


def paginate(groups, number, size=None):
    """Page ``number`` (from 1) of ``groups``, ``size`` items a page, in order.

    A group cut by a page break goes on with the next page (``continued``).
    ``starts`` says where each group's heading is, so the jump links of every
    page, and the group ids on the first page, reach it (see kind_index.html).
    None if there is no such page.
    """
    size = size or INDEX_PAGE_SIZE
    rows = []   # (group index, subgroup index or None, item)
    for g, group in enumerate(groups):
        if group.subgroups:
            rows.extend((g, s, item) for s, sub in enumerate(group.subgroups) for item in sub.items)
        else:
            rows.extend((g, None, item) for item in group.items)
    count = max(1, -(-len(rows) // size))
    if not 1 <= number <= count:
        return None
    starts, first = {}, {}
    for position, (g, _, _) in enumerate(rows):
        if g not in first:
            first[g] = position
            starts[groups[g].slug] = position // size + 1
    begin = (number - 1) * size
    shown, subs = {}, {}
    for position, (g, s, item) in enumerate(rows[begin:begin + size], begin):
        group = groups[g]
        if g not in shown:
            shown[g] = Group(group.title, [], slug=group.slug, url=group.url,
                             continued=first[g] < begin)
        part = shown[g]
        if s is None:
            part.items.append(item)
            continue
        if (g, s) not in subs:
            sub = group.subgroups[s]
            subs[g, s] = Group(sub.title, [], slug=sub.slug)
            part.subgroups.append(subs[g, s])
        subs[g, s].items.append(item)
        part.items.append(item)
    if not rows:
        shown = {g: group for g, group in enumerate(groups)}
    return IndexPage(number, count, list(shown.values()), starts)


# --- The home page map: CD38 -> mechanisms -> therapies -> combinations -> trials ---

# Names per column of the home page map. The real guide's longest column has
# 20 (trials); at 10,000 articles an unbounded map drew every one of them
# (1.5 MB, 2.9 s; issue #8). Past the bound a column shows its most
# connected pages (the hubs) and links to its section's index.
MAP_STAGE_LIMIT = 24


@dataclass
class Node:
    article: Article
    links: set = field(default_factory=set)   # ids of connected nodes

    @property
    def id(self):
        return node_id(self.article)


@dataclass
class Stage:
    title: str
    caption: str
    nodes: list
    folder: str = ""      # the section's index, linked when the column is cut
    more: bool = False    # more pages belong here than are shown

    @property
    def kind(self):
        return kinds.get(self.folder)


def node_id(article):
    return f"map-{article.slug}"


def _hubs(queryset, relation, limit):
    """Up to ``limit`` rows, the most connected through ``relation`` first, shown by title;
    and whether there were more."""
    rows = list(queryset.annotate(degree=Count(relation, distinct=True))
                .only("slug", "title", "kind").order_by("-degree", "title")[:limit + 1])
    return sorted(rows[:limit], key=lambda a: (a.title, a.pk)), len(rows) > limit


def knowledge_map(limit=None):
    """Five columns and the edges between them, from the typed relations.

    Starts from the biomarkers some therapy targets (CD38), so partner drugs
    appear through the combinations they are part of, not as a column of their own.
    Each column holds at most ``limit`` pages; edges join only pages shown.
    A fixed number of queries, each bounded by ``limit``.
    """
    limit = limit or MAP_STAGE_LIMIT
    biomarkers, more_biomarkers = _hubs(
        Biomarker.objects.filter(therapies__isnull=False), "therapies", limit)
    therapies, more_therapies = _hubs(
        Therapy.objects.filter(targets__in=biomarkers), "combinations", limit)
    if not therapies:
        return []
    mechanisms, more_mechanisms = _hubs(
        Mechanism.objects.filter(therapies__in=therapies), "therapies", limit)
    combinations, more_combinations = _hubs(
        Combination.objects.filter(components__in=therapies), "tested_in", limit)
    tested = [a.pk for a in [*therapies, *combinations]]
    trials, more_trials = _hubs(Trial.objects.filter(tests__in=tested), "tests", limit)

    nodes = {a.pk: Node(a) for a in [*biomarkers, *mechanisms, *therapies, *combinations, *trials]}

    def connect(pairs):
        for a, b in pairs:
            if a in nodes and b in nodes:
                nodes[a].links.add(nodes[b].id)
                nodes[b].links.add(nodes[a].id)

    therapy_ids = [a.pk for a in therapies]
    connect(Therapy.targets.through.objects.filter(therapy_id__in=therapy_ids)
            .values_list("therapy_id", "biomarker_id"))
    connect(Therapy.mechanisms.through.objects.filter(therapy_id__in=therapy_ids)
            .values_list("therapy_id", "mechanism_id"))
    connect(Combination.components.through.objects.filter(
        combination_id__in=[a.pk for a in combinations])
        .values_list("combination_id", "therapy_id"))
    connect(Trial.tests.through.objects.filter(trial_id__in=[a.pk for a in trials])
            .values_list("trial_id", "article_id"))

    def column(articles):
        return [nodes[a.pk] for a in articles]

    return [
        Stage("Target", "What the medicines stick to on myeloma cells", column(biomarkers),
              "biomarkers", more_biomarkers),
        Stage("How they work", "Ways the medicines kill myeloma cells", column(mechanisms),
              "mechanisms", more_mechanisms),
        Stage("Medicines", "Antibodies and cell therapies", column(therapies),
              "therapies", more_therapies),
        Stage("Combinations", "Given together with partner drugs", column(combinations),
              "combinations", more_combinations),
        Stage("Trials", "The studies behind them", column(trials), "trials", more_trials),
    ]
