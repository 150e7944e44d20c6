"""The knowledge base as the ORM sees it.

One concrete ``Article`` table holds what every kind shares (title, summary,
rendered HTML, review date); each kind is a child model (multi-table
inheritance) that adds its typed fields and real relations, so a query such
as "every therapy that acts through ADCC" is ``Therapy.objects.filter(
mechanisms__slug="adcc")``. Sections, references, aliases and the link graph
hang off ``Article``. Rows are written only by ``kb.ingest.sync``.
"""
from django.db import models
from django.urls import get_script_prefix

from kb import kinds


class ArticleQuerySet(models.QuerySet):
    def of_kind(self, folder):
        return self.filter(kind=folder)

    def for_listing(self):
        """Only what lists and panels show: keeps big HTML out of list queries."""
        return self.only("id", "kind", "slug", "title", "summary")


class Article(models.Model):
    kind = models.CharField(max_length=32, choices=kinds.CHOICES, db_index=True)
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    summary = models.TextField()
    body_html = models.TextField(help_text="Rendered and sanitized at load time.")
    toc = models.JSONField(default=list, help_text="Nested headings: id, name, level, children.")
    last_reviewed = models.DateField()
    word_count = models.PositiveIntegerField(default=0)
    reading_grade = models.FloatField(null=True, blank=True,
                                      help_text="Flesch-Kincaid grade of the body text.")
    anchor_moves = models.JSONField(
        default=dict, help_text="Old heading id -> current one, so old #links still land (issue #4).")

    # Bookkeeping for the loader.
    source_path = models.CharField(max_length=500, unique=True,
                                   help_text="Path relative to the content folder.")
    content_hash = models.CharField(max_length=64)
    face_hash = models.CharField(
        max_length=64,
        help_text="Hash of what other pages show of this one (title, aliases, anchors): "
                  "when it changes, pages that link here are rendered again.")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    see_also = models.ManyToManyField("self", symmetrical=False, related_name="see_also_from",
                                      blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            # The home page's "Recently reviewed": without it, finding the newest
            # five read every article row, body included (issue #8).
            models.Index(fields=["-last_reviewed", "title"], name="kb_article_reviewed"),
            # Every reload reads these of every article (kb/ingest/loader.py); they
            # sit after body_html in the row, so without a covering index the
            # query reads every page's HTML (0.23 -> 0.05 s at 10,000; issue #8).
            models.Index(fields=["slug", "kind", "title", "source_path", "content_hash",
                                 "face_hash", "last_reviewed"], name="kb_article_load_state"),
        ]

    def __str__(self):
        return self.title

    @property
    def kind_info(self):
        return kinds.get(self.kind)

    def get_absolute_url(self):
        # The "article" route of kb/urls.py, built without reverse(): pages
        # list hundreds of articles and reverse() cost ~0.1 ms each (issue #8).
        # Same shape as the links in bodies (kb/ingest/graph.article_url);
        # tests/test_views.py checks that both agree with reverse().
        return f"{get_script_prefix()}{self.kind}/{self.slug}/"

    @property
    def reading_minutes(self):
        return max(1, round(self.word_count / 200))


class Biomarker(Article):
    gene = models.CharField(max_length=40, blank=True)


class Mechanism(Article):
    CATEGORIES = [
        ("immune-effector", "Immune effector functions"),
        ("direct", "Direct effects on the cell"),
        ("enzymatic", "Enzyme effects"),
        ("immunomodulatory", "Changing the immune environment"),
        ("cellular", "Cell therapy"),
        ("resistance", "Resistance"),
    ]
    category = models.CharField(max_length=32, choices=CATEGORIES)


class TherapyClass(Article):
    ROLES = [("cd38-directed", "Directed at CD38"), ("partner", "Partner drugs")]
    role = models.CharField(max_length=32, choices=ROLES)


class Therapy(Article):
    STATUSES = [("approved", "Approved"), ("investigational", "Investigational"),
                ("discontinued", "Discontinued")]
    status = models.CharField(max_length=32, choices=STATUSES)
    therapy_class = models.ForeignKey(TherapyClass, on_delete=models.PROTECT,
                                      related_name="therapies")
    targets = models.ManyToManyField(Biomarker, related_name="therapies", blank=True)
    mechanisms = models.ManyToManyField(Mechanism, related_name="therapies", blank=True)


SETTINGS = [
    ("newly-diagnosed-transplant-eligible", "Newly diagnosed, transplant-eligible"),
    ("newly-diagnosed-transplant-ineligible", "Newly diagnosed, transplant-ineligible"),
    ("relapsed-refractory", "Relapsed or refractory"),
    ("smoldering", "High-risk smoldering myeloma"),
    ("al-amyloidosis", "AL amyloidosis"),
    ("maintenance", "Maintenance"),
]
SETTING_LABELS = dict(SETTINGS)


class Combination(Article):
    settings = models.JSONField(default=list)
    components = models.ManyToManyField(Therapy, related_name="combinations")

    def setting_labels(self):
        return [SETTING_LABELS[s] for s in self.settings]


class Trial(Article):
    PHASES = [("1", "Phase 1"), ("1/2", "Phase 1/2"), ("2", "Phase 2"), ("3", "Phase 3")]
    phase = models.CharField(max_length=8, choices=PHASES)
    setting = models.CharField(max_length=64, choices=SETTINGS)
    tests = models.ManyToManyField(Article, related_name="tested_in")
    comparator = models.CharField(max_length=300, blank=True)
    prior_lines = models.CharField(max_length=60, blank=True)
    nct = models.CharField(max_length=20, blank=True)
    enrolled = models.PositiveIntegerField(null=True, blank=True)
    primary_endpoint = models.CharField(max_length=300, blank=True)
    arms = models.JSONField(default=list)
    outcomes = models.JSONField(default=list)


class Topic(Article):
    pass


class GlossaryTerm(Article):
    matches = models.JSONField(default=list, help_text="Phrases linked to this entry in other pages.")


# Which child model stores each kind.
MODEL_FOR_KIND = {
    "biomarkers": Biomarker,
    "mechanisms": Mechanism,
    "therapy-classes": TherapyClass,
    "therapies": Therapy,
    "combinations": Combination,
    "trials": Trial,
    "topics": Topic,
    "glossary": GlossaryTerm,
}


class TsVectorField(models.Field):
    """A PostgreSQL tsvector column (plain text elsewhere; SQLite uses FTS5)."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


class Section(models.Model):
    """A heading and the text under it (down to the next heading).

    Anchors make deep links; the plain text feeds search (issue #5).
    """
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    anchor = models.CharField(max_length=200)
    heading = models.CharField(max_length=300)
    level = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)
    search_vector = TsVectorField(null=True, editable=False)
    # The title, aliases (weight A) and heading (weight B) alone, for the name
    # tier of search on PostgreSQL: its GIN index holds no weights, so asking
    # search_vector for a name read every section whose text had the word
    # (kb/search/postgres.py, BENCHMARKS.md "PostgreSQL at 10,000 articles").
    names_vector = TsVectorField(null=True, editable=False)

    class Meta:
        ordering = ["article", "position"]
        constraints = [models.UniqueConstraint(fields=["article", "anchor"],
                                               name="unique_section_anchor")]

    def __str__(self):
        return f"{self.article.slug}#{self.anchor}"


class Reference(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="references")
    position = models.PositiveIntegerField()
    key = models.CharField(max_length=100)
    citation = models.TextField()
    doi = models.CharField(max_length=200, blank=True)
    pmid = models.CharField(max_length=20, blank=True)
    url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["article", "position"]
        constraints = [models.UniqueConstraint(fields=["article", "key"],
                                               name="unique_reference_key")]

    @property
    def number(self):
        return self.position + 1

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""


class Alias(models.Model):
    """Another name of an article: from front matter, or an old slug the loader saw."""
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    automatic = models.BooleanField(default=False, help_text="An old slug recorded by the loader.")

    class Meta:
        ordering = ["name"]


class Link(models.Model):
    """An in-text [[link]]: the graph behind "Pages that link here"."""
    source = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="outgoing_links")
    target = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="incoming_links")
    target_anchor = models.CharField(max_length=200, blank=True)
    source_anchor = models.CharField(max_length=200, blank=True,
                                     help_text="The section of the source the link stands in.")
    source_heading = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["source", "position"]


class Approval(models.Model):
    AGENCY_TYPES = [("accelerated", "Accelerated"), ("regular", "Regular"),
                    ("conversion", "Conversion to regular")]
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="approvals")
    position = models.PositiveIntegerField()
    agency = models.CharField(max_length=40)
    date = models.DateField()
    # Blank when the source gives the date but not the kind of approval:
    # better "not stated" than a guess (medical review, issue #3).
    type = models.CharField(max_length=20, choices=[("", "Not stated"), *AGENCY_TYPES],
                            blank=True)
    setting = models.CharField(max_length=64, choices=SETTINGS)
    summary = models.TextField(blank=True)
    basis = models.ManyToManyField(Trial, related_name="supported_approvals", blank=True)
    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["date", "position"]


class ContentLoad(models.Model):
    """One applied load: what /changes/ lists (issue #9)."""
    finished_at = models.DateTimeField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=list, help_text="[{action, kind, slug, title}]")

    class Meta:
        ordering = ["-finished_at"]
        indexes = [
            # Every page request asks for the newest load (kb/conditional.py), and
            # a load is added by every reload: without it that is a sort of them all.
            models.Index(fields=["-finished_at", "-id"], name="kb_contentload_newest"),
        ]
