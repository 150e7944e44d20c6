"""Figure layouts: where every mark, whisker, tick and label goes.

Each builder takes shaped data (``data.py``) and returns a plain object with
the geometry already computed, which a template under
``templates/evidence/figures/`` draws as SVG. x positions are percentages of
the width (see ``scales.py``); y positions and heights are pixels.
"""
from dataclasses import dataclass

from kb.evidence import format as fmt
from kb.evidence.scales import ratio_scale, year_scale
from kb.models import SETTINGS

def _pct(value):
    return f"{value:.2f}%"


# Settings: a colour, a shape and a name each, so the legend never relies on
# colour alone. The colours keep at least 3:1 contrast against both the light
# (#fff) and the dark (#15181c) page background (WCAG 1.4.11).
SETTING_STYLES = {
    "newly-diagnosed-transplant-eligible": ("ndte", "circle"),
    "newly-diagnosed-transplant-ineligible": ("ndti", "square"),
    "relapsed-refractory": ("rr", "diamond"),
    "smoldering": ("smm", "triangle"),
    "al-amyloidosis": ("al", "triangle-down"),
    "maintenance": ("maint", "hexagon"),
}
SHAPES = {
    # centred on (0, 0), about 12px across
    "circle": "M6,0A6,6 0 1 1 -6,0A6,6 0 1 1 6,0Z",
    "square": "M-5.5,-5.5H5.5V5.5H-5.5Z",
    "diamond": "M0,-7L7,0L0,7L-7,0Z",
    "triangle": "M0,-7L6.5,5.5H-6.5Z",
    "triangle-down": "M0,7L6.5,-5.5H-6.5Z",
    "hexagon": "M-3.5,-6H3.5L7,0L3.5,6H-3.5L-7,0Z",
}


@dataclass
class LegendItem:
    key: str
    label: str
    css: str
    shape: str
    path: str


def setting_legend(settings):
    items = []
    for value, label in SETTINGS:
        if value in settings:
            css, shape = SETTING_STYLES[value]
            items.append(LegendItem(value, label, css, shape, SHAPES[shape]))
    return items


# Forest plot --------------------------------------------------------------------

ROW = 46            # one publication: a label line and a whisker line
GROUP = 30          # a group heading (e.g. a setting)
TOP = 30            # column headings
AXIS_GAP = 10


@dataclass
class ForestRow:
    estimate: object
    y: int            # top of the row
    label_y: int
    line_y: int
    x: str            # the estimate
    x_low: str = ""
    x_high: str = ""
    clipped_low: bool = False
    clipped_high: bool = False
    label: str = ""
    detail: str = ""
    value: str = ""
    href: str = ""

    @property
    def hollow(self):
        return self.estimate.includes_one

    @property
    def tooltip(self):
        e = self.estimate
        return f"{e.trial_name}, {e.comparison}: hazard ratio {e.summary}. Source: {e.source}"


@dataclass
class Group:
    label: str
    y: int


@dataclass
class Tick:
    value: object
    x: str
    label: str
    minor: bool = False


@dataclass
class ForestPlot:
    id: str
    title: str
    description: str
    rows: list
    groups: list
    ticks: list
    no_effect_x: str
    rows_top: int
    axis_y: int
    height: int
    endpoint_words: str
    favours_left: str
    favours_right: str
    scale: object = None

    @property
    def has_hollow(self):
        return any(row.hollow for row in self.rows)

    @property
    def axis_x1(self):
        return self.ticks[0].x

    @property
    def axis_x2(self):
        return self.ticks[-1].x

    @property
    def label_bottom(self):
        return self.axis_y + 18

    @property
    def title_y(self):
        return self.axis_y + 38

    @property
    def favours_y(self):
        return self.axis_y + 58

    @property
    def favours_y2(self):
        return self.axis_y + 74


def forest_plot(groups, title, label=None, endpoint="pfs", id="forest", link="trial",
                favours_left=("← Favours the", "tested regimen"),
                favours_right=("Favours", "control →")):
    """Lay out one row per estimate (one publication) under optional headings.

    ``groups`` is ``[(heading, [Estimate])]``; an empty heading draws none.
    ``label(estimate) -> (label, detail)`` names a row (trial name and source
    by default). Rows link to their trial page, or with ``link="source"`` to
    the reference they come from (on the trial's own page).
    """
    groups = [(heading, list(items)) for heading, items in groups if items]
    estimates = [e for _, items in groups for e in items]
    if not estimates:
        return None
    values = [e.value for e in estimates]
    for e in estimates:
        if e.ci:
            values += list(e.ci)
    scale = ratio_scale(values)
    label = label or (lambda e: (e.trial_name, e.source))
    rows, headings = [], []
    y = TOP
    for heading, items in groups:
        if heading:
            headings.append(Group(heading, y + 20))
            y += GROUP
        for e in items:
            name, detail = label(e)
            row = ForestRow(e, y, y + 16, y + 33, _pct(scale(e.value)), label=name,
                            detail=detail, value=e.summary,
                            href=e.source_url if link == "source" else e.trial_url)
            if e.ci:
                row.x_low, row.x_high = _pct(scale(e.ci[0])), _pct(scale(e.ci[1]))
                row.clipped_low = e.ci[0] < scale.low
                row.clipped_high = e.ci[1] > scale.high
            rows.append(row)
            y += ROW
    axis_y = y + AXIS_GAP
    ticks = [Tick(t, _pct(scale(t)), f"{t:g}",
                  minor=t not in (scale.low, 1.0, scale.high) and t not in (0.5, 2.0))
             for t in scale.ticks()]
    words = fmt.endpoint_words(endpoint)
    below = sum(1 for e in estimates if e.ci and e.ci[1] < 1)
    with_ci = sum(1 for e in estimates if e.ci)
    trials = len({e.trial_slug for e in estimates})
    description = (
        f"Forest plot of {len(estimates)} hazard ratio{'s' if len(estimates) != 1 else ''} "
        f"for {words} from {trials} trial{'s' if trials != 1 else ''}, on a log scale from "
        f"{fmt.number(scale.low)} to {scale.high:g}, with a line of no effect at 1. "
        f"{below} of {with_ci} confidence interval{'s' if with_ci != 1 else ''} lie entirely "
        f"below 1 (a lower risk with the tested regimen). "
        + "; ".join(f"{e.trial_name} ({e.source}): {e.summary}" for e in estimates) + ".")
    return ForestPlot(
        id=id, title=title, description=description, rows=rows,
        groups=headings, ticks=ticks, no_effect_x=_pct(scale(1.0)), rows_top=TOP - 6,
        axis_y=axis_y, height=axis_y + 84, endpoint_words=words,
        favours_left=favours_left, favours_right=favours_right, scale=scale)


# Approval timeline -----------------------------------------------------------------

LINE = 28


@dataclass
class Mark:
    row: object          # data.ApprovalRow
    x: str
    y: int
    anchor: str          # where the label sits: "start" (right of the mark) or "end"
    css: str
    shape: str           # the name of a SHAPES entry (drawn through <use>)
    label: str

    @property
    def label_dx(self):
        return 11 if self.anchor == "start" else -11

    @property
    def hollow(self):
        return self.row.approval.type == "accelerated"

    @property
    def ringed(self):
        return self.row.approval.type == "conversion"

    @property
    def tooltip(self):
        a = self.row.approval
        return f"{self.row.name}: {a.agency} {approval_kind(a)}, {a.date:%-d %B %Y}, " \
               f"{self.row.setting_label}"


def approval_kind(approval):
    """"accelerated approval", or "approval (kind not stated)" when the source does not say."""
    if not approval.type:
        return "approval (kind not stated)"
    return f"{approval.get_type_display().lower()} approval"


@dataclass
class Timeline:
    id: str
    title: str
    description: str
    marks: list
    ticks: list
    legend: list
    top: int
    bottom: int
    height: int
    types: list


def approval_timeline(rows, title, id="timeline"):
    rows = list(rows)
    if not rows:
        return None
    scale = year_scale([r.approval.date for r in rows])
    top = 34
    marks = []
    for index, row in enumerate(rows):
        a = row.approval
        x = scale(a.date)
        css, shape = SETTING_STYLES.get(a.setting, ("other", "circle"))
        anchor = "start" if x < 58 else "end"
        marks.append(Mark(row, _pct(x), top + index * LINE + LINE // 2, anchor,
                          css, shape, f"{row.name}, {a.agency}"))
    bottom = top + len(rows) * LINE
    ticks = []
    for date in scale.ticks():
        if date == scale.last and date > rows[-1].approval.date:
            label = ""  # the closing edge of the axis
        else:
            label = str(date.year)
        # On a phone every other year is left unlabelled when there are many.
        many = scale.last.year - scale.first.year > 6
        ticks.append(Tick(date, _pct(scale(date)), label, minor=many and date.year % 2 == 1))
    years = sorted({r.approval.date.year for r in rows})
    description = (
        f"Timeline of {len(rows)} approval{'s' if len(rows) != 1 else ''} from {years[0]} to "
        f"{years[-1]}, one row each, ordered by date; the shape and colour of each mark give "
        f"the setting, a hollow mark an accelerated approval, a ringed mark a conversion to "
        f"regular approval. "
        + "; ".join(f"{r.approval.date:%B %Y}: {r.name} ({r.approval.agency}, "
                    f"{r.setting_label}, {approval_kind(r.approval)})" for r in rows)
        + ".")
    types = sorted({r.approval.type for r in rows})
    return Timeline(id, title, description, marks, ticks,
                    setting_legend({r.approval.setting for r in rows}), top, bottom,
                    bottom + 34, types)


# Knowledge map -----------------------------------------------------------------------

@dataclass
class Node:
    key: str
    article: object
    label: str
    column: int
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 22
    order: float = 0

    @property
    def cx(self):
        return self.x + self.width / 2

    @property
    def text_y(self):
        return self.y + self.height / 2 + 4


@dataclass
class Edge:
    source: Node
    target: Node
    path: str = ""


@dataclass
class KnowledgeMap:
    id: str
    title: str
    description: str
    columns: list        # [(heading, x_centre)]
    nodes: list
    edges: list
    width: int
    height: int


MAP_COLUMNS = [  # heading, left x, node width
    ("Target", 4, 64),
    ("How it works", 100, 256),
    ("CD38 therapies", 388, 200),
    ("Combinations", 620, 96),
    ("Trials", 748, 108),
]
MAP_WIDTH = 860
MAP_ROW = 30
MAP_TOP = 40


def knowledge_map(graph, title, id="map"):
    """Lay out ``graph`` (``graph.map_graph()``) in five columns.

    Node order inside each column follows the mean position of its
    neighbours (a few barycentre sweeps), which keeps most edges short and
    uncrossed.
    """
    nodes = {key: Node(key, article, label, column)
             for key, article, label, column in graph["nodes"]}
    edges = graph["edges"]          # [(source key, target key)]
    if not nodes:
        return None
    columns = [[n for n in nodes.values() if n.column == c] for c in range(len(MAP_COLUMNS))]
    for column in columns:
        column.sort(key=lambda n: n.label.lower())
        _renumber(column)
    neighbours = {key: [] for key in nodes}
    for a, b in edges:
        neighbours[a].append(b)
        neighbours[b].append(a)
    for _ in range(4):
        for index in list(range(1, len(columns))) + list(range(len(columns) - 2, -1, -1)):
            column = columns[index]
            for node in column:
                near = [nodes[k].order for k in neighbours[node.key]]
                node.order = sum(near) / len(near) if near else node.order
            column.sort(key=lambda n: n.order)
            _renumber(column)
    tallest = max(len(c) for c in columns)
    inner = tallest * MAP_ROW
    for index, column in enumerate(columns):
        _, left, width = MAP_COLUMNS[index]
        step = inner / max(len(column), 1)
        for position, node in enumerate(column):
            node.x, node.width = left, width
            node.y = round(MAP_TOP + step * (position + 0.5) - node.height / 2, 1)
    edge_list = []
    for a, b in edges:
        source, target = nodes[a], nodes[b]
        x1, y1 = source.x + source.width, source.y + source.height / 2
        x2, y2 = target.x, target.y + target.height / 2
        bend = (x2 - x1) / 2
        edge_list.append(Edge(source, target,
                              f"M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} "
                              f"{x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"))
    ordered = [n for column in columns for n in column]
    counts = [len(c) for c in columns]
    description = (
        f"Diagram in five columns, linked left to right: {', '.join(n.label for n in columns[0])} "
        f"→ {counts[1]} mechanisms → {counts[2]} CD38 therapies → {counts[3]} combinations → "
        f"{counts[4]} trials. The table after the diagram lists the same links.")
    return KnowledgeMap(id, title, description,
                        [(heading, left + width / 2) for heading, left, width in MAP_COLUMNS],
                        ordered, edge_list, MAP_WIDTH, int(MAP_TOP + inner + 12))


def _renumber(column):
    size = max(len(column), 1)
    for position, node in enumerate(column):
        node.order = (position + 0.5) / size
