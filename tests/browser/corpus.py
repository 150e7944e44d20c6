"""The browser tests' site: tests/corpus.py plus pages that exercise the reader
experience (a long guide with h2-h4 sections, glossary terms in text, a table,
an admonition) and one load that renames a heading, so an old anchor exists.
"""
from tests.corpus import FILES, write_corpus

GUIDE = "topics/starting-treatment.md"

EXTRA = {
    "glossary/monoclonal-antibody.md": """\
        ---
        title: Monoclonal antibody
        summary: A lab-made protein that sticks to one exact target, such as CD38.
        last_reviewed: 2026-11-01
        aliases: [monoclonal antibodies]
        ---
        Daratumumab is one, see [[daratumumab]].
        """,
    "therapies/isatuximab.md": """\
        ---
        title: Isatuximab
        summary: A second antibody against CD38, given as a drip.
        last_reviewed: 2026-11-01
        aliases: [Sarclisa]
        therapy_class: anti-cd38-antibodies
        status: approved
        targets: [cd38]
        mechanisms: [adcc]
        ---
        Isatuximab also marks myeloma cells for [[adcc]].
        """,
    GUIDE: """\
        ---
        title: Starting anti-CD38 treatment
        summary: What happens before, during and after the first doses, in plain words.
        last_reviewed: 2024-01-15
        see_also: [daratumumab, infusion-reactions]
        references:
          - id: lonial-2016
            citation: Lonial S, et al. Daratumumab monotherapy in patients with treatment-refractory multiple myeloma (SIRIUS). Lancet. 2016;387(10027):1551-60.
            doi: 10.1016/S0140-6736(15)01120-4
            pmid: "26778538"
          - id: label
            citation: DARZALEX prescribing information. Janssen Biotech.
            url: https://www.example.org/darzalex-label
        ---
        Daratumumab and isatuximab are each a monoclonal antibody. They stick to
        [[cd38]] on myeloma cells. Your immune system then attacks the marked
        cells: a natural killer cell, for example, kills them by
        [[adcc|antibody-dependent cellular cytotoxicity]] [@lonial-2016].

        ## Before the first dose {#before-the-first-dose}

        Your care team checks your blood and gives you medicines that make a
        reaction less likely. Ask them any question you have: nothing is too
        small to ask, and writing questions down before the visit helps.

        ### Blood tests {#blood-tests}

        The blood bank types your blood before treatment starts, because the
        medicine changes some of its tests [@label] [@lonial-2016].

        #### Blood bank card {#blood-bank-card}

        Carry the card you are given and show it before any transfusion.

        ## During the infusion

        The first infusion takes several hours. Later ones are shorter.

        | Dose | Usual time |
        |---|---|
        | First | about 7 hours |
        | Second | about 4 hours |
        | Later | about 3 hours |

        !!! note "Tell the nurse at once"
            Say so straight away if you feel short of breath, itchy or
            light-headed. See [[infusion-reactions]].

        ## After the infusion {#after-the-infusion}

        Most people go home the same day. Read more about
        [[daratumumab#side-effects|side effects]] and about how
        [[lenalidomide]] is given with it in [[d-rd]].
        """,
}

# The second load renames one heading whose id was not pinned: its old id
# must keep landing (issue #4).
RENAMED = ("## During the infusion\n", "## On the infusion day\n")
OLD_ANCHOR, NEW_ANCHOR = "during-the-infusion", "on-the-infusion-day"


def write_site(root, renamed=False):
    files = {**FILES, **EXTRA}
    if renamed:
        files[GUIDE] = files[GUIDE].replace(*RENAMED)
    return write_corpus(root, files)
