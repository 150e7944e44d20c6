"""A deterministic corpus of N synthetic articles for the benchmarks (issue 8).

    python bench/corpus.py N OUTDIR

writes ``OUTDIR/<kind folder>/<slug>.md`` for every kind, valid under
``manage.py check_content --content-dir OUTDIR``. The same N always gives the
same bytes (one seeded ``random.Random``, no clock, no hash order), so figures
from two machines are measured on the same text.

Each article looks like a real one to the pipeline: front matter with
relations (classes, targets, components, trials, approvals, arms, outcomes,
see_also) and references; a body of 800-1,500 words with ``##``/``###``
headings (most pinned with ``{#id}``), bullet and numbered lists, a table,
footnotes, an admonition, citations ``[@id]``, ``[[links]]`` and
``[[links#sections]]`` to other generated articles, and glossary phrases that
the loader turns into glossary links. Names and identifiers are invented and
use reserved example ranges (DOI prefix 10.5555, example.org), so nothing here
can be mistaken for a source.
"""
import argparse
import datetime
import random
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SEED = 38  # CD38
# libyaml's emitter when present (10x faster); both write the same YAML for this data.
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Share of each kind in a corpus (the real site has many trials and glossary
# entries, few biomarkers and classes).
SHARES = {
    "biomarkers": 0.04, "mechanisms": 0.05, "therapy-classes": 0.03, "therapies": 0.15,
    "combinations": 0.15, "trials": 0.26, "topics": 0.20, "glossary": 0.12,
}
MINIMUM = {"biomarkers": 1, "mechanisms": 1, "therapy-classes": 1, "therapies": 3,
           "combinations": 1, "trials": 1, "topics": 1, "glossary": 1}

SETTINGS = ["newly-diagnosed-transplant-eligible", "newly-diagnosed-transplant-ineligible",
            "relapsed-refractory", "smoldering", "al-amyloidosis", "maintenance"]
CATEGORIES = ["immune-effector", "direct", "enzymatic", "immunomodulatory", "cellular",
              "resistance"]
ENDPOINTS = ["pfs", "os", "orr", "cr", "mrd-negativity", "vgpr-or-better"]

# --- Vocabulary -----------------------------------------------------------------------------

DRUG_HEADS = ["dara", "isa", "feli", "meza", "tala", "elra", "linva", "tecli", "cilta", "ide",
              "bela", "iber", "mezi", "seli", "vene", "pomo", "carfi", "ixa", "elo", "pano",
              "abe", "alno", "beri", "cevo", "dena", "eto", "forti", "galu", "hexa", "imo"]
DRUG_MIDS = ["", "tu", "xi", "zu", "li", "ra", "ve", "to", "ca", "no", "si", "mo"]
DRUG_TAILS = ["mab", "ximab", "zumab", "tumab", "cel", "mide", "zomib", "clax", "stat", "nib"]
GENE_PREFIXES = ["CD", "SLAMF", "GPRC", "FCRL", "TNFRSF", "LY", "ITG", "KIR"]
MECH_HEADS = ["Antibody-dependent", "Complement-dependent", "Direct", "Macrophage", "Natural killer",
              "T-cell", "Enzyme", "Signal", "Checkpoint", "Marrow niche", "Antigen", "Cytokine"]
MECH_TAILS = ["cytotoxicity", "phagocytosis", "apoptosis", "signalling blockade",
              "checkpoint release", "antigen loss", "adhesion blockade", "immune priming",
              "trogocytosis", "complement escape", "enzyme inhibition", "cell redirection"]
CLASS_NAMES = ["antibodies", "antibody-drug conjugates", "bispecific antibodies",
               "cell therapies", "proteasome inhibitors", "immunomodulatory drugs",
               "nuclear export inhibitors", "steroids", "alkylating agents", "BCL-2 inhibitors"]
TRIAL_SYLLABLES = ["AL", "CY", "ON", "AND", "RO", "ME", "DA", "CAS", "SIO", "PEIA", "GRIF", "FIN",
                   "POL", "LUX", "CAN", "DOR", "IKE", "MA", "IM", "ROZ", "PER", "SEUS", "AQUI",
                   "LA", "CE", "PHE", "US", "CO", "LUM", "BA", "LYR", "ORI", "ON", "VEL", "TAR"]
TOPIC_PATTERNS = ["Living with {x}", "Questions about {x}", "Understanding {x}", "Coping with {x}",
                  "A guide to {x}", "Planning for {x}", "Talking about {x}", "Managing {x}"]
TOPIC_THINGS = ["fatigue", "infusions", "blood tests", "travel", "work", "diet", "sleep",
                "bone pain", "kidney health", "nerve damage", "vaccines", "dental care",
                "exercise", "second opinions", "clinical trials", "caregiving", "costs",
                "remission", "relapse", "steroids", "transfusions", "home care", "stem cell "
                "collection", "hospital stays", "mood changes", "appetite"]
GLOSS_ADJ = ["residual", "stromal", "clonal", "plasma", "marrow", "serum", "urine", "light-chain",
             "heavy-chain", "cytogenetic", "immune", "infusion", "response", "relapse",
             "remission", "platelet", "neutrophil", "renal", "skeletal", "cardiac", "hepatic",
             "viral", "bacterial", "antibody", "antigen", "receptor", "kinase", "protein",
             "genetic", "molecular", "clinical", "biochemical", "hematologic", "systemic",
             "peripheral", "central", "acute", "chronic", "latent"]
GLOSS_NOUNS = ["burden", "index", "fraction", "marker", "threshold", "signature", "cascade",
               "reserve", "profile", "assay", "clearance", "depth", "window", "pathway",
               "tolerance", "reaction", "ratio", "score", "panel", "interval", "plateau",
               "escape", "recovery", "toxicity", "syndrome", "count", "level", "test", "scan",
               "phase", "cycle", "dose"]
HEADINGS = {
    "biomarkers": ["What it is", "Where it is found", "How it is measured", "Why it matters",
                   "Medicines that target it", "When levels change", "Open questions"],
    "mechanisms": ["How it works", "Which cells take part", "What the lab studies show",
                   "How cells escape", "Which medicines use it", "Side effects it explains",
                   "Open questions"],
    "therapy-classes": ["What these medicines are", "How they work", "Members of the class",
                        "How they are given", "Common side effects", "Where they fit"],
    "therapies": ["Who it is for", "How it works", "How it is given", "What the trials showed",
                  "Side effects and how they are managed", "Before you start", "Approvals",
                  "Questions to ask"],
    "combinations": ["What is in it", "Who it is for", "How it is given", "What the trials showed",
                     "Side effects", "Schedule", "How it compares"],
    "trials": ["What the trial asked", "Who took part", "What was compared", "What it found",
               "Side effects", "What it means", "Limits"],
    "topics": ["The short version", "What to expect", "What helps", "When to call your team",
               "Practical tips", "For family and friends", "Where to learn more"],
    "glossary": ["In more detail", "Why it matters in myeloma", "Example", "Related words"],
}
SUBHEADINGS = ["In the first weeks", "Later on", "In older people", "With other medicines",
               "At home", "In hospital", "What the numbers mean", "Before each dose"]
SENTENCES = [
    "Most people notice {glossary} within the first few weeks of treatment.",
    "Your care team checks this with a simple blood test before each cycle.",
    "The effect was seen in people of all ages [@{ref}].",
    "In the main study, {pct}% of people had a response [@{ref}].",
    "This is one reason why doctors combine {link} with other medicines.",
    "It can take several months before the full benefit shows.",
    "Some people need a lower dose, and that is common and expected.",
    "Ask your team what {glossary} means for you, because it differs from person to person.",
    "The numbers below come from clinical trials, not from everyday practice [@{ref}].",
    "Side effects were mostly mild and eased with time.",
    "For background, see {link}.",
    "A small number of people stopped treatment because of side effects ({pct}%) [@{ref}].",
    "Doctors look at **how deep** the response is, not only whether there is one.",
    "The medicine is given in cycles of {days} days.",
    "Keep a diary of symptoms; it makes the next visit *much* easier.",
    "The same idea explains why {link} works in a different way.",
    "Researchers measured {glossary} at the start and again after {months} months [@{ref}].",
    "People with kidney problems were included in the study.",
    "The median follow-up was {months} months [@{ref}].",
    "This does not mean that every person will benefit in the same way.",
    "Tell your team about any new medicine, including herbal products.",
    "The risk was higher in people who had many earlier treatments.",
    "Results were similar in the groups defined by {glossary}.",
    "More detail is in {link}.",
    "A blood test called a `serum free light chain` test helps follow the disease.",
    "You can read the original results on [the publisher's site](https://example.org/bench/{n}).",
    "Treatment continued until the myeloma got worse or side effects were too much.",
    "Fewer people needed a hospital stay than expected [@{ref}].",
]
LIST_ITEMS = [
    "a fever of 38 °C (100.4 °F) or higher", "new bruising or bleeding", "shortness of breath",
    "a cough that does not go away", "feeling dizzy or faint", "swelling in the legs",
    "new pain in the back or ribs", "numbness or tingling in the hands", "very dark urine",
    "a rash that spreads", "feeling much more tired than usual", "blurred vision",
    "which tests you need before each dose", "how long each visit will take",
    "who to call at night", "whether you can keep working", "what to do if you miss a dose",
]


def _slugify(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Plan:
    kind: str
    slug: str
    title: str
    aliases: list = field(default_factory=list)
    anchors: list = field(default_factory=list)        # pinned ids, in order
    headings: list = field(default_factory=list)       # (level, text, pinned id or "")
    phrases: list = field(default_factory=list)        # glossary only
    fields: dict = field(default_factory=dict)


class Generator:
    def __init__(self, n, seed=SEED):
        self.n = n
        self.rng = random.Random(f"{seed}:{n}")
        self.taken = set()
        self.by_kind = {kind: [] for kind in SHARES}
        self.plans = []

    # --- names ------------------------------------------------------------------------------

    def unique(self, slug):
        candidate, number = slug, 2
        while candidate in self.taken:
            candidate = f"{slug}-{number}"
            number += 1
        self.taken.add(candidate)
        return candidate

    def counts(self):
        counts = {kind: max(MINIMUM[kind], int(self.n * share)) for kind, share in SHARES.items()}
        counts["topics"] += self.n - sum(counts.values())
        if counts["topics"] < 1:
            raise SystemExit(f"N must be at least {sum(MINIMUM.values())}")
        return counts

    def name_for(self, kind, index):
        rng = self.rng
        if kind == "biomarkers":
            gene = f"{rng.choice(GENE_PREFIXES)}{rng.randint(1, 399)}"
            return gene, [], {"gene": gene}
        if kind == "mechanisms":
            title = f"{rng.choice(MECH_HEADS)} {rng.choice(MECH_TAILS)}"
            return title, [], {"category": rng.choice(CATEGORIES)}
        if kind == "therapy-classes":
            title = f"Anti-{rng.choice(GENE_PREFIXES)}{rng.randint(1, 399)} {rng.choice(CLASS_NAMES)}"
            role = "cd38-directed" if index % 3 == 0 else "partner"
            return title, [], {"role": role}
        if kind == "therapies":
            title = (rng.choice(DRUG_HEADS) + rng.choice(DRUG_MIDS) + rng.choice(DRUG_TAILS)).capitalize()
            code = f"BX-{1000 + index}"
            return title, [code], {}
        if kind == "trials":
            title = "".join(rng.choice(TRIAL_SYLLABLES) for _ in range(rng.randint(2, 3)))
            return title, [f"MMY{5000 + index}"], {}
        if kind == "topics":
            thing = rng.choice(TOPIC_THINGS)
            return rng.choice(TOPIC_PATTERNS).format(x=thing), [], {}
        if kind == "glossary":
            while True:
                phrase = f"{rng.choice(GLOSS_ADJ)} {rng.choice(GLOSS_NOUNS)}"
                if phrase not in self.glossary_phrases:
                    break
            self.glossary_phrases.add(phrase)
            return phrase.capitalize(), [], {"matches": [phrase]}
        return None  # combinations are named from their components

    def plan(self):
        """Pass 1: every article's kind, slug, title, aliases and headings."""
        self.glossary_phrases = set()
        counts = self.counts()
        for kind in SHARES:
            for index in range(counts[kind]):
                if kind == "combinations":
                    continue  # named after therapies exist
                title, aliases, extra = self.name_for(kind, index)
                slug = self.unique(_slugify(title))
                if kind == "glossary" and slug != _slugify(title):
                    # A numbered slug gets a title and phrase of its own.
                    title = f"{title} ({slug.rsplit('-', 1)[1]})"
                plan = Plan(kind, slug, title, [a for a in aliases], fields=extra)
                self.taken.update(_slugify(a) for a in aliases)
                self.by_kind[kind].append(plan)
        therapies = self.by_kind["therapies"]
        for index in range(counts["combinations"]):
            parts = self.rng.sample(therapies, min(len(therapies), self.rng.randint(2, 4)))
            initials = "".join(p.title[0] for p in parts)
            title = (", ".join(p.title for p in parts[:-1]) + " and " + parts[-1].title)
            slug = self.unique(_slugify(initials + "-regimen"))
            plan = Plan("combinations", slug, f"{initials}: {title}",
                        fields={"components": [p.slug for p in parts]})
            self.by_kind["combinations"].append(plan)
        for kind in SHARES:
            for plan in self.by_kind[kind]:
                self._plan_headings(plan)
                self.plans.append(plan)
        # A few hub pages (the site's main drugs and guides) collect most links.
        self.hubs = [p for kind in ("therapies", "topics", "biomarkers", "combinations")
                     for p in self.by_kind[kind][:3]]

    def _plan_headings(self, plan):
        rng = self.rng
        choices = HEADINGS[plan.kind]
        count = rng.randint(4, min(7, len(choices)))
        used = set()
        for text in rng.sample(choices, count):
            anchor = _slugify(text).split("-and-")[0][:24].strip("-")
            pinned = anchor if rng.random() < 0.75 and anchor not in used else ""
            used.add(anchor)
            plan.headings.append((2, text, pinned))
            if pinned:
                plan.anchors.append(pinned)
            if rng.random() < 0.35:
                sub = rng.choice(SUBHEADINGS)
                plan.headings.append((3, sub, ""))

    # --- front matter -----------------------------------------------------------------------

    def references(self, plan):
        count = self.rng.randint(2, 5)
        refs = []
        for number in range(count):
            author = self.rng.choice(["Moreau", "Facon", "Lonial", "Attal", "Dimopoulos", "Usmani",
                                      "Mateos", "Palumbo", "Voorhees", "Sonneveld", "Richardson"])
            year = self.rng.randint(2014, 2025)
            key = f"{author.lower()}-{year}-{number + 1}"
            ref = {"id": key,
                   "citation": f"{author} X, et al. A synthetic report on {plan.title.lower()} "
                               f"for benchmarking. Bench J. {year};{self.rng.randint(1, 99)}:"
                               f"{self.rng.randint(100, 999)}-{self.rng.randint(1000, 1999)}."}
            if number % 2 == 0:
                ref["doi"] = f"10.5555/bench.{plan.slug}.{number + 1}"
            else:
                ref["url"] = f"https://example.org/bench/{plan.slug}/{number + 1}"
            refs.append(ref)
        return refs

    def front_matter(self, plan, refs):
        rng = self.rng
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randint(0, 330))
        summary = (f"{plan.title} is part of a synthetic benchmark corpus. "
                   f"It reads like a real page: short sentences and everyday words.")
        if plan.kind == "glossary":
            summary = (f"{plan.title} is a made-up term for the benchmark. It stands for "
                       f"a {rng.choice(GLOSS_NOUNS)} that doctors measure.")
        data = {"title": plan.title, "summary": summary}
        if plan.aliases:
            data["aliases"] = plan.aliases
        data["last_reviewed"] = day
        others = [p.slug for p in rng.sample(self.plans, min(4, len(self.plans)))
                  if p.slug != plan.slug][:rng.randint(0, 3)]
        if others:
            data["see_also"] = others
        kind = plan.kind
        data.update(plan.fields)
        if kind == "therapies":
            data["therapy_class"] = rng.choice(self.by_kind["therapy-classes"]).slug
            data["status"] = rng.choice(["approved", "approved", "investigational", "discontinued"])
            data["targets"] = [p.slug for p in rng.sample(self.by_kind["biomarkers"],
                                                          min(2, len(self.by_kind["biomarkers"])))]
            data["mechanisms"] = [p.slug for p in rng.sample(self.by_kind["mechanisms"],
                                                             min(3, len(self.by_kind["mechanisms"])))]
            if data["status"] == "approved":
                data["approvals"] = self.approvals(refs)
        elif kind == "combinations":
            data["settings"] = rng.sample(SETTINGS, rng.randint(1, 2))
            if rng.random() < 0.5:
                data["approvals"] = self.approvals(refs)
        elif kind == "trials":
            self.trial_fields(plan, data, refs)
        data["references"] = refs
        return data

    def approvals(self, refs):
        rng = self.rng
        result = []
        for _ in range(rng.randint(1, 2)):
            item = {"agency": rng.choice(["FDA", "EMA"]),
                    "date": datetime.date(rng.randint(2015, 2025), rng.randint(1, 12),
                                          rng.randint(1, 28)),
                    "type": rng.choice(["regular", "accelerated"]),
                    "setting": rng.choice(SETTINGS),
                    "basis": [rng.choice(self.by_kind["trials"]).slug],
                    "summary": "Approved with two partner medicines after one earlier treatment.",
                    "reference": rng.choice(refs)["id"]}
            result.append(item)
        return result

    def trial_fields(self, plan, data, refs):
        rng = self.rng
        pool = self.by_kind["combinations"] + self.by_kind["therapies"]
        tested = rng.sample(pool, rng.randint(1, 2))
        n_exp, n_ctl = rng.randint(80, 450), rng.randint(80, 450)
        data.update({
            "phase": rng.choice(["1", "1/2", "2", "3", "3"]),
            "setting": rng.choice(SETTINGS),
            "tests": [p.slug for p in tested],
            "comparator": "standard treatment with two medicines",
            "prior_lines": rng.choice(["1-3", "at least 2", "none"]),
            "nct": f"NCT9{rng.randint(0, 9999999):07d}",
            "enrolled": n_exp + n_ctl,
            "primary_endpoint": "progression-free survival",
            "arms": [{"id": "experimental", "label": tested[0].title[:60],
                      "regimen": tested[0].slug, "n": n_exp},
                     {"id": "control", "label": "Standard treatment", "n": n_ctl}],
        })
        outcomes = []
        hr = round(rng.uniform(0.35, 0.95), 2)
        outcomes.append({"endpoint": "pfs", "measure": "hazard-ratio", "value": hr,
                         "ci": [round(hr * 0.75, 2), round(hr * 1.25, 2)], "ci_level": 95,
                         "followup_months": float(rng.randint(12, 60)), "analysis": "primary",
                         "reference": refs[0]["id"]})
        outcomes.append({"endpoint": "pfs", "measure": "landmark", "months": 24,
                         "values": {"experimental": round(rng.uniform(50, 90), 1),
                                    "control": round(rng.uniform(30, 60), 1)},
                         "reference": refs[0]["id"]})
        outcomes.append({"endpoint": rng.choice(["os", "pfs"]), "measure": "median",
                         "values": {"experimental": "not reached",
                                    "control": round(rng.uniform(10, 40), 1)},
                         "analysis": "update", "reference": refs[-1]["id"]})
        rate = round(rng.uniform(30, 90), 1)
        outcomes.append({"endpoint": rng.choice(ENDPOINTS[2:]), "measure": "rate",
                         "values": {"experimental": rate, "control": round(rate * 0.7, 1)},
                         "reference": refs[-1]["id"]})
        data["outcomes"] = outcomes

    # --- body -------------------------------------------------------------------------------

    def link(self, plan, section=False):
        """``[[target]]``, ``[[target|text]]`` or ``[[target#anchor]]`` to another article."""
        rng = self.rng
        while True:
            target = rng.choice(self.hubs) if rng.random() < 0.15 else rng.choice(self.plans)
            if target.slug != plan.slug:
                break
        name = target.slug
        if rng.random() < 0.1 and target.aliases:
            name = target.aliases[0]
        if section and target.anchors:
            name = f"{name}#{rng.choice(target.anchors)}"
        if rng.random() < 0.4:
            return f"[[{name}|{target.title.lower()[:40].strip()}]]"
        return f"[[{name}]]"

    def sentence(self, plan, refs):
        rng = self.rng
        template = rng.choice(SENTENCES)
        glossary = rng.choice(self.by_kind["glossary"])
        return template.format(
            glossary=glossary.fields["matches"][0] if glossary.slug != plan.slug else "it",
            ref=rng.choice(refs)["id"], pct=round(rng.uniform(5, 95), 1),
            link=self.link(plan, section=rng.random() < 0.35), days=rng.choice([21, 28]),
            months=rng.randint(6, 60), n=rng.randint(1, 999))

    def paragraph(self, plan, refs, sentences):
        text = " ".join(self.sentence(plan, refs) for _ in range(sentences))
        return textwrap.fill(text, width=78, break_long_words=False, break_on_hyphens=False)

    def body(self, plan, refs):
        rng = self.rng
        target_words = rng.randint(850, 1400)
        blocks = [self.paragraph(plan, refs, rng.randint(3, 5))]
        sections = len([h for h in plan.headings if h[0] == 2])
        table_at = rng.randrange(sections)
        list_at = rng.randrange(sections)
        note_at = rng.randrange(sections)
        footnotes = []
        section = -1

        def total():
            return sum(len(block.split()) for block in blocks + footnotes)

        for level, text, pinned in plan.headings:
            blocks.append(f"{'#' * level} {text}" + (f" {{#{pinned}}}" if pinned else ""))
            if level == 3:
                blocks.append(self.paragraph(plan, refs, rng.randint(2, 4)))
                continue
            section += 1
            if section == list_at:
                items = rng.sample(LIST_ITEMS, rng.randint(3, 6))
                blocks.append("Call your team the same day if you have:")
                blocks.append("\n".join(f"- {item}" for item in items))
            if section == table_at:
                blocks.append(self.table(plan, refs))
            if section == note_at:
                blocks.append("!!! note \"Good to know\"\n    " + self.sentence(plan, refs))
            if rng.random() < 0.3:
                steps = [self.sentence(plan, refs) for _ in range(rng.randint(3, 4))]
                blocks.append("\n".join(f"{i}. {s}" for i, s in enumerate(steps, 1)))
            # Spread what is left of the target over the sections still to come.
            budget = total() + (target_words - total()) // (sections - section)
            while total() < budget - 40:
                paragraph = self.paragraph(plan, refs, rng.randint(3, 6))
                if rng.random() < 0.25:
                    number = len(footnotes) + 1
                    paragraph += f"[^{number}]"
                    footnotes.append(f"[^{number}]: {self.sentence(plan, refs)}")
                blocks.append(paragraph)
        if footnotes:
            blocks.append("\n".join(footnotes))
        return "\n\n".join(blocks) + "\n"

    def table(self, plan, refs):
        rng = self.rng
        rows = ["| Group | People | Response | Serious side effects |",
                "|---|---:|---:|---:|"]
        for group in rng.sample(["With the medicine", "Standard treatment", "Over 75",
                                 "Earlier treatment", "High-risk genes", "Kidney problems"], 3):
            rows.append(f"| {group} | {rng.randint(40, 400)} | {rng.randint(20, 95)}% "
                        f"| {rng.randint(2, 40)}% |")
        return "\n".join(rows) + f"\n\nFigures from the main report [@{refs[0]['id']}]."

    # --- output -----------------------------------------------------------------------------

    def articles(self):
        """Yield ``(relative path, text)`` for every article, in a fixed order."""
        self.plan()
        for plan in self.plans:
            refs = self.references(plan)
            data = self.front_matter(plan, refs)
            head = yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True,
                             width=90, default_flow_style=None)
            yield f"{plan.kind}/{plan.slug}.md", f"---\n{head}---\n{self.body(plan, refs)}"


def generate(n, outdir):
    """Write the corpus of ``n`` articles into ``outdir`` (created); return the paths written."""
    outdir = Path(outdir)
    written = []
    for relative, text in Generator(n).articles():
        path = outdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("outdir", help="folder to write (kind folders are created in it)")
    args = parser.parse_args(argv)
    outdir = Path(args.outdir)
    if outdir.exists() and any(outdir.rglob("*.md")):
        parser.error(f"{outdir} already holds Markdown files; pass an empty or new folder")
    paths = generate(args.n, outdir)
    sys.stdout.write(f"{len(paths)} articles written to {outdir}\n")


if __name__ == "__main__":
    main()
