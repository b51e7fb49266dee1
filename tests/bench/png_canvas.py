# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A tiny RGB raster (lines, rectangles, bitmap text) saved as PNG with the standard library only."""

import struct
import zlib

import font5x8

WHITE = (255, 255, 255)


class Canvas:
    def __init__(self, width, height, background=WHITE):
        self.width = width
        self.height = height
        self.pixels = [bytearray(bytes(background) * width) for dummy in range(height)]

    def dot(self, x, y, color):
        if 0 <= x < self.width and 0 <= y < self.height:
            self.pixels[y][3 * x:3 * x + 3] = bytes(color)

    def rect(self, x0, y0, x1, y1, color):
        """Fill the rectangle with corners (x0, y0) and (x1, y1), both included."""
        for y in range(max(min(y0, y1), 0), min(max(y0, y1) + 1, self.height)):
            for x in range(max(min(x0, x1), 0), min(max(x0, x1) + 1, self.width)):
                self.dot(x, y, color)

    def line(self, x0, y0, x1, y1, color, thickness=1, dash=None):
        """A straight line; ``dash`` = (on, off) in pixels draws it dashed."""
        x0, y0, x1, y1 = int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        low, high = -((thickness - 1) // 2), thickness // 2
        for step in range(steps + 1):
            if dash and step % sum(dash) >= dash[0]:
                continue
            x = x0 + (x1 - x0) * step / steps
            y = y0 + (y1 - y0) * step / steps
            self.rect(int(round(x)) + low, int(round(y)) + low, int(round(x)) + high, int(round(y)) + high, color)

    def text(self, x, y, string, color, scale=2):
        """Draw ``string`` with its top-left corner at (x, y); returns the width drawn."""
        advance = (font5x8.WIDTH + 1) * scale
        for index, char in enumerate(string):
            left = x + index * advance
            for column, bits in enumerate(font5x8.columns(char)):
                for row in range(font5x8.HEIGHT):
                    if bits >> row & 1:
                        self.rect(left + column * scale, y + row * scale, left + (column + 1) * scale - 1,
                                  y + (row + 1) * scale - 1, color)
        return len(string) * advance

    @staticmethod
    def text_width(string, scale=2):
        return len(string) * (font5x8.WIDTH + 1) * scale

    def save(self, path):
        raw = b''.join(b'\x00' + bytes(row) for row in self.pixels)
        header = struct.pack('>IIBBBBB', self.width, self.height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
        with open(path, 'wb') as handle:
            handle.write(b'\x89PNG\r\n\x1a\n')
            for kind, data in ((b'IHDR', header), (b'IDAT', zlib.compress(raw, 9)), (b'IEND', b'')):
                handle.write(struct.pack('>I', len(data)) + kind + data)
                handle.write(struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
