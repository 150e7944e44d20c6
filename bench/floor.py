"""Child process: the floor, and where the loader's own time goes, per article.

    floor.py CORPUS [--sample K] [--floor-only]

The floor is what any Python site generator pays for these pages in one
process: PyYAML for the front matter (with libyaml, as the loader and the
issue's own figure of ~0.7 ms use it; the pure-Python parser is timed too),
Python-Markdown with the extensions our loader uses (none of ours), and
``bleach.clean`` with an allowlist of the same size. Nothing from ``kb`` is
imported for it.

The stages are the loader's own steps, timed one by one in one process on the
same articles (``records.read``; in ``Renderer.render``: ``md.convert`` with
our extension, ``sanitize.clean_tree``, ``reading_grade``), so the ratio of a full
load to the floor can be explained step by step.

``--sample K`` times K articles spread evenly over the corpus (all of them
when K is 0); the stages still read every file, as the index needs them all.
``--floor-only`` leaves the stages out: bench/run.py times the floor just
before and just after a full load with it, as this machine's speed drifts
by up to 40% within minutes (BENCHMARKS.md, "Noise").
"""
import argparse
import statistics
import time
from pathlib import Path

from common import django_setup, emit

EXTENSIONS = ["tables", "footnotes", "attr_list", "def_list", "admonition", "sane_lists", "toc"]
TAGS = {"p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "a", "ul", "ol", "li", "dl", "dt",
        "dd", "table", "thead", "tbody", "tr", "th", "td", "caption", "code", "pre", "em",
        "strong", "b", "i", "blockquote", "img", "sup", "sub", "abbr", "div", "span", "del",
        "ins", "kbd", "small", "figure", "figcaption", "details", "summary"}
ATTRIBUTES = {"*": ["class", "id"], "a": ["href", "title", "rel"], "img": ["src", "alt", "title"],
              "th": ["align"], "td": ["align"], "abbr": ["title"], "ol": ["start"]}

# CPU time of this (single-threaded) process: what the step costs, whatever else
# the machine is doing (wall time on a shared machine says more about the others).
now = time.process_time


def sample(files, k):
    if not k or k >= len(files):
        return files
    step = len(files) / k
    return [files[int(i * step)] for i in range(k)]


def split(text):
    head, _, body = text[4:].partition("\n---\n")
    return head, body


def floor(paths):
    import bleach
    import markdown
    import yaml

    md = markdown.Markdown(extensions=EXTENSIONS, output_format="html",
                           extension_configs={"toc": {"permalink": "¶"}})
    times = {"yaml": [], "yaml_libyaml": [], "markdown": [], "bleach": []}
    sizes = []
    for path in paths:
        head, body = split(path.read_text(encoding="utf-8"))
        began = now()
        yaml.safe_load(head)
        times["yaml"].append(now() - began)
        began = now()
        yaml.load(head, Loader=yaml.CSafeLoader)
        times["yaml_libyaml"].append(now() - began)
        began = now()
        md.reset()
        html = md.convert(body)
        times["markdown"].append(now() - began)
        began = now()
        bleach.clean(html, tags=TAGS, attributes=ATTRIBUTES, protocols={"http", "https", "mailto"})
        times["bleach"].append(now() - began)
        sizes.append(len(html))
    result = {f"{name}_ms": _ms(values) for name, values in times.items()}
    result["total_ms"] = floor_ms(result)
    result["html_kb"] = round(statistics.mean(sizes) / 1024, 1)
    return result


def floor_ms(floor):
    """The floor per article: libyaml + Markdown + bleach.

    Until 2026-11-27 (third session) the pure-Python YAML parser was counted
    (~4.3 ms more), which made every ratio to the floor look better than it is.
    """
    return round(floor["yaml_libyaml_ms"] + floor["markdown_ms"] + floor["bleach_ms"], 2)


def stages(corpus, paths):
    django_setup()
    from kb.ingest import graph, loader, render as render_mod, sanitize
    from kb.ingest.render import Renderer

    began = now()
    found, errors = loader.read_all(corpus, 10 ** 9)
    read_s = now() - began
    index, _ = graph.build_index(found)
    graph.check_relations(found, index)
    renderer = Renderer(index.resolve, index.suggest, index.glossary)
    by_path = {record.path: record for record in found}

    # convert: Markdown to its element tree (render.parse_tree); clean: the
    # tree walked through bleach's filter (sanitize.clean_tree), or, for a
    # page with raw HTML, Markdown's string through bleach.clean.
    times = {"convert": [], "clean": [], "grade": []}
    originals = (render_mod.parse_tree, sanitize.clean_tree, sanitize.clean,
                 render_mod.reading_grade)

    def timed(name, function):
        def wrapper(*args):
            began = now()
            value = function(*args)
            times[name].append(now() - began)
            return value
        return wrapper

    render_mod.parse_tree = timed("convert", originals[0])
    sanitize.clean_tree = timed("clean", originals[1])
    sanitize.clean = timed("clean", originals[2])
    render_mod.reading_grade = timed("grade", originals[3])
    totals, sizes = [], []
    try:
        for path in paths:
            record = by_path[path.relative_to(corpus).as_posix()]
            began = now()
            rendered = renderer.render(record)
            totals.append(now() - began)
            sizes.append(len(rendered.html))
    finally:
        (render_mod.parse_tree, sanitize.clean_tree, sanitize.clean,
         render_mod.reading_grade) = originals
    result = {"read_ms": round(read_s * 1000 / len(found), 2), "render_ms": _ms(totals),
              "html_kb": round(statistics.mean(sizes) / 1024, 1),
              "glossary_phrases": sum(len(e.phrases) for e in index.glossary)}
    result.update({f"{name}_ms": _ms(values) for name, values in times.items()})
    result["total_ms"] = round(result["read_ms"] + result["render_ms"], 2)
    return result


def _ms(values):
    return round(statistics.mean(values) * 1000, 2) if values else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="articles to time (0: all)")
    parser.add_argument("--floor-only", action="store_true", help="time the floor alone")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    paths = sample(sorted(corpus.rglob("*.md")), args.sample)
    result = {"articles": len(paths), "floor": floor(paths)}
    if not args.floor_only:
        result["stages"] = stages(corpus, paths)
    emit(result)


if __name__ == "__main__":
    main()
