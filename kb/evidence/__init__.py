"""Evidence you can see (issue #6): trial results, comparisons and figures.

Data flows one way, like the rest of the site: the rows the loader wrote
(``Trial.arms`` / ``Trial.outcomes``, ``Approval``) are shaped into plain
values (``data.py``, ``compare.py``), laid out into figures with their
geometry computed in Python (``scales.py``, ``figures.py``), and drawn by
templates under ``templates/evidence/``. No number is typed into a template:
every figure, label and tick comes from the front matter.
"""
