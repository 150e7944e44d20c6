"""Two combinations or two therapies side by side (the /compare/ page)."""
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

from kb.evidence import data
from kb.evidence import format as fmt
from kb.models import SETTING_LABELS, Article, Combination, Section, Therapy

SIDE_EFFECTS = re.compile(r"side effects", re.IGNORECASE)
EXCERPT_CHARS = 420


@dataclass
class Component:
    therapy: Therapy
    mechanisms: list


@dataclass
class Side:
    article: Article
    name: str
    components: list = field(default_factory=list)     # [Component]
    settings: list = field(default_factory=list)       # [(value, label)]
    approvals: list = field(default_factory=list)      # [data.ApprovalRow]
    trials: list = field(default_factory=list)         # [data.TrialSummary]
    side_effects: object = None                        # SideEffects or None

    @property
    def mechanisms(self):
        seen = {}
        for component in self.components:
            for mechanism in component.mechanisms:
                seen.setdefault(mechanism.pk, mechanism)
        return sorted(seen.values(), key=lambda m: m.title)

    @property
    def estimates(self):
        return [e for t in self.trials for e in t.hazard_ratios("pfs")]


@dataclass
class SideEffects:
    url: str
    heading: str
    excerpt: str       # safe HTML: text, with [n] turned into links to the reference


def choices():
    """The options of the compare form: (group label, [(slug, title)])."""
    rows = Article.objects.filter(kind__in=("combinations", "therapies")).for_listing()
    grouped = {"combinations": [], "therapies": []}
    for article in rows.order_by("title"):
        grouped[article.kind].append((article.slug, article.title))
    return [("Combinations", grouped["combinations"]), ("Therapies", grouped["therapies"])]


def side(slug, regimens=None):
    """Everything the compare page shows of one combination or therapy."""
    base = Article.objects.filter(slug=slug, kind__in=("combinations", "therapies")).first()
    if base is None:
        return None
    regimens = regimens or data.Regimens()
    if base.kind == "combinations":
        article = Combination.objects.get(pk=base.pk)
        therapies = list(article.components.prefetch_related("mechanisms").select_related(
            "therapy_class"))
        therapies.sort(key=lambda t: (not data.is_antibody(t), t.title))
    else:
        article = Therapy.objects.select_related("therapy_class").get(pk=base.pk)
        therapies = [Therapy.objects.prefetch_related("mechanisms").get(pk=base.pk)]
    result = Side(article, fmt.short_title(article))
    result.components = [Component(t, sorted(t.mechanisms.all(), key=lambda m: m.title))
                         for t in therapies]
    trials = sorted(data.trials_for_article(article),
                    key=lambda t: (data.SETTING_ORDER.get(t.setting, 99), t.title))
    result.trials = data.trial_summaries(trials, regimens)
    result.approvals = data.approvals_for_article(article)
    if article.kind == "combinations":
        settings = list(article.settings)
    else:
        settings = sorted({t.setting for t in trials} | {a.approval.setting
                                                         for a in result.approvals},
                          key=lambda v: data.SETTING_ORDER.get(v, 99))
    result.settings = [(v, SETTING_LABELS.get(v, v)) for v in settings]
    result.side_effects = side_effects(article)
    return result


def side_effects(article):
    """The start of the page's side-effects section, its citations still linked."""
    section = next((s for s in Section.objects.filter(article=article).only(
        "anchor", "heading", "text", "level") if SIDE_EFFECTS.search(s.heading)), None)
    if section is None:
        return None
    text = section.text
    if len(text) > EXCERPT_CHARS:
        cut = text.rfind(". ", 0, EXCERPT_CHARS)
        # Keep the citations that follow the last kept sentence: "... 35.3% [6]."
        end = cut + 1 if cut > 80 else EXCERPT_CHARS
        tail = re.match(r"(\s*\[\d+\])+", text[end:])
        text = text[:end] + (tail.group(0) if tail else "") + " …"
    keys = {ref.number: ref.key for ref in article.references.all()}
    url = article.get_absolute_url()

    def link(match):
        key = keys.get(int(match.group(1)))
        if key is None:
            return match.group(0)
        return f'<a href="{url}#ref-{key}">[{match.group(1)}]</a>'

    html = re.sub(r"\[(\d+)\]", link, str(escape(text)))
    return SideEffects(f"{url}#{section.anchor}", section.heading, mark_safe(html))
