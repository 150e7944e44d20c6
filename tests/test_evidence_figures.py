"""Scales and figure layouts (issue #6), without a database: data in, geometry out."""
import datetime
import math
import types

import pytest

from kb.evidence import figures, format as fmt
from kb.evidence.data import Estimate
from kb.evidence.scales import DateScale, LogScale, ratio_scale, year_scale


def estimate(value, ci=None, level=95, trial="maia", endpoint="pfs", source="Facon 2019"):
    return Estimate(trial_slug=trial, trial_name=trial.upper(), trial_url=f"/trials/{trial}/",
                    setting="relapsed-refractory", regimen="D-Rd", control="Rd",
                    endpoint=endpoint, value=value, ci=ci, ci_level=level if ci else None,
                    reference_key="ref", source=source)


def pct(text):
    assert text.endswith("%"), text
    return float(text[:-1])


# Scales --------------------------------------------------------------------------

def test_log_scale_puts_equal_ratios_at_equal_distances():
    scale = LogScale(0.25, 4.0, start=0, end=100)
    assert scale(1.0) == pytest.approx(50)
    assert scale(0.5) - scale(0.25) == pytest.approx(scale(2.0) - scale(1.0))
    assert scale(0.56) == pytest.approx(100 * math.log(0.56 / 0.25) / math.log(16))


def test_log_scale_clamps_values_outside_its_domain():
    scale = LogScale(0.2, 2.0)
    assert scale(0.01) == scale.start and scale(50) == scale.end


def test_log_scale_refuses_a_domain_that_is_not_positive():
    with pytest.raises(ValueError):
        LogScale(0, 1)


def test_ratio_scale_spans_nice_ticks_around_the_data_and_one():
    scale = ratio_scale([0.56, 0.43, 0.73])
    assert (scale.low, scale.high) == (0.3, 1.5)
    assert scale.ticks() == [0.3, 0.5, 0.7, 1.0, 1.5]
    wide = ratio_scale([0.27, 2.4])
    assert (wide.low, wide.high) == (0.2, 3.0)


def test_year_scale_runs_from_new_year_to_new_year():
    scale = year_scale([datetime.date(2015, 11, 16), datetime.date(2020, 3, 2)])
    assert (scale.first, scale.last) == (datetime.date(2015, 1, 1), datetime.date(2021, 1, 1))
    assert [t.year for t in scale.ticks()] == [2015, 2016, 2017, 2018, 2019, 2020, 2021]
    mid = scale(datetime.date(2019, 6, 27))
    assert scale(datetime.date(2018, 1, 1)) < mid < scale(datetime.date(2020, 1, 1))


def test_date_scale_is_linear_in_days():
    scale = DateScale(datetime.date(2018, 1, 1), datetime.date(2020, 1, 1), start=0, end=100)
    assert scale(datetime.date(2019, 1, 1)) == pytest.approx(100 * 365 / 730)


# Forest plot layout -------------------------------------------------------------------

def test_forest_plot_places_the_estimate_and_whiskers_on_the_log_scale():
    plot = figures.forest_plot([("", [estimate(0.56, (0.43, 0.73)), estimate(0.37, (0.27, 0.52),
                                                                           trial="pollux")])],
                               "PFS")
    row = plot.rows[0]
    scale = plot.scale
    assert pct(row.x) == pytest.approx(scale(0.56), abs=0.01)
    assert pct(row.x_low) == pytest.approx(scale(0.43), abs=0.01)
    assert pct(row.x_high) == pytest.approx(scale(0.73), abs=0.01)
    # Left of the line of no effect, and the whisker spans the estimate.
    assert pct(row.x_low) < pct(row.x) < pct(row.x_high) < pct(plot.no_effect_x)
    assert pct(plot.no_effect_x) == pytest.approx(scale(1.0), abs=0.01)
    # Rows stack downwards; the axis sits below the last one.
    assert plot.rows[0].line_y < plot.rows[1].line_y < plot.axis_y < plot.height


def test_forest_plot_marks_intervals_that_include_one_and_clipped_whiskers():
    plot = figures.forest_plot([("", [estimate(0.78, (0.59, 1.02), endpoint="os")])], "OS")
    assert plot.rows[0].hollow
    assert not plot.rows[0].clipped_high
    plain = figures.forest_plot([("", [estimate(0.56, (0.43, 0.73))])], "PFS")
    assert not plain.rows[0].hollow


def test_forest_plot_without_an_interval_draws_only_the_estimate():
    plot = figures.forest_plot([("", [estimate(0.53)])], "PFS")
    assert plot.rows[0].x_low == "" and plot.rows[0].value == "0.53"


def test_forest_plot_group_headings_come_before_their_rows():
    plot = figures.forest_plot([("Relapsed", [estimate(0.37, (0.27, 0.52))]),
                                ("Newly diagnosed", [estimate(0.56, (0.43, 0.73))])], "PFS")
    assert [g.label for g in plot.groups] == ["Relapsed", "Newly diagnosed"]
    assert plot.groups[0].y < plot.rows[0].label_y < plot.groups[1].y < plot.rows[1].label_y


def test_forest_plot_description_states_the_data():
    plot = figures.forest_plot([("", [estimate(0.56, (0.43, 0.73))])], "PFS")
    assert "1 hazard ratio for progression-free survival from 1 trial" in plot.description
    assert "1 of 1 confidence interval lie entirely below 1" in plot.description
    assert "MAIA (Facon 2019): 0.56 (95% CI 0.43–0.73)" in plot.description


def test_forest_plot_of_nothing_is_none():
    assert figures.forest_plot([("", [])], "PFS") is None


# Timeline layout ------------------------------------------------------------------------

def approval_row(date, setting="relapsed-refractory", kind="regular", name="D-Rd"):
    approval = types.SimpleNamespace(date=date, setting=setting, type=kind, agency="FDA",
                                     get_type_display=lambda: kind.title())
    return types.SimpleNamespace(approval=approval, name=name, setting_label=setting,
                                 regimen=None)


def test_timeline_places_a_mark_between_the_years_around_it():
    rows = [approval_row(datetime.date(2015, 11, 16), kind="accelerated"),
            approval_row(datetime.date(2019, 6, 27), "newly-diagnosed-transplant-ineligible"),
            approval_row(datetime.date(2020, 3, 2))]
    plot = figures.approval_timeline(rows, "Approvals")
    ticks = {t.value.year: pct(t.x) for t in plot.ticks}
    mark = plot.marks[1]
    assert ticks[2018] < pct(mark.x) < ticks[2020]
    share = (datetime.date(2019, 6, 27) - datetime.date(2018, 1, 1)).days / \
        (datetime.date(2020, 1, 1) - datetime.date(2018, 1, 1)).days
    assert pct(mark.x) == pytest.approx(ticks[2018] + share * (ticks[2020] - ticks[2018]),
                                        abs=0.02)
    # One row per approval, in date order; setting gives shape and colour.
    assert [m.y for m in plot.marks] == sorted(m.y for m in plot.marks)
    assert (mark.css, mark.shape) == ("ndti", "square")
    assert plot.marks[0].hollow and not mark.hollow
    assert [item.key for item in plot.legend] == ["newly-diagnosed-transplant-ineligible",
                                                  "relapsed-refractory"]


def test_timeline_labels_stay_inside_the_figure():
    rows = [approval_row(datetime.date(2015, 1, 2)), approval_row(datetime.date(2025, 12, 1))]
    plot = figures.approval_timeline(rows, "Approvals")
    assert [m.anchor for m in plot.marks] == ["start", "end"]



def test_an_approval_of_unstated_kind_reads_as_such():
    from kb.models import Approval
    stated = Approval(date=datetime.date(2015, 11, 16), type="accelerated", agency="FDA")
    unstated = Approval(date=datetime.date(2020, 5, 1), type="", agency="FDA")
    rows = [types.SimpleNamespace(approval=a, name="Daratumumab", setting_label="Relapsed",
                                  regimen=None) for a in (stated, unstated)]
    plot = figures.approval_timeline(rows, "Approvals")
    assert [m.tooltip for m in plot.marks] == [
        "Daratumumab: FDA accelerated approval, 16 November 2015, Relapsed",
        "Daratumumab: FDA approval (kind not stated), 1 May 2020, Relapsed"]
    assert "(FDA, Relapsed, approval (kind not stated))" in plot.description


# Words and numbers ------------------------------------------------------------------------

def test_numbers_keep_the_precision_they_were_given():
    assert [fmt.number(v) for v in (0.5, 0.56, 0.596, 70.6, 64.0)] == \
        ["0.50", "0.56", "0.596", "70.6", "64"]
    assert fmt.interval((0.41, 0.88), 98.5) == "98.5% CI 0.41–0.88"


@pytest.mark.parametrize("citation, note, expected", [
    ("Facon T, et al. Daratumumab plus lenalidomide. N Engl J Med. 2019;380:2104-15.", "",
     "Facon 2019"),
    ("Dimopoulos MA, et al. Something. 2016.", "", "Dimopoulos 2016"),
    ("US Food and Drug Administration. FDA approves isatuximab. 2024.", "", "FDA 2024"),
    ("FDA approves isatuximab-irfc. ONS Voice, 2021.", "FDA analysis by independent review",
     "FDA analysis"),
    ("Isatuximab-irfc approved for multiple myeloma. ASH Clinical News, 2020.", "",
     "Reference 3"),
    ("Myeloma newsletter. MAIA results (report of Facon T, et al. Lancet Oncol. 2021). 2022.",
     "", "Facon 2021"),
])
def test_source_labels_name_the_publication(citation, note, expected):
    reference = types.SimpleNamespace(citation=citation, number=3)
    assert fmt.source_label(reference, note) == expected


def test_short_names():
    item = types.SimpleNamespace
    assert fmt.short_title(item(kind="combinations", title="D-Rd: daratumumab and more")) == "D-Rd"
    assert fmt.short_title(item(kind="trials", title="MAIA (D-Rd without transplant)")) == "MAIA"
    assert fmt.short_title(item(kind="mechanisms", title="Antibody-dependent cellular "
                                                         "cytotoxicity (ADCC)")) == "ADCC"
    assert fmt.short_title(item(kind="mechanisms", title="Apoptosis (programmed cell death)")) \
        == "Apoptosis"
    assert fmt.short_arm("Subcutaneous daratumumab, up to 36 months") == "Subcutaneous daratumumab"


def test_outcome_text_names_arms_and_units():
    trial = types.SimpleNamespace(arms=[{"id": "experimental", "label": "D-Rd (dara + Rd)"},
                                        {"id": "control", "label": "Rd"}])
    assert fmt.outcome_text(trial, {"endpoint": "pfs", "measure": "landmark", "months": 30.0,
                                    "values": {"experimental": 70.6, "control": 55.6}}) == \
        "PFS at 30 months: D-Rd 70.6% vs Rd 55.6%"
    # Arms in the trial's order, whatever order the database returns a mapping in.
    assert fmt.outcome_text(trial, {"endpoint": "pfs", "measure": "landmark", "months": 30.0,
                                    "values": {"control": 55.6, "experimental": 70.6}}) == \
        "PFS at 30 months: D-Rd 70.6% vs Rd 55.6%"
    assert fmt.outcome_text(trial, {"endpoint": "pfs", "measure": "median",
                                    "values": {"experimental": "not reached",
                                               "control": 34.4}}) == \
        "Median PFS: D-Rd not reached vs Rd 34.4 months"
    assert fmt.outcome_text(trial, {"endpoint": "os", "measure": "hazard-ratio", "value": 0.68,
                                    "ci": [0.53, 0.86], "ci_level": 95.0}) == \
        "OS hazard ratio 0.68 (95% CI 0.53–0.86)"
    assert fmt.outcome_text(trial, {"endpoint": "orr", "measure": "rate", "value": 29.2,
                                    "ci": [20.8, 38.9], "ci_level": 95.0}) == \
        "ORR: 29.2% (95% CI 20.8%–38.9%)"
