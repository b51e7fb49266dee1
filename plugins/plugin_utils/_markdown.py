# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Markdown pieces for the reports people read (fleet and drift summaries). FOR INTERNAL COLLECTION USE ONLY."""

from __future__ import annotations

EMPTY = '-'


def cell(value):
    """One table cell: None as '-', and nothing that breaks the row (pipes escaped, line breaks as spaces)."""
    if value is None or value == '':
        return EMPTY
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    return ' '.join(str(value).split()).replace('|', '\\|')


def inline(value):
    """Text inside a line of prose or a list item: on one line, and code spans for names."""
    return ' '.join(str(value).split())


def code(value):
    """A name or value as a code span; backticks inside are replaced so that the span stays closed."""
    return '`%s`' % inline(value).replace('`', "'")


def table(headers, rows):
    """A GitHub-flavoured Markdown table as a list of lines."""
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '---|' * len(headers)]
    lines += ['| ' + ' | '.join(cell(value) for value in row) + ' |' for row in rows]
    return lines
