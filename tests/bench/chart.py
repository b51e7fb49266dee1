# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A line chart (linear axes, grid, markers, legend) drawn on png_canvas."""

import math

from png_canvas import Canvas

BLACK = (30, 30, 30)
GRID = (225, 225, 225)
WIDTH, HEIGHT = 960, 680
LEFT, RIGHT, TOP, BOTTOM = 100, 40, 70, 230


class Series:
    """One line: a label for the legend, an RGB colour, points [(x, y)], optionally dashed and without markers,
    and optionally a (low, high) range per point drawn as a vertical bar."""

    def __init__(self, label, color, points, dashed=False, markers=True, ranges=None):
        self.label = label
        self.color = color
        self.points = points
        self.dashed = dashed
        self.markers = markers
        self.ranges = ranges or []


def nice_ticks(high, count=6):
    """Round tick values from 0 to at least ``high``."""
    raw = max(high, 1e-9) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * index for index in range(int(math.ceil(high / step)) + 1)]


def _label(value):
    return ('%g' % value) if value < 10000 else '{:,}'.format(int(value))


def line_chart(path, title, x_label, y_label, series, x_ticks):
    canvas = Canvas(WIDTH, HEIGHT)
    highest = max([y for line in series for dummy, y in line.points] +
                  [high for line in series for dummy, high in line.ranges])
    y_ticks = nice_ticks(highest)
    x_max, y_max = x_ticks[-1], y_ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x, y):
        return LEFT + x / x_max * plot_w, TOP + plot_h - y / y_max * plot_h

    canvas.text(LEFT, 20, title, BLACK)
    for value in y_ticks:
        dummy, y = at(0, value)
        canvas.line(LEFT, y, LEFT + plot_w, y, GRID)
        label = _label(value)
        canvas.text(LEFT - 12 - Canvas.text_width(label), int(y) - 8, label, BLACK)
    for value in x_ticks:
        x, dummy = at(value, 0)
        canvas.line(x, TOP, x, TOP + plot_h, GRID)
        label = _label(value)
        canvas.text(int(x) - Canvas.text_width(label) // 2, TOP + plot_h + 12, label, BLACK)
    canvas.line(LEFT, TOP, LEFT, TOP + plot_h, BLACK, 2)
    canvas.line(LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h, BLACK, 2)
    canvas.text(LEFT - 12 - Canvas.text_width(y_label), TOP - 30, y_label, BLACK)
    canvas.text(LEFT + plot_w - Canvas.text_width(x_label), TOP + plot_h + 40, x_label, BLACK)

    ranged = 0
    for line in series:
        points = [at(x, y) for x, y in line.points]
        shift = 8 * ranged  # bars of several lines at one x side by side
        ranged += bool(line.ranges)
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            canvas.line(x0, y0, x1, y1, line.color, 3, dash=(10, 8) if line.dashed else None)
        for (x, dummy), (low, high) in zip(line.points, line.ranges):
            (left, top), (dummy, bottom) = at(x, high), at(x, low)
            left += shift
            canvas.line(left, top, left, bottom, line.color)
            canvas.line(left - 5, top, left + 5, top, line.color)
            canvas.line(left - 5, bottom, left + 5, bottom, line.color)
        if line.markers:
            for x, y in points:
                canvas.rect(int(x) - 4, int(y) - 4, int(x) + 4, int(y) + 4, line.color)

    legend_y = TOP + plot_h + 75
    for index, line in enumerate(series):
        y = legend_y + index * 22
        canvas.line(LEFT, y + 7, LEFT + 40, y + 7, line.color, 3, dash=(10, 8) if line.dashed else None)
        canvas.text(LEFT + 52, y, line.label, BLACK)
    canvas.save(path)
