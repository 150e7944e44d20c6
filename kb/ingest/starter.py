"""The starting file ``new_article KIND SLUG`` writes (issue #9).

Generated from the schema's data (``kb.ingest.schema``), so every key the
kind may have is listed, with its help, and the file can never drift from
what the checks accept. Required keys get values that pass ``check_content``
as written (relations name pages that exist), so an editor can preview the
page at once; optional keys are commented out with an example.
"""
import json
import re
from textwrap import indent

from django.utils import timezone

from kb import kinds
from kb.ingest import schema

PLAIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,.()'/-]*$")
YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}

BODY = """\
<!-- Write the page here; this comment is not shown. Start with what a worried
     patient most needs to know, in short sentences and everyday words.
     Link another page with [[slug]] or [[slug#heading-id|your words]];
     cite a source right after the claim with [@reference-id]: every number,
     date, approval and trial result needs one. Give headings an id that other
     pages and handouts can rely on: ## Side effects {#side-effects}.
     Guide: content/README.md -->

{title} is ...

## What it is {#what-it-is}

...
"""


def starter_file(kind, slug, records=(), title=None, today=None):
    """The text of a new ``kind`` article called ``slug``; ``records`` are the site's
    current articles (``kb.ingest.records.Record``), for relation placeholders."""
    title = title or slug.replace("-", " ").capitalize()
    today = today or timezone.localdate()
    by_kind = {}
    for record in records:
        if not record.broken:
            by_kind.setdefault(record.kind, []).append(record.slug)
    lines = [
        "---",
        f"# A new {kinds.get(kind).singular.lower()} page. Every key it may have is listed; lines",
        "# starting with '#' are comments. Required keys hold placeholders that pass",
        "# check_content: replace them. Uncomment an optional key to use it.",
        "# The editors' guide: content/README.md",
    ]
    for key, spec in schema.fields_for(kind).items():
        lines.append("")
        lines.append(f"# {key} ({_describe(key, spec)}){': ' + spec.help if spec.help else ''}")
        value = _value(key, spec, title, slug, today, by_kind)
        block = key in schema.EXAMPLES
        text = f"{key}:\n{indent(schema.EXAMPLES[key], '  ')}" if block else f"{key}: {value}"
        if spec.required and not block:
            lines.append(text)
        else:
            lines.extend("# " + line for line in text.split("\n"))
    lines.append("---")
    return "\n".join(lines) + "\n" + BODY.replace("{title}", title)


def _describe(key, spec):
    required = "required" if spec.required else "optional"
    if key == "slug":
        return f"{required}, a-z, 0-9 and '-'"
    kind_names = " or ".join(spec.kinds) if spec.kinds and len(spec.kinds) < 4 else "any"
    described = {
        "text": "text", "texts": "list of text", "date": "date YYYY-MM-DD",
        "slug": f"slug of a {kind_names} page", "slugs": f"list of slugs of {kind_names} pages",
        "int": "whole number", "nct": "NCT + 8 digits", "choice": "one of " + ", ".join(spec.choices),
        "choices": "list, each one of " + ", ".join(spec.choices),
    }.get(spec.type, "list, see the example")
    return f"{required}, {described}"


def _value(key, spec, title, slug, today, by_kind):
    if key == "title":
        return _scalar(title)
    if key == "summary":
        return _scalar(f"TODO: say in one or two short, plain sentences what {title} is.")
    if key == "last_reviewed":
        return today.isoformat()
    if key == "slug":
        return slug
    if spec.type in ("slug", "slugs") and spec.required:
        return _existing(spec, by_kind)
    return spec.example


def _existing(spec, by_kind):
    """The example's pages if they exist, else the first ones of the right kinds."""
    available = [slug for kind in spec.kinds for slug in sorted(by_kind.get(kind, []))]
    wanted = 2 if spec.type == "slugs" and spec.kinds == ("therapies",) else 1
    examples = [s for s in re.findall(r"[a-z0-9-]+", spec.example) if s in available]
    chosen = (examples + [s for s in available if s not in examples])[:wanted]
    # Nothing of that kind yet: check_content will name the key to fill in.
    chosen += ["TODO"] * (wanted - len(chosen))
    if spec.type == "slug":
        return chosen[0]
    return "[" + ", ".join(chosen) + "]"


def _scalar(text):
    if PLAIN_RE.match(text) and text.lower() not in YAML_WORDS and ": " not in text:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML string
