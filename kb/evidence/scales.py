"""Scales: data values to positions along a figure's axis.

Positions are percentages of the figure's width, so the SVG stretches to its
container while its text keeps the page's font size (a viewBox would shrink
labels to unreadable sizes on a 375px phone). Heights are in pixels.
"""
import datetime
import math
from dataclasses import dataclass

# Hazard ratio ticks: the values readers know from papers.
NICE_RATIOS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)


@dataclass(frozen=True)
class LogScale:
    """log(value) mapped linearly onto [start, end] percent of the width."""
    low: float
    high: float
    start: float = 4.0
    end: float = 96.0
    # A scale is callable: without this, {{ plot.scale.low }} calls it with no
    # argument, fails (slowly, through inspect.signature) and prints "".
    do_not_call_in_templates = True

    def __post_init__(self):
        if not 0 < self.low < self.high:
            raise ValueError(f"a log scale needs 0 < low < high, not {self.low}, {self.high}")

    def __call__(self, value):
        # Values beyond the domain are clamped: a whisker that runs off the
        # plot is drawn to its edge (and flagged with an arrow by the caller).
        value = min(max(value, self.low), self.high)
        share = math.log(value / self.low) / math.log(self.high / self.low)
        return self.start + share * (self.end - self.start)

    def contains(self, value):
        return self.low <= value <= self.high

    def ticks(self):
        return [t for t in NICE_RATIOS if self.low <= t <= self.high]


def ratio_scale(values, start=4.0, end=96.0):
    """A log scale whose domain runs between nice ticks around ``values`` and 1."""
    values = [v for v in values if v and v > 0] + [1.0]
    low, high = min(values), max(values)
    below = [t for t in NICE_RATIOS if t <= low]
    above = [t for t in NICE_RATIOS if t >= high]
    low = below[-1] if below else low
    high = above[0] if above else high
    # Keep room right of the no-effect line for its label ("favours control").
    high = max(high, 1.5)
    return LogScale(low, high, start, end)


@dataclass(frozen=True)
class DateScale:
    """Dates mapped linearly onto [start, end] percent of the width."""
    first: datetime.date
    last: datetime.date
    start: float = 6.0     # room for the first year's label on a phone
    end: float = 96.0

    def __post_init__(self):
        if not self.first < self.last:
            raise ValueError(f"a date scale needs first < last, not {self.first}, {self.last}")

    def __call__(self, date):
        span = (self.last - self.first).days
        share = (date - self.first).days / span
        return self.start + share * (self.end - self.start)

    def ticks(self):
        """1 January of every year in the domain."""
        return [datetime.date(year, 1, 1) for year in range(self.first.year, self.last.year + 1)
                if self.first <= datetime.date(year, 1, 1) <= self.last]


def year_scale(dates, start=6.0, end=96.0):
    """From 1 January of the first date's year to 1 January after the last one."""
    first = min(dates)
    last = max(dates)
    return DateScale(datetime.date(first.year, 1, 1), datetime.date(last.year + 1, 1, 1),
                     start, end)
