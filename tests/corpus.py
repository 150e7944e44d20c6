"""A small valid corpus that exercises every kind and every link form.

Tests copy it into ``tmp_path`` and change one file at a time, so each test
states only what it breaks.
"""
from pathlib import Path
from textwrap import dedent

FILES = {
    "biomarkers/cd38.md": """\
        ---
        title: CD38
        summary: A protein on the surface of myeloma cells.
        last_reviewed: 2026-11-01
        gene: CD38
        aliases: [CD38 antigen]
        references:
          - id: van-de-donk-2018
            citation: van de Donk NWCJ, et al. Blood. 2018;131(1):13.
            doi: 10.1182/blood-2017-06-740944
        ---
        CD38 sits on myeloma cells [@van-de-donk-2018]. Drugs such as [[daratumumab]] bind it.

        ## Where CD38 is found {#where-cd38-is-found}
        Also on [[natural-killer-cell|NK cells]].
        """,
    "mechanisms/adcc.md": """\
        ---
        title: Antibody-dependent cellular cytotoxicity (ADCC)
        summary: Immune cells kill a cell that an antibody has marked.
        last_reviewed: 2026-11-01
        category: immune-effector
        aliases: [antibody-dependent cellular cytotoxicity]
        ---
        NK cells kill cells coated by [[daratumumab]].

        ## How it works {#how-it-works}
        The antibody binds [[cd38#where-cd38-is-found|CD38]].
        """,
    "mechanisms/cdc.md": """\
        ---
        title: Complement-dependent cytotoxicity (CDC)
        summary: Blood proteins punch holes in a marked cell.
        last_reviewed: 2026-11-01
        category: immune-effector
        ---
        See also [[adcc]].
        """,
    "therapy-classes/anti-cd38-antibodies.md": """\
        ---
        title: Anti-CD38 antibodies
        summary: Medicines that stick to CD38.
        last_reviewed: 2026-11-01
        role: cd38-directed
        ---
        The class includes [[Darzalex]].
        """,
    "therapy-classes/immunomodulatory-drugs.md": """\
        ---
        title: Immunomodulatory drugs
        summary: Pills that change how the immune system works.
        last_reviewed: 2026-11-01
        role: partner
        ---
        For example [[lenalidomide]].
        """,
    "therapies/daratumumab.md": """\
        ---
        title: Daratumumab
        summary: A medicine that marks myeloma cells for the immune system.
        last_reviewed: 2026-11-01
        aliases: [Darzalex, dara]
        therapy_class: anti-cd38-antibodies
        status: approved
        targets: [cd38]
        mechanisms: [adcc, cdc]
        references:
          - id: lonial-2016
            citation: Lonial S, et al. Lancet. 2016;387(10027):1551-60.
            doi: 10.1016/S0140-6736(15)01120-4
        approvals:
          - agency: FDA
            date: 2015-11-16
            type: accelerated
            setting: relapsed-refractory
            basis: [sirius]
            reference: lonial-2016
        ---
        Daratumumab works through [[adcc]] and [[cdc|complement]] [@lonial-2016].

        ## Side effects {#side-effects}
        Infusion reactions are common at the first dose.
        """,
    "therapies/lenalidomide.md": """\
        ---
        title: Lenalidomide
        summary: A pill used in many myeloma combinations.
        last_reviewed: 2026-11-01
        therapy_class: immunomodulatory-drugs
        status: approved
        ---
        Given with [[daratumumab#side-effects|daratumumab]] in [[d-rd]].
        """,
    "combinations/d-rd.md": """\
        ---
        title: "D-Rd: daratumumab, lenalidomide and dexamethasone"
        summary: Three medicines given together.
        last_reviewed: 2026-11-01
        aliases: [DRd]
        components: [daratumumab, lenalidomide]
        settings: [relapsed-refractory]
        ---
        Tested in [[sirius]] (not really; a test corpus).
        """,
    "trials/sirius.md": """\
        ---
        title: SIRIUS
        summary: A study of daratumumab alone.
        last_reviewed: 2026-11-01
        phase: "2"
        setting: relapsed-refractory
        tests: [daratumumab]
        nct: NCT01985126
        enrolled: 106
        references:
          - id: lonial-2016
            citation: Lonial S, et al. Lancet. 2016.
            doi: 10.1016/S0140-6736(15)01120-4
        arms:
          - id: all
            label: Daratumumab 16 mg/kg
            regimen: daratumumab
            n: 106
        outcomes:
          - endpoint: orr
            measure: rate
            value: 29.2
            ci: [20.8, 38.9]
            ci_level: 95
            reference: lonial-2016
        ---
        The trial tested [[daratumumab]] [@lonial-2016].
        """,
    "glossary/natural-killer-cell.md": """\
        ---
        title: Natural killer cell
        summary: A white blood cell that kills sick cells.
        last_reviewed: 2026-11-01
        aliases: [NK cell]
        ---
        They carry [[cd38]].
        """,
    "topics/infusion-reactions.md": """\
        ---
        title: Infusion reactions
        summary: What happens during the first drip.
        last_reviewed: 2026-11-01
        see_also: [daratumumab]
        ---
        Read about [[daratumumab#side-effects]].
        """,
}


def write_corpus(root, files=None, **changes):
    """Write the corpus to ``root``; ``changes`` maps 'kind__name' paths to new text or None."""
    root = Path(root)
    files = dict(FILES if files is None else files)
    for key, text in changes.items():
        path = key.replace("__", "/") + ".md"
        if text is None:
            files.pop(path, None)
        else:
            files[path] = text
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
    return root


def write(root, relative, text):
    path = Path(root) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text), encoding="utf-8")
    return path


def edit(root, relative, old, new):
    """Replace the first ``old`` in a corpus file; fail loudly if the test's premise is wrong."""
    path = Path(root) / relative
    text = path.read_text()
    assert old in text, f"test setup: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


def every_page(folder, tmp_path, base_dir):
    """The records of the real content/ (``folder`` "content") or of 60 generated pages.

    For tests that render every page two ways and compare.
    """
    from bench.corpus import generate
    from kb.ingest import loader

    root = Path(base_dir) / "content" if folder == "content" else tmp_path
    if folder == "generated":
        generate(60, tmp_path)
    found, errors = loader.read_all(root, 10 ** 9)
    assert not errors and found
    return found
