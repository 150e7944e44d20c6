"""What the home page and the index pages show, built from the database.

Views stay short (STYLE.md #3): they call one function here and render.
Everything is grouped in Python from a few queries; no request parses Markdown.
"""
from dataclasses import dataclass, field

from django.db.models import Prefetch

from kb.models import (SETTINGS, Article, Biomarker, Combination, Mechanism, Section, Therapy,
                       TherapyClass, Trial)

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
    return sections.filter(article__slug="cd38").first() or sections.first()


# --- Index pages -----------------------------------------------------------------

def index_groups(folder, articles):
    """Index pages useful on their own: group by what matters for the kind (issue #4)."""
    grouper = GROUPERS.get(folder)
    if grouper is None:
        return [Group("", list(articles))]
    return grouper(articles)


def _therapies(articles):
    classes = TherapyClass.objects.only("slug", "title", "kind", "role").prefetch_related(
        Prefetch("therapies", Therapy.objects.only(
            "slug", "title", "summary", "kind", "status", "therapy_class_id").order_by("title")))
    order = {"cd38-directed": 0, "partner": 1}
    groups = []
    for therapy_class in sorted(classes, key=lambda c: (order.get(c.role, 2), c.title)):
        therapies = list(therapy_class.therapies.all())
        if not therapies:
            continue
        subgroups = [Group(label, [t for t in therapies if t.status == status], slug=status)
                     for status, label in Therapy.STATUSES]
        groups.append(Group(therapy_class.title, therapies, slug=therapy_class.slug,
                            url=therapy_class.get_absolute_url(),
                            subgroups=[g for g in subgroups if g.items]))
    return groups


def _trials(articles):
    trials = Trial.objects.only(
        "slug", "title", "summary", "kind", "setting", "phase", "nct", "enrolled",
        "comparator").prefetch_related(
        Prefetch("tests", Article.objects.for_listing().order_by("title"))).order_by("title")
    return _by_setting(trials, lambda trial: [trial.setting])


def _combinations(articles):
    combinations = Combination.objects.only(
        "slug", "title", "summary", "kind", "settings").prefetch_related(
        Prefetch("components", Therapy.objects.only("slug", "title", "kind").order_by("title"))
    ).order_by("title")
    return _by_setting(combinations, lambda combination: combination.settings)


def _by_setting(rows, settings_of):
    buckets = {key: [] for key, _ in SETTINGS}
    for row in rows:
        for key in settings_of(row):
            buckets.setdefault(key, []).append(row)
    labels = dict(SETTINGS)
    return [Group(labels.get(key, key), items, slug=key) for key, items in buckets.items() if items]


def _mechanisms(articles):
    rows = Mechanism.objects.only("slug", "title", "summary", "kind", "category").order_by("title")
    return _by_choice(rows, Mechanism.CATEGORIES, "category")


def _classes(articles):
    rows = TherapyClass.objects.only("slug", "title", "summary", "kind", "role").order_by("title")
    return _by_choice(rows, TherapyClass.ROLES, "role")


def _by_choice(rows, choices, attribute):
    buckets = {key: [] for key, _ in choices}
    for row in rows:
        buckets.setdefault(getattr(row, attribute), []).append(row)
    labels = dict(choices)
    return [Group(labels.get(key, key), items, slug=key) for key, items in buckets.items() if items]


def _glossary(articles):
    buckets = {}
    for article in articles:
        letter = article.title[:1].upper()
        buckets.setdefault(letter if letter.isalpha() else "#", []).append(article)
    return [Group(letter, items, slug=f"letter-{letter.lower()}" if letter != "#" else "letter-other")
            for letter, items in sorted(buckets.items())]


GROUPERS = {
    "therapies": _therapies,
    "trials": _trials,
    "combinations": _combinations,
    "mechanisms": _mechanisms,
    "therapy-classes": _classes,
    "glossary": _glossary,
}


# --- The home page map: CD38 -> mechanisms -> therapies -> combinations -> trials ---

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


def node_id(article):
    return f"map-{article.slug}"


def knowledge_map():
    """Five columns and the edges between them, from the typed relations.

    Starts from the biomarkers some therapy targets (CD38), so partner drugs
    appear through the combinations they are part of, not as a column of their own.
    """
    listing = ("slug", "title", "kind")
    biomarkers = list(Biomarker.objects.filter(therapies__isnull=False).distinct()
                      .only(*listing).order_by("title"))
    therapies = list(Therapy.objects.filter(targets__in=biomarkers).distinct().only(*listing)
                     .prefetch_related(Prefetch("targets", Biomarker.objects.only("id")),
                                       Prefetch("mechanisms", Mechanism.objects.only("id")))
                     .order_by("title"))
    mechanisms = list(Mechanism.objects.filter(therapies__in=therapies).distinct()
                      .only(*listing).order_by("title"))
    combinations = list(Combination.objects.filter(components__in=therapies).distinct()
                        .only(*listing)
                        .prefetch_related(Prefetch("components", Therapy.objects.only("id")))
                        .order_by("title"))
    tested = [*therapies, *combinations]
    trials = list(Trial.objects.filter(tests__in=[a.pk for a in tested]).distinct()
                  .only(*listing).prefetch_related(Prefetch("tests", Article.objects.only("id")))
                  .order_by("title"))
    if not therapies:
        return []

    nodes = {a.pk: Node(a) for a in [*biomarkers, *mechanisms, *therapies, *combinations, *trials]}

    def connect(a, b):
        if a in nodes and b in nodes:
            nodes[a].links.add(nodes[b].id)
            nodes[b].links.add(nodes[a].id)

    for therapy in therapies:
        for other in [*therapy.targets.all(), *therapy.mechanisms.all()]:
            connect(therapy.pk, other.pk)
    for combination in combinations:
        for component in combination.components.all():
            connect(combination.pk, component.pk)
    for trial in trials:
        for tested_article in trial.tests.all():
            connect(trial.pk, tested_article.pk)

    def column(articles):
        return [nodes[a.pk] for a in articles]

    return [
        Stage("Target", "What the medicines stick to on myeloma cells", column(biomarkers)),
        Stage("How they work", "Ways the medicines kill myeloma cells", column(mechanisms)),
        Stage("Medicines", "Antibodies and cell therapies", column(therapies)),
        Stage("Combinations", "Given together with partner drugs", column(combinations)),
        Stage("Trials", "The studies behind them", column(trials)),
    ]
