"""Evidence test data (issue #6): tests/corpus.py plus trials with hazard
ratios, a second antibody and approvals on three dates.

Figures here are test fixtures shaped like real ones (MAIA's primary PFS
hazard ratio is 0.56, 95% CI 0.43-0.73); they are never shown to readers.
"""
from tests.corpus import FILES, write_corpus

EVIDENCE_FILES = {
    "therapies/isatuximab.md": """\
        ---
        title: Isatuximab
        summary: A second antibody against CD38.
        last_reviewed: 2026-11-01
        therapy_class: anti-cd38-antibodies
        status: approved
        targets: [cd38]
        mechanisms: [adcc]
        ---
        Isatuximab marks myeloma cells for [[adcc]].
        """,
    "therapies/pomalidomide.md": """\
        ---
        title: Pomalidomide
        summary: A pill related to lenalidomide.
        last_reviewed: 2026-11-01
        therapy_class: immunomodulatory-drugs
        status: approved
        ---
        Given in [[isa-pd]].
        """,
    "combinations/d-rd.md": """\
        ---
        title: "D-Rd: daratumumab, lenalidomide and dexamethasone"
        summary: Three medicines given together.
        last_reviewed: 2026-11-01
        aliases: [DRd]
        components: [daratumumab, lenalidomide]
        settings: [relapsed-refractory, newly-diagnosed-transplant-ineligible]
        references:
          - id: label
            citation: DARZALEX prescribing information. Janssen Biotech.
            url: https://www.example.org/darzalex-label
        approvals:
          - agency: FDA
            date: 2019-06-27
            type: regular
            setting: newly-diagnosed-transplant-ineligible
            basis: [maia]
            reference: label
        ---
        Tested in [[maia]] and [[pollux]] [@label].
        """,
    "combinations/isa-pd.md": """\
        ---
        title: "Isa-Pd: isatuximab, pomalidomide and dexamethasone"
        summary: An antibody and a pill for myeloma that came back.
        last_reviewed: 2026-11-01
        components: [isatuximab, pomalidomide]
        settings: [relapsed-refractory]
        references:
          - id: sarclisa-label
            citation: SARCLISA prescribing information. Sanofi.
            url: https://www.example.org/sarclisa-label
        approvals:
          - agency: FDA
            date: 2020-03-02
            type: regular
            setting: relapsed-refractory
            basis: [icaria-mm]
            reference: sarclisa-label
        ---
        Tested in [[icaria-mm]] [@sarclisa-label].

        ## Common side effects {#side-effects}
        Infusion reactions affected 38% of people [@sarclisa-label].
        """,
    "trials/maia.md": """\
        ---
        title: MAIA (D-Rd without transplant)
        summary: D-Rd against Rd for new myeloma without a transplant.
        last_reviewed: 2026-11-01
        phase: "3"
        setting: newly-diagnosed-transplant-ineligible
        tests: [d-rd]
        comparator: lenalidomide and dexamethasone (Rd)
        enrolled: 737
        primary_endpoint: progression-free survival
        references:
          - id: facon-2019
            citation: Facon T, et al. Daratumumab plus lenalidomide and dexamethasone for untreated myeloma. N Engl J Med. 2019;380:2104-15.
            doi: 10.1056/NEJMoa1817249
          - id: facon-2021
            citation: Facon T, et al. Overall survival results of MAIA. Lancet Oncol. 2021.
            doi: 10.1016/S1470-2045(21)00466-6
        arms:
          - id: experimental
            label: D-Rd (daratumumab + lenalidomide + dexamethasone)
            regimen: d-rd
            n: 368
          - id: control
            label: Rd (lenalidomide + dexamethasone)
            n: 369
        outcomes:
          - endpoint: pfs
            measure: hazard-ratio
            value: 0.56
            ci: [0.43, 0.73]
            ci_level: 95
            analysis: primary
            reference: facon-2019
          - endpoint: pfs
            measure: landmark
            months: 30
            values: {experimental: 70.6, control: 55.6}
            reference: facon-2019
          - endpoint: os
            measure: hazard-ratio
            value: 0.68
            ci: [0.53, 0.86]
            ci_level: 95
            analysis: update
            reference: facon-2021
        ---
        MAIA tested [[d-rd]] [@facon-2019] [@facon-2021].
        """,
    "trials/pollux.md": """\
        ---
        title: POLLUX (D-Rd after relapse)
        summary: D-Rd against Rd for myeloma that came back.
        last_reviewed: 2026-11-01
        phase: "3"
        setting: relapsed-refractory
        tests: [d-rd]
        comparator: lenalidomide and dexamethasone (Rd)
        enrolled: 569
        references:
          - id: dimopoulos-2016
            citation: Dimopoulos MA, et al. Daratumumab, lenalidomide, and dexamethasone for multiple myeloma. N Engl J Med. 2016;375:1319-31.
            doi: 10.1056/NEJMoa1607751
        arms:
          - id: drd
            label: D-Rd
            regimen: d-rd
          - id: rd
            label: Rd
        outcomes:
          - endpoint: pfs
            measure: hazard-ratio
            value: 0.37
            ci: [0.27, 0.52]
            ci_level: 95
            reference: dimopoulos-2016
        ---
        POLLUX tested [[d-rd]] [@dimopoulos-2016].
        """,
    "trials/icaria-mm.md": """\
        ---
        title: ICARIA-MM (isatuximab with pomalidomide)
        summary: Isa-Pd against Pd for myeloma that came back.
        last_reviewed: 2026-11-01
        phase: "3"
        setting: relapsed-refractory
        tests: [isa-pd]
        comparator: pomalidomide and dexamethasone (Pd)
        enrolled: 307
        references:
          - id: attal-2019
            citation: Attal M, et al. Isatuximab plus pomalidomide and low-dose dexamethasone (ICARIA-MM). Lancet. 2019;394:2096-107.
            doi: 10.1016/S0140-6736(19)32556-5
          - id: richardson-2024
            citation: Richardson PG, et al. Final overall survival of ICARIA-MM. 2024.
            url: https://www.example.org/icaria-final
        arms:
          - id: isapd
            label: Isa-Pd
            regimen: isa-pd
            n: 154
          - id: pd
            label: Pd
            n: 153
        outcomes:
          - endpoint: pfs
            measure: hazard-ratio
            value: 0.596
            ci: [0.44, 0.81]
            ci_level: 95
            reference: attal-2019
          - endpoint: pfs
            measure: median
            values: {isapd: 11.5, pd: 6.5}
            reference: attal-2019
          - endpoint: os
            measure: hazard-ratio
            value: 0.78
            ci: [0.59, 1.02]
            ci_level: 95
            analysis: final
            reference: richardson-2024
        ---
        ICARIA-MM tested [[isa-pd]] [@attal-2019] [@richardson-2024].
        """,
}


def write_evidence_corpus(root, **changes):
    files = {**FILES, **EVIDENCE_FILES}
    return write_corpus(root, files, **changes)
