"""The knowledge map's graph: CD38 -> mechanisms -> therapies -> combinations -> trials."""
from dataclasses import dataclass

from kb.evidence import format as fmt
from kb.models import Article, Biomarker, Combination, Therapy, Trial


@dataclass
class MapRow:
    """One CD38 therapy and what hangs off it: the map as a table."""
    therapy: Therapy
    mechanisms: list
    combinations: list        # [(combination, [trials])]
    trials: list              # trials of the therapy on its own


def map_graph(root_slug="cd38"):
    """CD38 -> mechanisms -> therapies -> combinations -> trials.

    Returns ``{"nodes": [(key, article, label, column)], "edges": [(key, key)],
    "rows": [MapRow]}``; keys are article slugs. Five queries.
    """
    root = Biomarker.objects.for_listing().filter(slug=root_slug).first()
    if root is None:
        return {"nodes": [], "edges": [], "rows": []}
    therapies = list(Therapy.objects.filter(targets=root).for_listing().order_by("title"))
    therapy_ids = [t.pk for t in therapies]
    mechanism_links = list(Therapy.mechanisms.through.objects.filter(
        therapy_id__in=therapy_ids).values_list("therapy_id", "mechanism_id"))
    component_links = list(Combination.components.through.objects.filter(
        therapy_id__in=therapy_ids).values_list("combination_id", "therapy_id"))
    combination_ids = {c for c, _ in component_links}
    test_links = list(Trial.tests.through.objects.filter(
        article_id__in=set(therapy_ids) | combination_ids).values_list("trial_id", "article_id"))
    other_ids = ({m for _, m in mechanism_links} | combination_ids | {t for t, _ in test_links})
    articles = {a.pk: a for a in Article.objects.filter(pk__in=other_ids).for_listing()}
    articles.update({t.pk: t for t in therapies})
    articles[root.pk] = root

    nodes, edges = {}, []

    def node(pk, column):
        article = articles[pk]
        nodes.setdefault(article.slug, (article.slug, article, fmt.short_title(article), column))
        return article.slug

    node(root.pk, 0)
    for therapy_id, mechanism_id in mechanism_links:
        mechanism = node(mechanism_id, 1)
        if (root.slug, mechanism) not in edges:
            edges.append((root.slug, mechanism))
        edges.append((mechanism, node(therapy_id, 2)))
    for therapy in therapies:
        node(therapy.pk, 2)
    for combination_id, therapy_id in component_links:
        edges.append((node(therapy_id, 2), node(combination_id, 3)))
    for trial_id, article_id in test_links:
        edges.append((node(article_id, 2 if article_id in therapy_ids else 3), node(trial_id, 4)))

    for article in articles.values():
        article.short_name = fmt.short_title(article)

    def by_title(ids):
        return sorted((articles[pk] for pk in set(ids)), key=lambda a: a.title)

    rows = []
    for therapy in therapies:
        combos = by_title(c for c, t in component_links if t == therapy.pk)
        rows.append(MapRow(
            therapy,
            by_title(m for t, m in mechanism_links if t == therapy.pk),
            [(c, by_title(tr for tr, a in test_links if a == c.pk)) for c in combos],
            by_title(tr for tr, a in test_links if a == therapy.pk)))
    return {"nodes": list(nodes.values()), "edges": edges, "rows": rows}
