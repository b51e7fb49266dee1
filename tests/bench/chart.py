# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The report's charts, drawn with matplotlib (tests/bench/requirements.txt, installed by make bench)."""

import matplotlib

matplotlib.use('Agg')  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402 pylint: disable=wrong-import-position

WIDTH, HEIGHT, DPI = 9.6, 6.4, 100


class Series:
    """One line: a label for the legend, an RGB colour (0-255), points [(x, y)], optionally dashed and without
    markers, and optionally a (low, high) range per point drawn as an error bar."""

    def __init__(self, label, color, points, dashed=False, markers=True, ranges=None):
        self.label = label
        self.color = color
        self.points = points
        self.dashed = dashed
        self.markers = markers
        self.ranges = ranges or []


def _rgb(color):
    return tuple(channel / 255.0 for channel in color)


def line_chart(path, title, x_label, y_label, series, x_ticks):
    figure, axes = plt.subplots(figsize=(WIDTH, HEIGHT), dpi=DPI)
    for line in series:
        xs = [x for x, dummy in line.points]
        ys = [y for dummy, y in line.points]
        style = dict(color=_rgb(line.color), linewidth=2, linestyle='--' if line.dashed else '-',
                     marker='s' if line.markers else None, label=line.label)
        if line.ranges:
            low = [y - lo for y, (lo, dummy) in zip(ys, line.ranges)]
            high = [hi - y for y, (dummy, hi) in zip(ys, line.ranges)]
            axes.errorbar(xs, ys, yerr=[low, high], capsize=4, **style)
        else:
            axes.plot(xs, ys, **style)
    axes.set_xticks(x_ticks)
    axes.set_xlim(0, x_ticks[-1] * 1.02)
    axes.set_ylim(bottom=0)
    _finish(figure, axes, path, title, x_label, y_label)


def grouped_bars(path, title, y_label, groups, bars, reference=None):
    """groups: the x labels; bars: [(label, RGB, [value per group])] drawn side by side in each group; reference:
    (label, value) of a dashed horizontal line."""
    figure, axes = plt.subplots(figsize=(WIDTH, HEIGHT), dpi=DPI)
    if reference:
        axes.axhline(reference[1], color='black', linestyle='--', linewidth=1, label=reference[0])
    width = 0.8 / max(len(bars), 1)
    for index, (label, color, values) in enumerate(bars):
        xs = [group + (index - (len(bars) - 1) / 2.0) * width for group in range(len(groups))]
        axes.bar(xs, [value or 0 for value in values], width, color=_rgb(color), label=label)
    axes.set_xticks(range(len(groups)))
    axes.set_xticklabels(groups, rotation=20, ha='right')
    # Headroom above the tallest bar and the reference line, so that the legend covers no bar.
    tallest = max([value or 0 for dummy, dummy, values in bars for value in values] + [reference[1] if reference else 0])
    axes.set_ylim(0, tallest * 1.45)
    _finish(figure, axes, path, title, None, y_label, legend_columns=2)


def _finish(figure, axes, path, title, x_label, y_label, legend_columns=1):
    axes.set_title(title, loc='left')
    if x_label:
        axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.grid(True, color='#e1e1e1')
    axes.set_axisbelow(True)
    axes.legend(loc='upper left', fontsize='small', ncol=legend_columns)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
