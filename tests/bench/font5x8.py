# -*- coding: utf-8 -*-
# Copyright: (c) 2026, dcops.bitbucket contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A 5x8 bitmap font for printable ASCII (the classic 5x7 LCD font with descenders), for the benchmark chart.

Each glyph is five columns, left to right; in each column byte, bit 0 is the top row and bit 7 the bottom row.
"""

WIDTH = 5
HEIGHT = 8

_GLYPHS = (
    ' 0000000000 00005f0000 0007000700 147f147f14 242a7f2a12 2313086462 3649562050 0008070300'  # space ! " # $ % & '
    ' 001c224100 0041221c00 2a1c7f1c2a 08083e0808 0080703000 0808080808 0000606000 2010080402'  # ( ) * + , - . /
    ' 3e5149453e 00427f4000 7249494946 2141494d33 1814127f10 2745454539 3c4a494931 4121110907'  # 0 1 2 3 4 5 6 7
    ' 3649494936 464949291e 0000140000 0040340000 0008142241 1414141414 0041221408 0201590906'  # 8 9 : ; < = > ?
    ' 3e415d594e 7c1211127c 7f49494936 3e41414122 7f4141413e 7f49494941 7f09090901 3e41415173'  # @ A B C D E F G
    ' 7f0808087f 00417f4100 2040413f01 7f08142241 7f40404040 7f021c027f 7f0408107f 3e4141413e'  # H I J K L M N O
    ' 7f09090906 3e4151215e 7f09192946 2649494932 03017f0103 3f4040403f 1f2040201f 3f4038403f'  # P Q R S T U V W
    ' 6314081463 0304780403 6159494d43 007f414141 0204081020 004141417f 0402010204 4040404040'  # X Y Z [ \ ] ^ _
    ' 0003070800 2054547840 7f28444438 3844444428 384444287f 3854545418 00087e0902 18a4a49c78'  # ` a b c d e f g
    ' 7f08040478 00447d4000 2040403d00 7f10284400 00417f4000 7c04780478 7c08040478 3844444438'  # h i j k l m n o
    ' fc18242418 18242418fc 7c08040408 4854545424 04043f4424 3c4040207c 1c2040201c 3c4030403c'  # p q r s t u v w
    ' 4428102844 4c9090907c 4464544c44 0008364100 0000770000 0041360800 0201020402'              # x y z { | } ~
)

GLYPHS = dict((chr(32 + index), bytes.fromhex(code)) for index, code in enumerate(_GLYPHS.split()))


def columns(char):
    """The five column bytes of ``char`` ('?' for characters the font does not have)."""
    return GLYPHS.get(char, GLYPHS['?'])
