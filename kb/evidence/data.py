"""Trials, hazard ratios and approvals shaped for tables and figures.

The corpus is small (tens of trials), and the values that order and filter
the evidence table live inside JSON (``Trial.outcomes``), so rows are
fetched in a fixed number of queries and then filtered and sorted in Python
rather than with JSON lookups that differ between SQLite and PostgreSQL.
"""
import json
from dataclasses import dataclass, field

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from kb.evidence import format as fmt
from kb.models import (SETTINGS, SETTING_LABELS, Approval, Article, Combination, Reference,
                       Therapy, Trial)
from kb.prepared import prepared_rows

SETTING_ORDER = {value: index for index, (value, _) in enumerate(SETTINGS)}
PHASE_ORDER = {value: index for index, (value, _) in enumerate(Trial.PHASES)}
ANTIBODY_ROLE = "cd38-directed"


@dataclass(frozen=True)
class Estimate:
    """One hazard ratio from one publication of one trial."""
    trial_slug: str
    trial_name: str
    trial_url: str
    setting: str
    regimen: str          # the experimental arm, short: "D-Rd"
    control: str          # the control arm, short: "Rd"
    endpoint: str
    value: float
    ci: tuple = None
    ci_level: float = None
    analysis: str = ""
    note: str = ""
    followup_months: float = None
    reference_key: str = ""
    reference_number: int = None
    reference_citation: str = ""
    source: str = ""      # "Facon 2019"

    @property
    def source_url(self):
        return f"{self.trial_url}#ref-{self.reference_key}"

    @property
    def value_text(self):
        return fmt.number(self.value)

    @property
    def interval_text(self):
        return fmt.interval(self.ci, self.ci_level)

    @property
    def level_text(self):
        return fmt.level(self.ci_level)

    @property
    def usual_level(self):
        """95%: the level a phone-width figure leaves unsaid (its heading states it)."""
        return self.ci_level == 95

    @property
    def bounds_text(self):
        return f"{fmt.number(self.ci[0])}–{fmt.number(self.ci[1])}" if self.ci else ""

    @property
    def summary(self):
        """"0.56 (95% CI 0.43–0.73)"."""
        return f"{self.value_text} ({self.interval_text})" if self.ci else self.value_text

    @property
    def includes_one(self):
        return bool(self.ci) and self.ci[0] <= 1 <= self.ci[1]

    @property
    def comparison(self):
        return f"{self.regimen} vs {self.control}" if self.control else self.regimen

    @property
    def analysis_label(self):
        return fmt.ANALYSES.get(self.analysis, "")


@dataclass
class Result:
    """Any outcome, as words, with the reference it comes from."""
    text: str
    source: str
    url: str
    number: int = None
    note: str = ""
    analysis: str = ""
    followup_months: float = None

    @property
    def analysis_label(self):
        return fmt.ANALYSES.get(self.analysis, "")

    @property
    def followup_text(self):
        return f"{self.followup_months:g} months" if self.followup_months else ""


@dataclass
class TrialSummary:
    trial: Trial
    regimens: list = field(default_factory=list)     # tested combinations / therapies
    antibodies: list = field(default_factory=list)   # CD38-directed therapies in them
    partners: list = field(default_factory=list)     # the other drugs in them
    estimates: list = field(default_factory=list)    # every hazard ratio
    results: list = field(default_factory=list)      # every outcome, as Result

    @property
    def name(self):
        return fmt.short_title(self.trial)

    @property
    def setting_label(self):
        return SETTING_LABELS.get(self.trial.setting, self.trial.setting)

    @property
    def pfs(self):
        return next((e for e in self.estimates if e.endpoint == "pfs"), None)

    @property
    def os(self):
        return next((e for e in self.estimates if e.endpoint == "os"), None)

    def hazard_ratios(self, endpoint="pfs"):
        return [e for e in self.estimates if e.endpoint == endpoint]


def experimental_and_control(trial, tested_slugs=()):
    """Short labels of the experimental arm and of the control arm ("" if none)."""
    arms = trial.arms or []
    if not arms:
        return "", ""
    experimental = next((a for a in arms if a.get("regimen") in tested_slugs), None) \
        or next((a for a in arms if a.get("regimen")), arms[0])
    control = next((a for a in arms if a is not experimental), None)
    return fmt.short_arm(experimental["label"]), fmt.short_arm(control["label"]) if control else ""


def estimates_for(trial, references, endpoints=None, tested_slugs=()):
    """Hazard ratios of ``trial`` (``references``: key -> Reference)."""
    regimen, control = experimental_and_control(trial, tested_slugs)
    url = trial.get_absolute_url()
    rows = []
    for outcome in trial.outcomes or []:
        if outcome.get("measure") != "hazard-ratio" or "value" not in outcome:
            continue
        if endpoints and outcome["endpoint"] not in endpoints:
            continue
        ref = references.get(outcome["reference"])
        rows.append(Estimate(
            trial_slug=trial.slug, trial_name=fmt.short_title(trial), trial_url=url,
            setting=trial.setting, regimen=regimen, control=control,
            endpoint=outcome["endpoint"], value=outcome["value"],
            ci=tuple(outcome["ci"]) if outcome.get("ci") else None,
            ci_level=outcome.get("ci_level"), analysis=outcome.get("analysis", ""),
            note=outcome.get("note", ""), followup_months=outcome.get("followup_months"),
            reference_key=outcome["reference"],
            reference_number=ref.number if ref else None,
            reference_citation=ref.citation if ref else "",
            source=fmt.source_label(ref, outcome.get("note", "")),
        ))
    return rows


def results_for(trial, references):
    url = trial.get_absolute_url()
    results = []
    for outcome in trial.outcomes or []:
        ref = references.get(outcome["reference"])
        results.append(Result(fmt.outcome_text(trial, outcome),
                              fmt.source_label(ref, outcome.get("note", "")),
                              f"{url}#ref-{outcome['reference']}",
                              ref.number if ref else None, outcome.get("note", ""),
                              outcome.get("analysis", ""), outcome.get("followup_months")))
    return results


def references_by_trial(trial_ids):
    grouped = {}
    for ref in Reference.objects.filter(article_id__in=trial_ids):
        grouped.setdefault(ref.article_id, {})[ref.key] = ref
    return grouped


class Regimens:
    """Every combination and therapy with the drugs in it (three queries).

    ``therapies_in(article_id)`` is a combination's components, or the
    therapy itself; each therapy knows whether it is CD38-directed.
    """

    def __init__(self):
        self.therapies = {t.pk: t for t in Therapy.objects.select_related("therapy_class").only(
            "id", "kind", "slug", "title", "summary", "therapy_class__role",
            "therapy_class__title", "therapy_class__slug", "therapy_class__kind")}
        self.articles = {a.pk: a for a in Article.objects.filter(
            kind__in=("combinations", "therapies")).for_listing()}
        for article in self.articles.values():
            article.short_name = fmt.short_title(article)
        self.components = {}
        for combination_id, therapy_id in Combination.components.through.objects.values_list(
                "combination_id", "therapy_id"):
            self.components.setdefault(combination_id, []).append(self.therapies[therapy_id])
        for members in self.components.values():
            members.sort(key=lambda t: (not is_antibody(t), t.title))

    def therapies_in(self, article_id):
        if article_id in self.therapies:
            return [self.therapies[article_id]]
        return self.components.get(article_id, [])


def is_antibody(therapy):
    return therapy.therapy_class.role == ANTIBODY_ROLE


def trial_summaries(trials=None, regimens=None):
    """A TrialSummary for each trial (all trials by default), in a fixed number of queries."""
    if trials is None:
        trials = Trial.objects.defer("body_html", "toc")
    trials = list(trials)
    regimens = regimens or Regimens()
    ids = [t.pk for t in trials]
    tested = {}
    for trial_id, article_id in Trial.tests.through.objects.filter(
            trial_id__in=ids).values_list("trial_id", "article_id"):
        tested.setdefault(trial_id, []).append(article_id)
    references = references_by_trial(ids)
    summaries = []
    for trial in trials:
        articles = sorted((regimens.articles[pk] for pk in tested.get(trial.pk, [])
                           if pk in regimens.articles), key=lambda a: (a.kind, a.title))
        drugs = []
        for article in articles:
            for therapy in regimens.therapies_in(article.pk):
                if therapy not in drugs:
                    drugs.append(therapy)
        refs = references.get(trial.pk, {})
        slugs = [a.slug for a in articles]
        summaries.append(TrialSummary(
            trial=trial, regimens=articles,
            antibodies=[t for t in drugs if is_antibody(t)],
            partners=sorted((t for t in drugs if not is_antibody(t)), key=lambda t: t.title),
            estimates=estimates_for(trial, refs, tested_slugs=slugs),
            results=results_for(trial, refs),
        ))
    return summaries


# Filtering and sorting the evidence table -----------------------------------

SORT_KEYS = {
    # key: (column label, value of a TrialSummary)
    "trial": ("Trial", lambda s: s.name.lower()),
    "phase": ("Phase", lambda s: PHASE_ORDER.get(s.trial.phase)),
    "setting": ("Setting", lambda s: SETTING_ORDER.get(s.trial.setting)),
    "regimen": ("Regimen", lambda s: fmt.short_title(s.regimens[0]).lower() if s.regimens
                else None),
    "patients": ("Patients", lambda s: s.trial.enrolled),
    "pfs": ("PFS hazard ratio", lambda s: s.pfs.value if s.pfs else None),
    "os": ("OS hazard ratio", lambda s: s.os.value if s.os else None),
}
DEFAULT_SORT = "setting"


def parse_sort(value):
    """"-pfs" -> ("pfs", True); unknown keys fall back to the default order."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORT_KEYS:
        return DEFAULT_SORT, False
    return key, descending


def sort_summaries(summaries, key, descending=False):
    value = SORT_KEYS[key][1]
    # Ties keep a stable, readable order: by setting, then trial name.
    ordered = sorted(summaries, key=lambda s: (SETTING_ORDER.get(s.trial.setting, 99),
                                               s.name.lower()))
    if key == "setting" and not descending:
        return ordered
    present = [s for s in ordered if value(s) is not None]
    missing = [s for s in ordered if value(s) is None]
    return sorted(present, key=value, reverse=descending) + missing


def filter_summaries(summaries, setting="", antibody="", partner=""):
    rows = summaries
    if setting:
        rows = [s for s in rows if s.trial.setting == setting]
    if antibody:
        rows = [s for s in rows if antibody in {t.slug for t in s.antibodies}]
    if partner:
        rows = [s for s in rows if partner in {t.slug for t in s.partners}]
    return rows


def filter_choices(summaries):
    """The settings, antibodies and partner drugs that occur in the trials."""
    settings = sorted({s.trial.setting for s in summaries}, key=lambda v: SETTING_ORDER.get(v, 99))
    antibodies, partners = {}, {}
    for summary in summaries:
        antibodies.update({t.slug: t.title for t in summary.antibodies})
        partners.update({t.slug: t.title for t in summary.partners})
    return {
        "setting": [(v, SETTING_LABELS.get(v, v)) for v in settings],
        "antibody": sorted(antibodies.items(), key=lambda item: item[1]),
        "partner": sorted(partners.items(), key=lambda item: item[1]),
    }


# Approvals ---------------------------------------------------------------------

@dataclass
class ApprovalRow:
    approval: Approval
    regimen: Article          # the combination or therapy it belongs to
    therapies: list

    @property
    def name(self):
        return fmt.short_title(self.regimen)

    @property
    def setting_label(self):
        return SETTING_LABELS.get(self.approval.setting, self.approval.setting)

    @property
    def source_url(self):
        return f"{self.regimen.get_absolute_url()}#ref-{self.approval.reference.key}"

    @property
    def basis(self):
        trials = list(self.approval.basis.all())
        for trial in trials:
            trial.short_name = fmt.short_title(trial)
        return trials


def approval_rows(queryset=None, regimens=None):
    if queryset is None:
        queryset = Approval.objects.all()
    queryset = (queryset.select_related("article", "reference")
                .prefetch_related("basis").order_by("date", "position"))
    rows = []
    for approval in queryset:
        therapies = regimens.therapies_in(approval.article_id) if regimens else []
        rows.append(ApprovalRow(approval, approval.article, therapies))
    return rows


def filter_approvals(rows, setting="", antibody="", partner=""):
    if setting:
        rows = [r for r in rows if r.approval.setting == setting]
    if antibody:
        rows = [r for r in rows if antibody in {t.slug for t in r.therapies}]
    if partner:
        rows = [r for r in rows if partner in {t.slug for t in r.therapies}]
    return rows


# What an article page shows -------------------------------------------------------

def trials_for_article(article):
    """Trials that test a combination, or a therapy alone or in a combination.

    Each way in is an ``id IN (subquery)`` of index look-ups: one OR over the
    joins made SQLite scan every trial (13 ms at 10,000 articles against 1 ms).
    """
    if article.kind == "combinations":
        ways = [Q(tests=article)]
    elif article.kind == "therapies":
        ways = [Q(tests=article), Q(tests__combination__components=article)]
    else:
        return Trial.objects.none()
    condition = Q()
    for way in ways:
        condition |= Q(pk__in=Trial.objects.filter(way).values("pk"))
    return Trial.objects.filter(condition).defer("body_html", "toc")


# What a forest plot reads of a reference and of its trial; the trial's JSON
# comes as text and is decoded once per trial, not once per reference.
_ESTIMATE_COLUMNS = ("article_id", "key", "citation", "position", "article__kind",
                     "article__slug", "article__title", "article__trial__setting")


def _trial_references(kind):
    """The references of the trials behind a page, each with its trial (one query)."""
    def build(pk):
        trials = trials_for_article(Article(pk=pk, kind=kind)).values("pk")
        return (Reference.objects.filter(article__in=trials).order_by()
                .annotate(trial_arms=Cast("article__trial__arms", TextField()),
                          trial_outcomes=Cast("article__trial__outcomes", TextField()))
                .values_list(*_ESTIMATE_COLUMNS, "trial_arms", "trial_outcomes"))
    return build


def _json(text):
    return json.loads(text) if text is not None else None


def estimates_for_article(article, references=None):
    """The hazard ratios a page's forest plot shows.

    A trial page: every hazard ratio of that trial (PFS, OS, ...), from the
    references the page already holds. Combination and therapy pages: the
    PFS hazard ratios of the trials behind them, in one query: each trial
    comes with its references, which name the publications (article pages
    keep a fixed, small query budget, tests/test_views.py). Plain columns,
    not model rows: a trial's JSON decoded once per reference, and three
    model instances per row, were a quarter of a therapy page's time at
    10,000 articles (issue #8).
    """
    if article.kind == "trials":
        refs = {r.key: r for r in (references if references is not None
                                   else article.references.all())}
        return estimates_for(article, refs)
    by_trial = {}
    for (trial_id, key, citation, position, kind, slug, title, setting, arms,
         outcomes) in prepared_rows(f"estimates:{article.kind}", _trial_references(article.kind),
                                    article.pk):
        if trial_id not in by_trial:
            by_trial[trial_id] = (Trial(id=trial_id, kind=kind, slug=slug, title=title,
                                        setting=setting, arms=_json(arms),
                                        outcomes=_json(outcomes)), {})
        by_trial[trial_id][1][key] = Reference(article_id=trial_id, key=key, citation=citation,
                                               position=position)
    by_trial = list(by_trial.values())
    # The slug settles ties between trials of the same title (generated corpora have them).
    ordered = sorted(by_trial, key=lambda item: (SETTING_ORDER.get(item[0].setting, 99),
                                                 item[0].title, item[0].slug))
    estimates = []
    for trial, refs in ordered:
        estimates += estimates_for(trial, refs, endpoints=("pfs",),
                                   tested_slugs=(article.slug,) if article.kind == "combinations"
                                   else ())
    return estimates


def approvals_for_article(article):
    """A combination's approvals; a therapy's own and those of combinations with it."""
    if article.kind == "combinations":
        queryset = Approval.objects.filter(article=article)
    elif article.kind == "therapies":
        queryset = Approval.objects.filter(
            Q(article=article) | Q(article__combination__components=article)).distinct()
    else:
        return []
    return approval_rows(queryset)

