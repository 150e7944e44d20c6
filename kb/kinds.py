"""The kinds of article, one per folder of content/.

The folder name is the kind's identifier everywhere (database, URLs, front
matter errors), so an editor only ever meets one name for a kind.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    folder: str
    singular: str
    plural: str
    blurb: str


KINDS = (
    Kind("biomarkers", "Biomarker", "Biomarkers",
         "The target molecules on myeloma cells, starting with CD38."),
    Kind("mechanisms", "Mechanism", "Mechanisms",
         "How the treatments kill myeloma cells, and how cells escape them."),
    Kind("therapy-classes", "Therapy class", "Therapy classes",
         "Families of drugs and cell therapies."),
    Kind("therapies", "Therapy", "Therapies",
         "Individual medicines: anti-CD38 antibodies, cell therapies and partner drugs."),
    Kind("combinations", "Combination", "Combinations",
         "Regimens that give an anti-CD38 antibody with other drugs."),
    Kind("trials", "Trial", "Trials",
         "The clinical trials behind each combination."),
    Kind("topics", "Guide", "Guides",
         "Background and living with treatment."),
    Kind("glossary", "Glossary term", "Glossary",
         "Plain definitions of the words you will meet."),
)

BY_FOLDER = {kind.folder: kind for kind in KINDS}
CHOICES = [(kind.folder, kind.singular) for kind in KINDS]


def get(folder):
    return BY_FOLDER[folder]
