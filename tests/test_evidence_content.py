"""Bad evidence data gets a clear check_content error naming file, line and field
(issue #6). Each case breaks one real file of the evidence test corpus."""
import pytest
from django.core.management import CommandError, call_command

from tests.evidence_corpus import write_evidence_corpus

from tests.corpus import edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(tmp_path, settings):
    root = write_evidence_corpus(tmp_path / "content")
    settings.KB_CONTENT_DIR = root
    return root


def line_of(root, relative, needle):
    lines = (root / relative).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def check_errors(root, capsys):
    """The errors check_content prints, paths relative to the content folder."""
    with pytest.raises(CommandError):
        call_command("check_content")
    lines = capsys.readouterr().err.splitlines()
    return [line.replace(f"{root}/", "") for line in lines
            if ".md:" in line and ": warning:" not in line]


def test_the_evidence_corpus_passes(content, capsys):
    call_command("check_content")
    assert "content OK" in capsys.readouterr().out


CASES = [
    # (file, old text, new text, line to report (text on it), message)
    ("trials/maia.md", "ci: [0.43, 0.73]", "ci: [0.60, 0.73]", "ci: [0.60, 0.73]",
     "outcomes[1].ci [0.6, 0.73] does not contain the estimate 0.56"),
    ("trials/maia.md", "ci: [0.43, 0.73]", "ci: [0.73, 0.43]", "ci: [0.73, 0.43]",
     "outcomes[1].ci: lower bound 0.73 must be below upper bound 0.43"),
    ("trials/pollux.md", "value: 0.37", "value: -0.37", "value: -0.37",
     "outcomes[1].value must be positive, not -0.37"),
    ("trials/maia.md", "values: {experimental: 70.6,", "values: {experimental: 170.6,",
     "170.6", "outcomes[2].values.experimental is a percentage and must lie between 0 and 100, "
              "not 170.6"),
    ("trials/maia.md", "ci_level: 95\n    analysis: primary", "ci_level: 0.95\n    analysis: primary",
     "ci_level: 0.95", "ci_level is a percentage such as 95, not 0.95"),
    ("trials/pollux.md", "    ci_level: 95\n", "", "  - endpoint: pfs",
     "outcomes[1]: give 'ci' and 'ci_level' together"),
    ("trials/maia.md", "setting: newly-diagnosed-transplant-ineligible",
     "setting: newly-diagnosed", "setting: newly-diagnosed",
     "setting must be one of newly-diagnosed-transplant-eligible, "
     "newly-diagnosed-transplant-ineligible, relapsed-refractory, smoldering, al-amyloidosis, "
     "maintenance; found 'newly-diagnosed'"),
    ("combinations/isa-pd.md", "setting: relapsed-refractory\n    basis",
     "setting: relapsed\n    basis", "setting: relapsed",
     "approvals[1].setting must be one of newly-diagnosed-transplant-eligible, "
     "newly-diagnosed-transplant-ineligible, relapsed-refractory, smoldering, al-amyloidosis, "
     "maintenance; found 'relapsed'"),
    ("trials/pollux.md", "    reference: dimopoulos-2016\n", "", "  - endpoint: pfs",
     "outcomes[1] is missing 'reference'"),
    ("trials/maia.md", "    reference: facon-2021\n", "    reference: facon-2022\n",
     "reference: facon-2022", "outcomes[3] cites unknown reference 'facon-2022'"),
    ("combinations/isa-pd.md", "    reference: sarclisa-label\n", "", "  - agency: FDA",
     "approvals[1] is missing 'reference'"),
    ("combinations/d-rd.md", "    reference: label\n", "    reference: labels\n",
     "reference: labels", "approvals[1] cites unknown reference 'labels'"),
    ("trials/icaria-mm.md", "values: {isapd: 11.5, pd: 6.5}", "values: {isa: 11.5, pd: 6.5}",
     "values: {isa: 11.5", "outcomes[2] gives a value for unknown arm 'isa'"),
    ("trials/maia.md", "  - endpoint: os", "  - endpoint: survival", "endpoint: survival",
     "outcomes[3].endpoint must be one of pfs, os, orr, cr, mrd-negativity, hematologic-cr, mod-pfs, scr, "
     "vgpr-or-better, efs; found 'survival'"),
    ("trials/pollux.md", "    value: 0.37\n", "", "  - endpoint: pfs",
     "outcomes[1]: a hazard ratio needs 'value'"),
    ("combinations/d-rd.md", "basis: [maia]", "basis: [maya]", "  - agency: FDA",
     "approvals[1].basis: no article 'maya' (did you mean 'maia'?)"),
    ("trials/maia.md", "    regimen: d-rd\n", "    regimen: pollux\n", "  - id: experimental",
     "arms.regimen: 'pollux' is a trials article; expected combinations or therapies"),
]


@pytest.mark.parametrize("relative, old, new, at, message", CASES,
                         ids=[case[4][:48] for case in CASES])
def test_bad_evidence_data_names_file_line_and_field(content, capsys, relative, old, new, at,
                                                     message):
    edit(content, relative, old, new)
    line = line_of(content, relative, at)
    errors = check_errors(content, capsys)
    assert f"{relative}:{line}: {message}" in errors
    assert all(error.startswith(f"{relative}:") for error in errors), errors
