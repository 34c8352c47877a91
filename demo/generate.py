#!/usr/bin/env python3
"""generate.py - the demo store that `make run` shows: catalog, images, collections.

    python3 demo/generate.py OUT_DIR [--seed N]

Writes into OUT_DIR:
  catalog.csv        264 products of a made-up general store in Shopify's classic
                     product CSV columns (what `souk import shopify` reads):
                     variants (Size x Color, Color, Size, Grind, ...), prices,
                     sales, stock (some sold out, a few on backorder), tags,
                     HTML descriptions, SEO fields, 1-3 images each and a
                     Variant Image for every colour that has a picture.
  media/demo/*.svg   the images, drawn here as flat SVG illustrations (600x600)
                     of each kind of product, in the variant's colour. Image
                     Src in the CSV is the relative media path "demo/NAME.svg",
                     which the storefront serves at /media/demo/NAME.svg once
                     the files are in DATA_DIR/media/demo.
  collections.json   the collections, parents before children, with their
                     product handles in order ({"collections": [{handle,
                     title, body_html, parent, featured, products}]}). Shopify's
                     product CSV has no collections, so demo/load.sh creates
                     these through the admin API.

Deterministic: the same seed writes the same bytes (no clock, no hash(), no
set ordering). Python 3 standard library only; nothing is fetched."""

import argparse
import csv
import io
import json
import os
import random
import re
import sys
import zlib

# ---------------------------------------------------------------------------
# Colours

COLORS = {
    "Navy": "#2e3f5c", "Oat": "#d8c8a8", "Forest": "#2f5a45", "Rust": "#b0532e",
    "Charcoal": "#3b3f45", "Sky": "#86aed1", "Sand": "#cdb48a", "Clay": "#b8735a",
    "Sage": "#98ad8c", "Mustard": "#d1a23a", "Plum": "#6e3f5c", "Ivory": "#f1ebdc",
    "Black": "#2a2b2f", "White": "#f7f6f2", "Rose": "#d79a98", "Teal": "#2b7b78",
    "Cobalt": "#2f5bb0", "Olive": "#6d6e3f", "Terracotta": "#c4683f",
    "Heather Gray": "#9a9ca0", "Brick": "#9c3d2e", "Butter": "#efd58a",
    "Lilac": "#b6a3cf", "Moss": "#5f7349", "Cognac": "#9a5b2e", "Tan": "#c29264",
    "Chestnut": "#6e4026", "Stone": "#b9b2a4", "Copper": "#b87333",
    "Brushed Steel": "#aeb4ba", "Brass": "#c9a449", "Tortoise": "#7a4a28",
    # glazes
    "Celadon": "#a9c4b0", "Speckled White": "#efebe2", "Ink Blue": "#2c4a6e",
    "Oatmeal": "#d9ccb4", "Sea Green": "#5f9c8e", "Rose Clay": "#c98d80",
    "Honey": "#d6a04a", "Slate": "#5d6670",
}

BACKGROUNDS = [("cream", "#f3ede3"), ("mist", "#e7edf0"), ("pale sage", "#eaeee2"),
               ("blush", "#f4e7e1"), ("lavender", "#ebe8f1"), ("butter", "#f3eed9"),
               ("seafoam", "#e3ede8"), ("shell", "#f1e6ea")]
# For pale products, so they do not melt into the page.
BACKGROUNDS_DEEP = [("slate blue", "#cfd9df"), ("sand", "#dccdb8"), ("moss", "#cbd5c3"),
                    ("dusty rose", "#dcc6c7")]


def hex_rgb(h):
    return int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)


def rgb_hex(r, g, b):
    return "#%02x%02x%02x" % (max(0, min(255, round(r))), max(0, min(255, round(g))),
                              max(0, min(255, round(b))))


def mix(a, b, t):
    ra, ga, ba = hex_rgb(a)
    rb, gb, bb = hex_rgb(b)
    return rgb_hex(ra + (rb - ra) * t, ga + (gb - ga) * t, ba + (bb - ba) * t)


def luminance(h):
    r, g, b = hex_rgb(h)
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


class Pal:
    """The colours one drawing uses: c main, d darker, dd darkest, l lighter."""

    def __init__(self, c, bg):
        self.c = c
        light = luminance(c) > 0.72
        self.d = mix(c, "#000000", 0.30 if light else 0.28)
        self.dd = mix(c, "#000000", 0.50)
        self.l = mix(c, "#ffffff", 0.35)
        self.bg = bg
        self.paper = "#fbf8f1"
        self.ink = "#33302b"
        self.wood = "#c89b68"
        self.leaf = "#5d8a62"
        self.leaf2 = "#7fa77a"
        self.steel = "#b9bec4"
        self.glass = "#dfeaec"


# ---------------------------------------------------------------------------
# Drawings: each takes a Pal and returns SVG elements in a 600x600 box, the
# object standing on a floor near y=490.


def shadow(cx=300, cy=492, rx=165, ry=20):
    return '<ellipse cx="%d" cy="%d" rx="%d" ry="%d" fill="#000" fill-opacity=".08"/>' % (
        cx, cy, rx, ry)


def speckles(seed, n, box, color, opacity=".35", rmax=3):
    r = random.Random(seed)
    x0, y0, x1, y1 = box
    out = []
    for _ in range(n):
        out.append('<circle cx="%d" cy="%d" r="%d"/>' % (r.randint(x0, x1), r.randint(y0, y1),
                                                        r.randint(1, rmax)))
    return '<g fill="%s" fill-opacity="%s">%s</g>' % (color, opacity, "".join(out))


def d_tshirt(p, seed):
    return (shadow(rx=150) +
            '<path d="M228 118L262 104Q300 140 338 104L372 118L464 172L428 250L392 232V482H208V232'
            'L172 250L136 172Z" fill="%s"/>' % p.c +
            '<path d="M262 104Q300 140 338 104L346 108Q300 160 254 108Z" fill="%s"/>' % p.d +
            '<path d="M148 178L182 244M452 178L418 244M208 462H392" stroke="%s" stroke-width="4" '
            'fill="none" stroke-opacity=".55"/>' % p.d +
            '<path d="M230 250Q240 360 226 470M372 250Q360 360 374 470" stroke="%s" stroke-width="3"'
            ' fill="none" stroke-opacity=".25"/>' % p.dd)


def _long_sleeve_body(p):
    return ('<path d="M226 116L262 102Q300 132 338 102L374 116Q422 128 438 182L474 418L428 432L396 252'
            'V484H204V252L172 432L126 418L162 182Q178 128 226 116Z" fill="%s"/>' % p.c)


def d_sweater(p, seed):
    ribs = "".join('<path d="M%d 466V484"/>' % x for x in range(212, 396, 12))
    return (shadow(rx=170) + _long_sleeve_body(p) +
            '<path d="M468 390L424 402L428 432L474 418ZM132 390L176 402L172 432L126 418Z'
            'M204 462H396V484H204Z" fill="%s"/>' % p.d +
            '<g stroke="%s" stroke-width="3" stroke-opacity=".5">%s</g>' % (p.c, ribs) +
            '<path d="M262 102Q300 132 338 102Q342 112 336 118Q300 150 264 118Q258 112 262 102Z" '
            'fill="%s"/>' % p.d +
            '<path d="M300 170V450M268 170Q262 300 270 450M332 170Q338 300 330 450" stroke="%s" '
            'stroke-width="3" fill="none" stroke-opacity=".18"/>' % p.dd)


def d_hoodie(p, seed):
    return (shadow(rx=170) + _long_sleeve_body(p) +
            '<path d="M468 390L424 402L428 432L474 418ZM132 390L176 402L172 432L126 418Z'
            'M204 462H396V484H204Z" fill="%s"/>' % p.d +
            '<path d="M232 124Q236 74 300 70Q364 74 368 124Q300 104 232 124Z" fill="%s"/>' % p.d +
            '<path d="M252 120Q300 84 348 120Q300 168 252 120Z" fill="%s"/>' % p.dd +
            '<path d="M286 150L282 222M314 150L318 222" stroke="%s" stroke-width="5" '
            'stroke-linecap="round"/>' % p.l +
            '<path d="M236 352H364L386 438H214Z" fill="%s" stroke="%s" stroke-width="4"/>' % (
                p.c, p.d))


def d_overshirt(p, seed):
    buttons = "".join('<circle cx="300" cy="%d" r="6"/>' % y for y in range(196, 460, 50))
    return (shadow(rx=170) + _long_sleeve_body(p) +
            '<path d="M468 390L424 402L428 432L474 418ZM132 390L176 402L172 432L126 418Z" fill="%s"/>'
            % p.d +
            '<path d="M300 150V484" stroke="%s" stroke-width="4" stroke-opacity=".6"/>' % p.d +
            '<path d="M262 102L300 152L266 170L246 112ZM338 102L300 152L334 170L354 112Z" fill="%s"/>'
            % p.d +
            '<g fill="%s">%s</g>' % (p.l, buttons) +
            '<rect x="326" y="206" width="46" height="52" rx="4" fill="none" stroke="%s" '
            'stroke-width="4" stroke-opacity=".6"/>' % p.d +
            '<path d="M326 222H372" stroke="%s" stroke-width="4" stroke-opacity=".6"/>' % p.d)


def d_cap(p, seed):
    return (shadow(rx=170, cy=420) +
            '<path d="M170 360Q168 196 300 186Q432 196 430 360Z" fill="%s"/>' % p.c +
            '<path d="M300 188V358M300 190Q236 236 226 358M300 190Q364 236 374 358" stroke="%s" '
            'stroke-width="4" fill="none" stroke-opacity=".45"/>' % p.d +
            '<rect x="268" y="268" width="64" height="42" rx="6" fill="%s"/>' % p.l +
            '<circle cx="300" cy="188" r="11" fill="%s"/>' % p.d +
            '<path d="M158 356Q300 330 442 356Q476 370 462 394Q300 438 138 394Q124 370 158 356Z" '
            'fill="%s"/>' % p.d)


def d_beanie(p, seed):
    ribs = "".join('<path d="M%d 350V426"/>' % x for x in range(186, 420, 14))
    return (shadow(rx=150, cy=444) +
            '<path d="M182 360Q178 186 300 176Q422 186 418 360Z" fill="%s"/>' % p.c +
            '<path d="M240 196Q226 270 230 350M300 180V350M360 196Q374 270 370 350" stroke="%s" '
            'stroke-width="4" fill="none" stroke-opacity=".3"/>' % p.d +
            '<rect x="170" y="338" width="260" height="94" rx="18" fill="%s"/>' % p.d +
            '<g stroke="%s" stroke-width="4" stroke-opacity=".35">%s</g>' % (p.c, ribs) +
            '<circle cx="300" cy="160" r="44" fill="%s"/>' % p.l +
            speckles(seed, 26, (268, 128, 332, 192), p.c, ".45", 4))


def _sock(fill, cuff, toe):
    return ('<path d="M232 120H318V322L396 366Q432 390 414 428Q398 458 360 442L258 390'
            'Q230 374 232 344Z" fill="%s"/>' % fill +
            '<rect x="232" y="120" width="86" height="40" fill="%s"/>' % cuff +
            '<path d="M388 362Q432 390 414 428Q398 458 360 442L370 418Q398 396 388 362Z" fill="%s"/>'
            % toe +
            '<path d="M232 322Q226 382 268 396L282 366Q250 360 250 322Z" fill="%s"/>' % toe)


def d_socks(p, seed):
    stripes = '<path d="M232 176H318M232 190H318" stroke="%s" stroke-width="6"/>' % p.l
    return (shadow(rx=150, cy=478) +
            '<g transform="translate(-58 22)">%s</g>' % _sock(p.d, p.dd, p.dd) +
            '<g transform="translate(22 10)">%s%s</g>' % (_sock(p.c, p.d, p.d), stripes))


def d_tote(p, seed):
    return (shadow(rx=165) +
            '<path d="M236 236C236 96 364 96 364 236" fill="none" stroke="%s" stroke-width="16"/>'
            % p.d +
            '<path d="M168 222H432L452 488H148Z" fill="%s"/>' % p.c +
            '<path d="M168 222H432L434 252H166Z" fill="%s" fill-opacity=".6"/>' % p.d +
            '<path d="M228 222V300M372 222V300" stroke="%s" stroke-width="16"/>' % p.d +
            '<rect x="250" y="340" width="100" height="70" rx="6" fill="%s"/>' % p.l +
            '<path d="M268 364H332M268 384H316" stroke="%s" stroke-width="5"/>' % p.d)


def d_backpack(p, seed):
    return (shadow(rx=150) +
            '<path d="M262 152Q262 104 300 104Q338 104 338 152" fill="none" stroke="%s" '
            'stroke-width="12"/>' % p.d +
            '<rect x="188" y="146" width="224" height="340" rx="62" fill="%s"/>' % p.c +
            '<path d="M188 230Q188 146 300 146Q412 146 412 230V266Q300 296 188 266Z" fill="%s"/>'
            % p.d +
            '<rect x="226" y="332" width="148" height="126" rx="26" fill="%s"/>' % p.d +
            '<path d="M240 352H360" stroke="%s" stroke-width="4" stroke-dasharray="8 6"/>' % p.l +
            '<rect x="246" y="262" width="16" height="86" rx="3" fill="%s"/>' % p.dd +
            '<rect x="338" y="262" width="16" height="86" rx="3" fill="%s"/>' % p.dd +
            '<rect x="240" y="316" width="28" height="16" rx="3" fill="%s"/>' % p.l +
            '<rect x="332" y="316" width="28" height="16" rx="3" fill="%s"/>' % p.l)


def d_crossbody(p, seed):
    return (shadow(rx=160) +
            '<path d="M178 332Q300 30 422 332" fill="none" stroke="%s" stroke-width="12"/>' % p.d +
            '<rect x="156" y="296" width="288" height="194" rx="32" fill="%s"/>' % p.c +
            '<path d="M156 330Q156 296 190 296H410Q444 296 444 330V384Q300 440 156 384Z" '
            'fill="%s"/>' % p.d +
            '<path d="M172 326Q172 310 190 310H410Q428 310 428 326" fill="none" stroke="%s" '
            'stroke-width="3" stroke-dasharray="7 6"/>' % p.l +
            '<circle cx="300" cy="404" r="11" fill="%s"/>' % p.l +
            '<rect x="170" y="314" width="14" height="26" rx="3" fill="%s"/>' % p.dd +
            '<rect x="416" y="314" width="14" height="26" rx="3" fill="%s"/>' % p.dd)


def d_duffel(p, seed):
    return (shadow(rx=200) +
            '<path d="M232 272Q232 170 300 170Q368 170 368 272" fill="none" stroke="%s" '
            'stroke-width="14"/>' % p.d +
            '<rect x="112" y="256" width="376" height="228" rx="108" fill="%s"/>' % p.c +
            '<path d="M170 262Q300 246 430 262" fill="none" stroke="%s" stroke-width="6"/>' % p.dd +
            '<rect x="208" y="258" width="30" height="224" fill="%s"/>' % p.d +
            '<rect x="362" y="258" width="30" height="224" fill="%s"/>' % p.d +
            '<rect x="262" y="340" width="76" height="48" rx="6" fill="%s"/>' % p.l +
            '<ellipse cx="150" cy="370" rx="26" ry="70" fill="%s" fill-opacity=".5"/>' % p.d +
            '<ellipse cx="450" cy="370" rx="26" ry="70" fill="%s" fill-opacity=".5"/>' % p.d)


def d_lamp(p, seed):
    return (shadow(rx=120) +
            '<ellipse cx="300" cy="312" rx="118" ry="30" fill="#fff4cf" fill-opacity=".8"/>' +
            '<rect x="292" y="300" width="16" height="160" fill="%s"/>' % p.steel +
            '<path d="M222 136H378L430 300H170Z" fill="%s"/>' % p.c +
            '<path d="M222 136H378L384 154H216Z" fill="%s" fill-opacity=".6"/>' % p.d +
            '<path d="M170 294H430V306H170Z" fill="%s"/>' % p.d +
            '<path d="M250 140L226 298M300 140V298M350 140L374 298" stroke="%s" stroke-width="3" '
            'stroke-opacity=".18"/>' % p.dd +
            '<ellipse cx="300" cy="474" rx="92" ry="20" fill="%s"/>' % p.d +
            '<rect x="208" y="456" width="184" height="18" fill="%s"/>' % p.d)


def d_candle(p, seed):
    return (shadow(rx=120) +
            '<rect x="208" y="228" width="184" height="256" rx="24" fill="%s"/>' % p.c +
            '<ellipse cx="300" cy="240" rx="88" ry="16" fill="%s"/>' % p.l +
            '<rect x="230" y="318" width="140" height="104" rx="6" fill="%s"/>' % p.paper +
            '<path d="M256 350H344M268 372H332M276 394H324" stroke="%s" stroke-width="5"/>' % p.d +
            '<path d="M300 240V210" stroke="#3a3330" stroke-width="4"/>' +
            '<path d="M300 146Q326 186 300 212Q274 186 300 146Z" fill="#f0a93a"/>' +
            '<path d="M300 170Q312 192 300 208Q288 192 300 170Z" fill="#fde6a3"/>' +
            '<rect x="220" y="250" width="12" height="220" rx="6" fill="#fff" fill-opacity=".25"/>')


def d_cushion(p, seed):
    return (shadow(rx=170) +
            '<path d="M150 168Q300 140 450 168Q478 320 450 470Q300 498 150 470Q122 320 150 168Z" '
            'fill="%s" stroke="%s" stroke-width="8"/>' % (p.c, p.d) +
            '<path d="M160 178L290 310M440 178L310 310M160 462L290 330M440 462L310 330" stroke="%s"'
            ' stroke-width="4" stroke-opacity=".25"/>' % p.dd +
            '<circle cx="300" cy="320" r="12" fill="%s"/>' % p.d +
            speckles(seed, 40, (170, 190, 430, 450), p.l, ".35", 3))


def d_throw(p, seed):
    fringe = "".join('<path d="M%d 452V478"/>' % x for x in range(158, 446, 12))
    return (shadow(rx=180) +
            '<rect x="150" y="196" width="300" height="258" rx="22" fill="%s"/>' % p.c +
            '<g fill="%s" fill-opacity=".75"><rect x="204" y="196" width="14" height="258"/>'
            '<rect x="382" y="196" width="14" height="258"/><rect x="150" y="236" width="300" '
            'height="14"/><rect x="150" y="400" width="300" height="14"/></g>' % p.d +
            '<g fill="%s" fill-opacity=".5"><rect x="226" y="196" width="5" height="258"/>'
            '<rect x="369" y="196" width="5" height="258"/></g>' % p.l +
            '<path d="M150 282H450M150 368H450" stroke="%s" stroke-width="5" '
            'stroke-opacity=".35"/>' % p.dd +
            '<g stroke="%s" stroke-width="4" stroke-linecap="round">%s</g>' % (p.d, fringe))


def d_vase(p, seed):
    return (shadow(rx=120) +
            '<path d="M300 128Q286 70 240 46M300 128Q318 60 372 40M300 128Q300 80 300 30" '
            'stroke="%s" stroke-width="4" fill="none"/>' % p.leaf +
            '<g fill="%s"><ellipse cx="252" cy="58" rx="16" ry="9" transform="rotate(35 252 58)"/>'
            '<ellipse cx="268" cy="84" rx="16" ry="9" transform="rotate(-20 268 84)"/>'
            '<ellipse cx="356" cy="50" rx="16" ry="9" transform="rotate(-30 356 50)"/>'
            '<ellipse cx="332" cy="78" rx="16" ry="9" transform="rotate(25 332 78)"/>'
            '<ellipse cx="300" cy="46" rx="9" ry="16"/></g>' % p.leaf2 +
            '<path d="M264 130H336V160Q336 192 368 232Q428 300 410 400Q394 476 300 484Q206 476 190 400'
            'Q172 300 232 232Q264 192 264 160Z" fill="%s"/>' % p.c +
            '<rect x="254" y="120" width="92" height="18" rx="8" fill="%s"/>' % p.d +
            '<path d="M222 270Q196 330 210 410" stroke="#fff" stroke-opacity=".3" stroke-width="12" '
            'fill="none" stroke-linecap="round"/>' +
            speckles(seed, 30, (200, 240, 400, 470), p.dd, ".25", 3))


def d_planter(p, seed):
    return (shadow(rx=120) +
            '<g fill="%s"><ellipse cx="236" cy="220" rx="30" ry="78" transform="rotate(-35 236 220)"/>'
            '<ellipse cx="362" cy="214" rx="30" ry="80" transform="rotate(32 362 214)"/>'
            '<ellipse cx="300" cy="180" rx="32" ry="94"/></g>' % p.leaf +
            '<g fill="%s"><ellipse cx="262" cy="250" rx="22" ry="60" transform="rotate(-62 262 250)"/>'
            '<ellipse cx="340" cy="250" rx="22" ry="60" transform="rotate(60 340 250)"/></g>'
            % p.leaf2 +
            '<path d="M300 110V300M236 160L290 300M366 150L310 300" stroke="%s" stroke-width="3" '
            'stroke-opacity=".35"/>' % "#2f4f33" +
            '<path d="M204 312H396L378 484H222Z" fill="%s"/>' % p.c +
            '<rect x="192" y="290" width="216" height="40" rx="6" fill="%s"/>' % p.d +
            speckles(seed, 24, (214, 336, 386, 476), p.dd, ".25", 3))


def d_board(p, seed):
    grain = ('<path d="M176 240Q300 222 424 250M172 300Q290 320 428 296M176 360Q300 340 424 372'
             'M176 420Q300 440 424 414" stroke="%s" stroke-width="4" fill="none" '
             'stroke-opacity=".35"/>' % p.d)
    return (shadow(rx=160) +
            '<rect x="266" y="96" width="68" height="110" rx="30" fill="%s"/>' % p.c +
            '<rect x="150" y="180" width="300" height="300" rx="22" fill="%s"/>' % p.c +
            '<circle cx="300" cy="130" r="14" fill="%s"/>' % p.bg + grain +
            '<rect x="150" y="466" width="300" height="14" rx="7" fill="%s"/>' % p.d)


def d_skillet(p, seed):
    return (shadow(cx=300, rx=200) +
            '<rect x="372" y="276" width="196" height="36" rx="18" fill="%s" '
            'transform="rotate(-12 372 294)"/>' % p.d +
            '<circle cx="540" cy="264" r="9" fill="%s"/>' % p.bg +
            '<ellipse cx="250" cy="330" rx="170" ry="150" fill="%s"/>' % p.c +
            '<ellipse cx="250" cy="322" rx="142" ry="124" fill="%s"/>' % p.inner +
            '<ellipse cx="210" cy="280" rx="60" ry="34" fill="#fff" fill-opacity=".08"/>' +
            '<path d="M108 300Q100 330 110 360" stroke="%s" stroke-width="10" fill="none"/>' % p.d)


def d_kettle(p, seed):
    return (shadow(rx=140) +
            '<path d="M244 238Q300 110 356 238" fill="none" stroke="%s" stroke-width="16"/>' % p.dd +
            '<path d="M206 360L126 270L142 258L226 332Z" fill="%s"/>' % p.c +
            '<path d="M198 470Q178 300 242 236H358Q422 300 402 470Z" fill="%s"/>' % p.c +
            '<ellipse cx="300" cy="238" rx="70" ry="14" fill="%s"/>' % p.d +
            '<circle cx="300" cy="220" r="13" fill="%s"/>' % p.dd +
            '<rect x="194" y="448" width="212" height="24" rx="6" fill="%s"/>' % p.d +
            '<path d="M232 300Q214 360 222 430" stroke="#fff" stroke-opacity=".3" stroke-width="12" '
            'fill="none" stroke-linecap="round"/>')


def d_apron(p, seed):
    return (shadow(rx=150) +
            '<path d="M238 132Q300 50 362 132" fill="none" stroke="%s" stroke-width="8"/>' % p.d +
            '<path d="M182 262L108 312M418 262L492 312" stroke="%s" stroke-width="8" '
            'stroke-linecap="round"/>' % p.d +
            '<path d="M238 128H362V232Q402 242 420 262L440 478Q300 498 160 478L180 262Q198 242 238 232Z"'
            ' fill="%s"/>' % p.c +
            '<path d="M238 128H362V142H238Z" fill="%s"/>' % p.d +
            '<rect x="234" y="326" width="132" height="84" rx="6" fill="%s"/>' % p.d +
            '<path d="M300 326V410" stroke="%s" stroke-width="4"/>' % p.c +
            '<path d="M176 300Q300 290 424 300" stroke="%s" stroke-width="3" fill="none" '
            'stroke-opacity=".3" stroke-dasharray="8 6"/>' % p.dd)


def d_towel(p, seed):
    return (shadow(rx=130) +
            '<rect x="140" y="128" width="320" height="12" rx="6" fill="#a8875f"/>' +
            '<path d="M286 140Q300 110 314 140" stroke="%s" stroke-width="5" fill="none"/>' % p.c +
            '<rect x="186" y="140" width="228" height="340" rx="6" fill="%s"/>' % p.paper +
            '<g fill="%s"><rect x="186" y="184" width="228" height="18"/><rect x="186" y="212" '
            'width="228" height="6"/><rect x="186" y="418" width="228" height="18"/>'
            '<rect x="186" y="402" width="228" height="6"/><rect x="222" y="140" width="8" '
            'height="340"/><rect x="370" y="140" width="8" height="340"/></g>' % p.c +
            '<path d="M186 470H414" stroke="%s" stroke-width="4" stroke-opacity=".4"/>' % p.d)


def _mug(p, seed, rim=None, speck="#000"):
    out = ('<path d="M382 246Q462 246 462 330Q462 414 382 414" fill="none" stroke="%s" '
           'stroke-width="30"/>' % p.c +
           '<path d="M178 198H392V420Q392 472 340 472H230Q178 472 178 420Z" fill="%s"/>' % p.c)
    if rim is None:
        out += ('<path d="M178 198H392V256Q372 278 350 258Q330 296 304 264Q280 288 256 258'
                'Q232 282 206 260Q192 274 178 260Z" fill="%s"/>' % p.l)
    out += '<rect x="174" y="190" width="222" height="16" rx="8" fill="%s"/>' % (rim or p.d)
    out += speckles(seed, 34, (190, 214, 380, 462), speck, ".3", 3)
    return shadow(rx=150) + out


def d_mug(p, seed):
    return _mug(p, seed, speck=p.dd)


def d_campmug(p, seed):
    return _mug(p, seed, rim="#2c3440", speck="#ffffff")


def d_bowl(p, seed):
    return (shadow(rx=150) +
            '<path d="M138 282H462Q462 420 344 462H256Q138 420 138 282Z" fill="%s"/>' % p.c +
            '<ellipse cx="300" cy="282" rx="162" ry="34" fill="%s"/>' % p.d +
            '<ellipse cx="300" cy="284" rx="148" ry="25" fill="%s"/>' % p.l +
            '<rect x="250" y="456" width="100" height="20" rx="6" fill="%s"/>' % p.d +
            '<path d="M170 320Q190 390 240 428" stroke="#fff" stroke-opacity=".25" stroke-width="12" '
            'fill="none" stroke-linecap="round"/>' +
            speckles(seed, 28, (160, 310, 440, 450), p.dd, ".25", 3))


def d_plate(p, seed):
    return ('<ellipse cx="310" cy="318" rx="204" ry="204" fill="#000" fill-opacity=".07"/>' +
            '<circle cx="300" cy="300" r="200" fill="%s"/>' % p.c +
            '<circle cx="300" cy="300" r="172" fill="none" stroke="%s" stroke-width="5" '
            'stroke-opacity=".5"/>' % p.d +
            '<circle cx="300" cy="300" r="136" fill="%s"/>' % p.l +
            '<path d="M190 200Q230 160 290 150" stroke="#fff" stroke-opacity=".4" stroke-width="10" '
            'fill="none" stroke-linecap="round"/>' +
            speckles(seed, 40, (130, 130, 470, 470), p.dd, ".2", 3))


def d_teapot(p, seed):
    return (shadow(rx=160) +
            '<path d="M420 292Q492 300 482 360Q472 414 420 402" fill="none" stroke="%s" '
            'stroke-width="24"/>' % p.c +
            '<path d="M192 340Q132 330 112 246L134 240Q154 298 196 302Z" fill="%s"/>' % p.c +
            '<ellipse cx="300" cy="356" rx="134" ry="118" fill="%s"/>' % p.c +
            '<path d="M232 250Q300 196 368 250Z" fill="%s"/>' % p.d +
            '<circle cx="300" cy="212" r="14" fill="%s"/>' % p.d +
            '<path d="M170 380Q300 410 430 380" stroke="%s" stroke-width="8" fill="none" '
            'stroke-opacity=".6"/>' % p.d +
            '<path d="M208 300Q186 340 196 390" stroke="#fff" stroke-opacity=".3" stroke-width="12" '
            'fill="none" stroke-linecap="round"/>' +
            '<rect x="240" y="466" width="120" height="14" rx="6" fill="%s"/>' % p.d)


def d_notebook(p, seed):
    return (shadow(rx=150) +
            '<rect x="192" y="122" width="240" height="352" rx="10" fill="%s"/>' % p.dd +
            '<rect x="420" y="120" width="8" height="348" fill="%s"/>' % p.paper +
            '<rect x="178" y="110" width="244" height="356" rx="10" fill="%s"/>' % p.c +
            '<rect x="178" y="110" width="26" height="356" rx="6" fill="%s" fill-opacity=".55"/>'
            % p.d +
            '<rect x="388" y="110" width="13" height="356" fill="%s"/>' % p.dd +
            '<rect x="236" y="176" width="128" height="56" rx="4" fill="%s"/>' % p.paper +
            '<path d="M252 196H348M252 214H322" stroke="%s" stroke-width="4"/>' % p.d +
            '<path d="M300 466V514L310 502L320 514V466Z" fill="%s"/>' % p.accent)


def d_pencils(p, seed):
    r = random.Random(seed)
    names = list(COLORS)
    cols = [p.c] + [COLORS[r.choice(names)] for _ in range(4)]
    out = [shadow(rx=140)]
    for i, ang in enumerate((-28, -14, 0, 14, 28)):
        col = cols[(i + 2) % 5]
        out.append('<g transform="rotate(%d 300 470)">'
                   '<rect x="288" y="150" width="24" height="300" fill="%s"/>'
                   '<rect x="288" y="150" width="8" height="300" fill="#fff" fill-opacity=".2"/>'
                   '<path d="M288 150H312L300 104Z" fill="#e9c897"/>'
                   '<path d="M295 122H305L300 104Z" fill="%s"/>'
                   '<rect x="288" y="440" width="24" height="18" fill="#c3c6c9"/>'
                   '<rect x="288" y="456" width="24" height="20" rx="4" fill="#e59a93"/></g>'
                   % (ang, col, mix(col, "#000000", 0.3)))
    return "".join(out)


def d_pen(p, seed):
    return (shadow(rx=170, cy=470) +
            '<g transform="rotate(-38 300 300)">'
            '<rect x="282" y="72" width="36" height="170" rx="16" fill="%s"/>' % p.c +
            '<rect x="312" y="92" width="8" height="110" rx="4" fill="%s"/>' % p.steel +
            '<rect x="282" y="228" width="36" height="12" fill="%s"/>' % p.steel +
            '<rect x="284" y="240" width="32" height="196" rx="10" fill="%s"/>' % p.d +
            '<path d="M288 436H312L306 474H294Z" fill="#2d2d2d"/>' +
            '<path d="M294 474H306L300 516Z" fill="#d9b35c"/>' +
            '<path d="M300 484V508" stroke="#6b5420" stroke-width="2"/>' +
            '<rect x="288" y="80" width="8" height="150" rx="4" fill="#fff" fill-opacity=".25"/>'
            '</g>')


def d_cards(p, seed):
    return (shadow(rx=170) +
            '<rect x="186" y="130" width="228" height="196" rx="4" fill="%s" '
            'transform="rotate(-6 300 228)"/>' % p.paper +
            '<g transform="rotate(-6 300 228)"><circle cx="300" cy="214" r="46" fill="%s"/>' % p.l +
            '<path d="M254 268Q300 220 346 268" stroke="%s" stroke-width="6" fill="none"/>' % p.leaf +
            '<ellipse cx="300" cy="214" rx="14" ry="30" fill="%s"/></g>' % p.d +
            '<rect x="146" y="246" width="308" height="214" rx="6" fill="%s"/>' % p.c +
            '<path d="M146 252L300 370L454 252Z" fill="%s"/>' % p.d +
            '<path d="M146 460L272 352M454 460L328 352" stroke="%s" stroke-width="4" '
            'stroke-opacity=".35"/>' % p.dd)


def d_planner(p, seed):
    rings = "".join('<ellipse cx="176" cy="%d" rx="14" ry="7"/>' % y for y in range(146, 460, 26))
    return (shadow(rx=150) +
            '<rect x="172" y="120" width="262" height="364" rx="8" fill="%s"/>' % p.paper +
            '<rect x="166" y="112" width="262" height="364" rx="8" fill="%s"/>' % p.c +
            '<g fill="none" stroke="#8d8f93" stroke-width="5">%s</g>' % rings +
            '<rect x="226" y="176" width="150" height="14" rx="3" fill="%s"/>' % p.l +
            '<rect x="226" y="202" width="100" height="8" rx="3" fill="%s"/>' % p.l +
            '<circle cx="380" cy="420" r="22" fill="none" stroke="%s" stroke-width="4"/>' % p.l +
            '<path d="M392 112V476" stroke="%s" stroke-width="10"/>' % p.dd)


def d_bottle(p, seed):
    return (shadow(rx=110) +
            '<path d="M264 150H336V170Q380 190 380 244V448Q380 490 338 490H262Q220 490 220 448V244'
            'Q220 190 264 170Z" fill="%s"/>' % p.c +
            '<rect x="256" y="96" width="88" height="60" rx="10" fill="%s"/>' % p.d +
            '<path d="M278 98Q300 60 322 98" stroke="%s" stroke-width="10" fill="none"/>' % p.d +
            '<rect x="220" y="300" width="160" height="64" fill="%s" fill-opacity=".6"/>' % p.l +
            '<rect x="236" y="220" width="14" height="240" rx="7" fill="#fff" fill-opacity=".25"/>')


def d_tent(p, seed):
    return (shadow(rx=220, cy=470) +
            '<path d="M300 140L82 474M300 140L518 474" stroke="#6f6a62" stroke-width="2"/>' +
            '<path d="M300 150L118 462H482Z" fill="%s"/>' % p.c +
            '<path d="M300 150L482 462H404Z" fill="%s"/>' % p.d +
            '<path d="M300 232L244 462H356Z" fill="%s"/>' % p.dd +
            '<path d="M300 232L356 462H392Z" fill="%s"/>' % p.l +
            '<path d="M300 150V118" stroke="#5b5650" stroke-width="6"/>' +
            '<path d="M110 462H490" stroke="%s" stroke-width="6"/>' % p.dd)


def d_lantern(p, seed):
    return (shadow(rx=120) +
            '<path d="M236 168Q236 80 300 80Q364 80 364 168" fill="none" stroke="#3d3d3d" '
            'stroke-width="8"/>' +
            '<ellipse cx="300" cy="314" rx="110" ry="120" fill="#fff2c1" fill-opacity=".5"/>' +
            '<rect x="238" y="214" width="124" height="204" rx="18" fill="#fff3c8"/>' +
            '<path d="M300 290Q322 330 300 356Q278 330 300 290Z" fill="#f0a93a"/>' +
            '<path d="M214 168H386L360 218H240Z" fill="%s"/>' % p.c +
            '<g fill="%s"><rect x="230" y="214" width="12" height="210"/><rect x="358" y="214" '
            'width="12" height="210"/><rect x="294" y="214" width="12" height="60"/></g>' % p.c +
            '<rect x="206" y="418" width="188" height="60" rx="12" fill="%s"/>' % p.c +
            '<rect x="206" y="418" width="188" height="14" rx="6" fill="%s"/>' % p.d)


def d_buckethat(p, seed):
    return (shadow(rx=170, cy=420) +
            '<path d="M208 330Q212 196 300 190Q388 196 392 330Z" fill="%s"/>' % p.c +
            '<rect x="204" y="292" width="192" height="32" fill="%s"/>' % p.d +
            '<path d="M150 336Q300 296 450 336L476 392Q300 432 124 392Z" fill="%s"/>' % p.c +
            '<path d="M162 368Q300 340 438 368" stroke="%s" stroke-width="3" fill="none" '
            'stroke-dasharray="8 6"/>' % p.d +
            '<circle cx="252" cy="262" r="5" fill="%s"/><circle cx="348" cy="262" r="5" fill="%s"/>'
            % (p.dd, p.dd))


def d_tin(p, seed):
    return (shadow(rx=110) +
            '<rect x="218" y="200" width="164" height="280" rx="6" fill="%s"/>' % p.c +
            '<rect x="210" y="178" width="180" height="52" rx="6" fill="%s"/>' % p.d +
            '<ellipse cx="300" cy="180" rx="90" ry="12" fill="%s"/>' % p.l +
            '<rect x="232" y="266" width="136" height="140" rx="4" fill="%s"/>' % p.paper +
            '<path d="M300 290Q336 318 300 372Q264 318 300 290Z" fill="%s"/>' % p.c +
            '<path d="M300 300V366" stroke="%s" stroke-width="3"/>' % p.paper +
            '<path d="M256 388H344" stroke="%s" stroke-width="4"/>' % p.d +
            '<rect x="230" y="230" width="12" height="240" rx="6" fill="#fff" fill-opacity=".2"/>')


def d_coffeebag(p, seed):
    return (shadow(rx=130) +
            '<path d="M208 178H392L404 474Q300 488 196 474Z" fill="%s"/>' % p.c +
            '<rect x="202" y="146" width="196" height="44" rx="4" fill="%s"/>' % p.d +
            '<path d="M202 150L212 140L222 150L232 140L242 150L252 140L262 150L272 140L282 150'
            'L292 140L302 150L312 140L322 150L332 140L342 150L352 140L362 150L372 140L382 150'
            'L392 140L398 150" fill="none" stroke="%s" stroke-width="4"/>' % p.d +
            '<circle cx="300" cy="230" r="12" fill="%s"/>' % p.dd +
            '<circle cx="300" cy="230" r="5" fill="%s"/>' % p.l +
            '<rect x="238" y="284" width="124" height="124" rx="10" fill="%s"/>' % p.paper +
            '<ellipse cx="300" cy="334" rx="22" ry="30" fill="#5a3a24" '
            'transform="rotate(20 300 334)"/>' +
            '<path d="M292 308Q312 334 294 362" stroke="%s" stroke-width="4" fill="none"/>'
            % p.paper +
            '<path d="M262 384H338" stroke="%s" stroke-width="4"/>' % p.d)


def d_dripper(p, seed):
    return (shadow(rx=120) +
            '<path d="M228 330H372Q394 420 362 480H238Q206 420 228 330Z" fill="%s" '
            'fill-opacity=".9"/>' % p.glass +
            '<path d="M220 400H380Q382 440 362 480H238Q218 440 220 400Z" fill="#5a3a24"/>' +
            '<path d="M232 330H368" stroke="#b4c4c7" stroke-width="4"/>' +
            '<path d="M188 196H412L342 320H258Z" fill="%s"/>' % p.c +
            '<rect x="176" y="186" width="248" height="18" rx="9" fill="%s"/>' % p.d +
            '<rect x="238" y="316" width="124" height="16" rx="4" fill="%s"/>' % p.d +
            '<path d="M226 214L270 300M374 214L330 300M300 214V304" stroke="%s" stroke-width="3" '
            'stroke-opacity=".3"/>' % p.dd)


def d_press(p, seed):
    return (shadow(rx=120) +
            '<path d="M372 232Q430 232 430 300Q430 382 372 382" fill="none" stroke="%s" '
            'stroke-width="18"/>' % p.c +
            '<rect x="232" y="200" width="140" height="262" rx="8" fill="%s"/>' % p.glass +
            '<rect x="236" y="300" width="132" height="160" fill="#4a2f1f"/>' +
            '<rect x="236" y="290" width="132" height="14" fill="#b98a5a"/>' +
            '<g fill="%s"><rect x="224" y="200" width="12" height="262"/>'
            '<rect x="368" y="200" width="12" height="262"/>'
            '<rect x="216" y="452" width="172" height="26" rx="6"/>'
            '<rect x="220" y="176" width="164" height="32" rx="8"/></g>' % p.c +
            '<rect x="295" y="118" width="10" height="60" fill="%s"/>' % p.steel +
            '<circle cx="300" cy="114" r="17" fill="%s"/>' % p.d +
            '<rect x="246" y="214" width="10" height="70" rx="5" fill="#fff" fill-opacity=".5"/>')


# kind: (function, focal point for the close-up)
DRAW = {
    "tshirt": (d_tshirt, (300, 190)), "sweater": (d_sweater, (300, 200)),
    "hoodie": (d_hoodie, (300, 150)), "overshirt": (d_overshirt, (300, 200)),
    "cap": (d_cap, (300, 300)), "beanie": (d_beanie, (300, 260)), "socks": (d_socks, (300, 250)),
    "tote": (d_tote, (300, 330)), "backpack": (d_backpack, (300, 300)),
    "crossbody": (d_crossbody, (300, 380)), "duffel": (d_duffel, (300, 350)),
    "lamp": (d_lamp, (300, 240)), "candle": (d_candle, (300, 260)), "cushion": (d_cushion, (300, 300)),
    "throw": (d_throw, (300, 330)), "vase": (d_vase, (300, 250)), "planter": (d_planter, (300, 260)),
    "board": (d_board, (300, 260)), "skillet": (d_skillet, (260, 320)),
    "kettle": (d_kettle, (300, 300)), "apron": (d_apron, (300, 330)), "towel": (d_towel, (300, 260)),
    "mug": (d_mug, (300, 300)), "campmug": (d_campmug, (300, 300)), "bowl": (d_bowl, (300, 320)),
    "plate": (d_plate, (300, 300)), "teapot": (d_teapot, (300, 300)),
    "notebook": (d_notebook, (300, 220)), "pencils": (d_pencils, (300, 200)),
    "pen": (d_pen, (300, 320)), "cards": (d_cards, (300, 260)), "planner": (d_planner, (260, 260)),
    "bottle": (d_bottle, (300, 240)), "tent": (d_tent, (300, 320)), "lantern": (d_lantern, (300, 300)),
    "buckethat": (d_buckethat, (300, 300)), "tin": (d_tin, (300, 320)),
    "coffeebag": (d_coffeebag, (300, 320)), "dripper": (d_dripper, (300, 300)),
    "press": (d_press, (300, 300)),
}


def svg_image(kind, color, bg, bg2, view, seed, accent):
    """One picture: view is "front", "detail" (a close-up) or "styled"."""
    fn, (fx, fy) = DRAW[kind]
    p = Pal(color, bg)
    p.accent = accent
    p.inner = "#45464b" if luminance(color) < 0.2 else "#37383d"
    body = fn(p, seed)
    if view == "front" and kind in ("skillet", "tent", "vase", "plate"):
        scene = '<rect width="600" height="600" fill="%s"/>%s' % (bg, body)
    elif view == "front":
        scene = ('<rect width="600" height="600" fill="%s"/><g transform="translate(300 290) '
                 'scale(1.1) translate(-300 -290)">%s</g>' % (bg, body))
    elif view == "detail":
        scene = ('<rect width="600" height="600" fill="%s"/><g transform="translate(300 300) '
                 'scale(1.9) translate(%d %d)">%s</g>' % (bg, -fx, -fy, body))
    else:
        scene = ('<rect width="600" height="600" fill="%s"/><circle cx="300" cy="300" r="236" '
                 'fill="%s"/><g transform="translate(51 48) scale(.83)">%s</g>' % (bg2, bg, body))
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 600" width="600" '
            'height="600">%s</svg>\n' % scene)


# ---------------------------------------------------------------------------
# The catalog's words

APPAREL_SIZES = ["XS", "S", "M", "L", "XL", "XXL"]
APPAREL_COLORS = ["Navy", "Oat", "Forest", "Rust", "Charcoal", "Sky", "Sand", "Clay", "Sage",
                  "Mustard", "Plum", "Ivory", "Black", "White", "Heather Gray", "Olive", "Brick",
                  "Moss"]
BAG_COLORS = ["Olive", "Navy", "Sand", "Black", "Rust", "Cognac", "Tan", "Chestnut", "Forest",
              "Charcoal", "Stone"]
HOME_COLORS = ["Oat", "Sage", "Rust", "Mustard", "Ivory", "Clay", "Teal", "Rose", "Charcoal",
               "Sky", "Terracotta", "Lilac", "Butter", "Moss", "Stone"]
GLAZES = ["Celadon", "Speckled White", "Ink Blue", "Oatmeal", "Sea Green", "Rose Clay", "Honey",
          "Slate", "Charcoal", "Terracotta"]
BRIGHT = ["Cobalt", "Rust", "Forest", "Mustard", "Teal", "Black", "Navy", "Sky", "Brick", "Sage",
          "Plum", "Butter", "Lilac"]

WOOD = {"Walnut": "#6b4a33", "Oak": "#c19a6b", "Maple": "#dfc08f", "Olive Wood": "#b08b5a",
        "Acacia": "#9c6b3e", "Cherry": "#a5613e"}
TEA_COLORS = {"Sencha": "#6f8f4e", "Earl Grey": "#3f5576", "Assam": "#9c4a2c",
              "Oolong": "#b0813c", "Chamomile": "#d6b443", "Rooibos": "#b4553b",
              "Jasmine Green": "#7aa07e", "Masala Chai": "#8c4a3a", "Darjeeling": "#c07a4a",
              "Peppermint": "#4f9a86", "Lapsang": "#4b3b35", "Genmaicha": "#a8a05a"}
COFFEE_COLORS = {"Ethiopia": "#c4683f", "Colombia": "#2f5a45", "Guatemala": "#6e3f5c",
                 "Kenya": "#9c3d2e", "Sumatra": "#3b3f45", "Brazil": "#d1a23a",
                 "Costa Rica": "#2b7b78", "Rwanda": "#2e3f5c", "Honduras": "#b8735a",
                 "Peru": "#6d6e3f"}

# option kinds: ("apparel", sizes) Size x Color; ("color",) Color; ("size", values,
# price step in cents); ("custom", name, values, step); ("pack", name, values,
# multipliers); ("coffee",) Size x Grind; None: one variant.
TYPES = [
    {
        "type": "Apparel", "code": "APP",
        "vendors": ["Northfold", "Loom & Larch", "Common Thread Co."],
        "adjectives": ["Everyday", "Relaxed", "Classic", "Heavyweight", "Lightweight", "Boxy",
                       "Weekend", "Essential", "Garment-Dyed", "Harbor", "Vintage-Wash", "Studio"],
        "care": ["Machine wash cold, inside out.", "Tumble dry low or hang to dry.",
                 "Cool iron if needed."],
        "nouns": [
            {"names": ["Tee", "Pocket Tee", "Crew Tee"], "draw": "tshirt",
             "materials": ["Organic Cotton", "Slub Cotton", "Pima Cotton", "Hemp", "Linen-Blend"],
             "price": (24, 42), "grams": (170, 230), "opt": ("apparel",), "colors": APPAREL_COLORS},
            {"names": ["Sweater", "Crewneck", "Knit Sweater"], "draw": "sweater",
             "materials": ["Merino", "Lambswool", "Cotton Cable", "Alpaca-Blend", "Cashmere-Blend"],
             "price": (78, 160), "grams": (380, 560), "opt": ("apparel",), "colors": APPAREL_COLORS},
            {"names": ["Hoodie", "Pullover Hoodie", "Zip Hoodie"], "draw": "hoodie",
             "materials": ["Loopback Cotton", "Fleece", "French Terry", "Organic Cotton"],
             "price": (64, 98), "grams": (520, 720), "opt": ("apparel",), "colors": APPAREL_COLORS},
            {"names": ["Overshirt", "Work Shirt", "Shirt Jacket"], "draw": "overshirt",
             "materials": ["Flannel", "Corduroy", "Brushed Twill", "Chambray", "Moleskin"],
             "price": (68, 128), "grams": (380, 620), "opt": ("apparel",), "colors": APPAREL_COLORS},
            {"names": ["Cap", "Six-Panel Cap", "Baseball Cap"], "draw": "cap",
             "materials": ["Canvas", "Washed Twill", "Waxed Cotton", "Corduroy"],
             "price": (28, 40), "grams": (80, 120), "opt": ("color",), "colors": APPAREL_COLORS},
            {"names": ["Beanie", "Watch Cap", "Bobble Hat"], "draw": "beanie",
             "materials": ["Merino", "Ribbed Wool", "Recycled Wool", "Lambswool"],
             "price": (26, 44), "grams": (70, 110), "opt": ("color",), "colors": APPAREL_COLORS},
            {"names": ["Socks", "Crew Socks", "Hiking Socks"], "draw": "socks",
             "materials": ["Merino", "Cotton", "Wool-Blend", "Bamboo"],
             "price": (14, 24), "grams": (60, 90), "opt": ("socks",), "colors": APPAREL_COLORS},
        ],
    },
    {
        "type": "Bags", "code": "BAG",
        "vendors": ["Carry Goods", "Wayfarer Supply", "Fieldnote Leather"],
        "adjectives": ["Everyday", "Commuter", "Compact", "Oversized", "Utility", "City",
                       "Weekend", "Travel", "Field", "Minimal", "Classic", "Roll-Top"],
        "care": ["Spot clean with a damp cloth.", "Air dry away from direct heat.",
                 "Re-wax canvas once a season."],
        "nouns": [
            {"names": ["Tote", "Market Tote", "Shopper"], "draw": "tote",
             "materials": ["Canvas", "Waxed Canvas", "Jute", "Recycled Nylon", "Leather"],
             "price": (28, 128), "grams": (300, 700), "opt": ("color",), "colors": BAG_COLORS},
            {"names": ["Backpack", "Rucksack", "Daypack"], "draw": "backpack",
             "materials": ["Waxed Canvas", "Ripstop", "Recycled Nylon", "Cordura", "Leather"],
             "price": (85, 198), "grams": (700, 1300), "opt": ("color",), "colors": BAG_COLORS},
            {"names": ["Crossbody Bag", "Sling Pouch", "Camera Bag"], "draw": "crossbody",
             "materials": ["Leather", "Suede", "Nylon", "Waxed Canvas"],
             "price": (48, 148), "grams": (250, 600), "opt": ("color",), "colors": BAG_COLORS},
            {"names": ["Duffel", "Weekender", "Gym Bag"], "draw": "duffel",
             "materials": ["Canvas", "Leather", "Ripstop", "Waxed Canvas"],
             "price": (95, 240), "grams": (900, 1800), "opt": ("color",), "colors": BAG_COLORS},
        ],
    },
    {
        "type": "Home", "code": "HOM",
        "vendors": ["Hearth & Field", "Lumen House", "Quiet Room"],
        "adjectives": ["Quiet", "Soft", "Washed", "Striped", "Woven", "Cozy", "Nordic", "Coastal",
                       "Rustic", "Modern", "Simple", "Warm"],
        "care": ["Dust with a soft, dry cloth.", "Keep away from open flames and heat.",
                 "Covers: wash cold, line dry."],
        "nouns": [
            {"names": ["Table Lamp", "Desk Lamp", "Bedside Lamp"], "draw": "lamp",
             "materials": ["Linen-Shade", "Rattan", "Ceramic", "Brass", "Paper-Shade"],
             "price": (65, 190), "grams": (1200, 2600), "opt": ("color",), "colors": HOME_COLORS},
            {"names": ["Candle", "Jar Candle", "Travel Candle"], "draw": "candle",
             "materials": ["Soy Wax", "Beeswax", "Coconut Wax", "Rapeseed Wax"],
             "price": (18, 44), "grams": (200, 520),
             "opt": ("custom", "Scent", ["Cedar & Smoke", "Fig Leaf", "Sea Salt", "Wild Mint",
                                         "Amber", "Lavender", "Orange Blossom", "Vetiver"], 0),
             "colors": HOME_COLORS},
            {"names": ["Cushion Cover", "Throw Pillow", "Lumbar Pillow"], "draw": "cushion",
             "materials": ["Linen", "Velvet", "Boucle", "Wool", "Cotton Slub"],
             "price": (32, 72), "grams": (200, 450), "opt": ("color",), "colors": HOME_COLORS},
            {"names": ["Throw", "Blanket", "Bed Throw"], "draw": "throw",
             "materials": ["Wool", "Cotton Waffle", "Alpaca", "Mohair", "Merino"],
             "price": (78, 210), "grams": (900, 1800), "opt": ("color",), "colors": HOME_COLORS},
            {"names": ["Planter", "Plant Pot", "Cachepot"], "draw": "planter",
             "materials": ["Terracotta", "Concrete", "Glazed Ceramic", "Stoneware"],
             "price": (22, 58), "grams": (600, 2400),
             "opt": ("size", ["Small", "Medium", "Large"], 800), "colors": HOME_COLORS},
        ],
    },
    {
        "type": "Kitchen", "code": "KIT",
        "vendors": ["Salt & Ember", "Oak Table", "Copper Lane"],
        "adjectives": ["Chef's", "Everyday", "Heritage", "Farmhouse", "Bistro", "Professional",
                       "Classic", "Heavy-Duty", "Rustic", "Simple", "Family", "Home Cook's"],
        "care": ["Hand wash and dry at once.", "Oil wooden pieces now and then.",
                 "Not for the dishwasher."],
        "nouns": [
            {"names": ["Cutting Board", "Serving Board", "Bread Board"], "draw": "board",
             "materials": list(WOOD), "matcolor": WOOD,
             "price": (34, 98), "grams": (800, 2200),
             "opt": ("size", ["Small", "Large"], 1600), "colors": []},
            {"names": ["Skillet", "Frying Pan", "Saute Pan"], "draw": "skillet",
             "materials": ["Cast Iron", "Carbon Steel", "Enameled Cast Iron"],
             "matcolor": {"Cast Iron": "#2f3034", "Carbon Steel": "#4a4c52"},
             "price": (45, 150), "grams": (1400, 3200),
             "opt": ("size", ['8"', '10"', '12"'], 1500),
             "colors": ["Teal", "Rust", "Cobalt", "Mustard", "Forest", "Brick"]},
            {"names": ["Kettle", "Stovetop Kettle", "Gooseneck Kettle"], "draw": "kettle",
             "materials": ["Stainless Steel", "Enamel", "Copper"],
             "matcolor": {"Stainless Steel": "#b2b8bf", "Copper": "#b87333"},
             "price": (48, 128), "grams": (900, 1500), "opt": ("color",), "colors": BRIGHT},
            {"names": ["Apron", "Cross-Back Apron", "Bib Apron"], "draw": "apron",
             "materials": ["Linen", "Canvas", "Denim", "Waxed Cotton"],
             "price": (38, 68), "grams": (250, 420), "opt": ("color",), "colors": HOME_COLORS},
            {"names": ["Tea Towel", "Kitchen Towel", "Dish Towel Set"], "draw": "towel",
             "materials": ["Linen", "Waffle Cotton", "Organic Cotton"],
             "price": (12, 28), "grams": (90, 220), "opt": ("color",),
             "colors": ["Sage", "Rust", "Mustard", "Clay", "Teal", "Rose", "Charcoal", "Sky",
                        "Terracotta", "Navy", "Moss", "Brick"]},
        ],
    },
    {
        "type": "Ceramics", "code": "CER",
        "vendors": ["Kiln Street", "Blue Heron Pottery", "Clay & Co."],
        "adjectives": ["Speckled", "Hand-Thrown", "Glazed", "Matte", "Rustic", "Reactive",
                       "Coastal", "Minimal", "Studio", "Satin", "Dappled", "Stacking"],
        "care": ["Dishwasher and microwave safe.", "Each piece is glazed by hand, so no two are "
                 "quite alike.", "Avoid sudden changes of temperature."],
        "nouns": [
            {"names": ["Mug", "Coffee Mug", "Tea Mug"], "draw": "mug",
             "materials": ["Stoneware", "Porcelain", "Earthenware"],
             "price": (18, 38), "grams": (300, 420), "opt": ("color",), "colors": GLAZES},
            {"names": ["Bowl", "Serving Bowl", "Noodle Bowl", "Cereal Bowl"], "draw": "bowl",
             "materials": ["Stoneware", "Porcelain", "Earthenware"],
             "price": (22, 72), "grams": (400, 1200), "opt": ("color",), "colors": GLAZES},
            {"names": ["Dinner Plate", "Side Plate", "Platter"], "draw": "plate",
             "materials": ["Stoneware", "Porcelain", "Earthenware"],
             "price": (19, 58), "grams": (500, 1300),
             "opt": ("pack", "Set", ["Single", "Set of 4"], [1, 3.6]), "colors": GLAZES},
            {"names": ["Vase", "Bud Vase", "Bottle Vase"], "draw": "vase",
             "materials": ["Stoneware", "Porcelain", "Earthenware"],
             "price": (28, 98), "grams": (400, 1500), "opt": ("color",), "colors": GLAZES},
            {"names": ["Teapot"], "draw": "teapot",
             "materials": ["Stoneware", "Porcelain", "Earthenware"],
             "price": (48, 110), "grams": (700, 1100), "opt": None, "colors": GLAZES},
        ],
    },
    {
        "type": "Stationery", "code": "STA",
        "vendors": ["Paper Moth", "Inkwell & Co.", "Margin Notes"],
        "adjectives": ["Everyday", "Classic", "Travel", "Studio", "Minimal", "Field", "Archival",
                       "Hand-Bound", "Slim", "Desk", "Pocket", "Daily"],
        "care": ["Acid-free paper that will not yellow.", "Printed with vegetable-based inks.",
                 "Plastic-free packaging."],
        "nouns": [
            {"names": ["Notebook", "Journal", "Sketchbook"], "draw": "notebook",
             "materials": ["Linen-Bound", "Leather", "Recycled Paper", "Kraft", "Cloth-Bound"],
             "price": (12, 38), "grams": (180, 420),
             "opt": ("custom", "Paper", ["Dot Grid", "Lined", "Blank", "Squared"], 0),
             "colors": BRIGHT},
            {"names": ["Pencil Set", "Colored Pencils", "Drawing Pencils"], "draw": "pencils",
             "materials": ["Cedar", "Graphite", "Beechwood", "Recycled"],
             "price": (9, 32), "grams": (80, 260),
             "opt": ("pack", "Pack", ["6 Pencils", "12 Pencils", "24 Pencils"], [1, 1.8, 3.2]),
             "colors": BRIGHT},
            {"names": ["Fountain Pen", "Rollerball Pen", "Brush Pen"], "draw": "pen",
             "materials": ["Brass", "Aluminum", "Resin", "Walnut"],
             "price": (24, 140), "grams": (20, 60), "opt": ("color",),
             "colors": ["Black", "Navy", "Forest", "Brass", "Tortoise", "Brick", "Slate"]},
            {"names": ["Greeting Card Set", "Notecard Set", "Postcard Pack"], "draw": "cards",
             "materials": ["Letterpress", "Recycled", "Cotton Paper", "Risograph"],
             "price": (12, 28), "grams": (120, 260), "opt": None, "colors": HOME_COLORS},
            {"names": ["Weekly Planner", "Daily Planner", "Undated Planner"], "draw": "planner",
             "materials": ["Linen", "Vegan Leather", "Cloth-Bound", "Recycled Board"],
             "price": (22, 48), "grams": (300, 520), "opt": ("color",), "colors": BRIGHT},
        ],
    },
    {
        "type": "Outdoor", "code": "OUT",
        "vendors": ["Trailhead Outfitters", "Ridgeback", "Pinecone Supply"],
        "adjectives": ["Alpine", "Trail", "Summit", "Ridge", "Basecamp", "Backcountry",
                       "Ultralight", "Rugged", "Packable", "Coastal", "All-Weather", "Fireside"],
        "care": ["Rinse after use and let it dry fully before storing.",
                 "Covered by our lifetime repair promise.", "Pack it out, leave no trace."],
        "nouns": [
            {"names": ["Water Bottle", "Insulated Bottle", "Trail Flask"], "draw": "bottle",
             "materials": ["Stainless Steel", "Aluminum", "Insulated Steel"],
             "price": (22, 48), "grams": (250, 480),
             "opt": ("size", ["500 ml", "750 ml", "1 l"], 400), "colors": BRIGHT},
            {"names": ["Tent", "Backpacking Tent", "Camping Tent"], "draw": "tent",
             "materials": ["Ripstop", "Canvas", "Silnylon"],
             "price": (180, 480), "grams": (1200, 4200),
             "opt": ("size", ["1-Person", "2-Person", "3-Person"], 6000),
             "colors": ["Forest", "Rust", "Mustard", "Olive", "Sand", "Teal"]},
            {"names": ["Lantern", "Camp Lantern", "Hurricane Lantern"], "draw": "lantern",
             "materials": ["Steel", "Brass", "Enamel"],
             "price": (32, 85), "grams": (400, 900), "opt": ("color",), "colors": BRIGHT},
            {"names": ["Camp Mug", "Enamel Mug", "Trail Cup"], "draw": "campmug",
             "materials": ["Enamel", "Titanium", "Steel"],
             "price": (14, 34), "grams": (90, 250), "opt": ("color",), "colors": BRIGHT},
            {"names": ["Bucket Hat", "Sun Hat", "Field Hat"], "draw": "buckethat",
             "materials": ["Ripstop", "Canvas", "Waxed Cotton", "Seersucker"],
             "price": (28, 52), "grams": (80, 140), "opt": ("hat",), "colors": APPAREL_COLORS},
        ],
    },
    {
        "type": "Tea & Coffee", "code": "TEA",
        "vendors": ["Morning Ritual", "Leaf & Kettle", "Ember Roasters"],
        "adjectives": ["Morning", "Evening", "Garden", "Mountain", "Honeyed", "Toasted",
                       "First Flush", "Organic", "Smooth", "Bright", "Single-Estate", "Sunday"],
        "care": ["Store airtight, away from light.", "Best within six months of opening.",
                 "Ethically sourced from growers we know by name."],
        "nouns": [
            {"names": ["Loose Leaf Tea", "Tea", "Tea Blend"], "draw": "tin",
             "materials": list(TEA_COLORS), "matcolor": TEA_COLORS,
             "price": (9, 24), "grams": (60, 280),
             "opt": ("size", ["50 g Tin", "100 g Pouch", "250 g Bag"], 700), "colors": []},
            {"names": ["Coffee", "Whole Bean Coffee", "Espresso Roast", "Filter Roast"],
             "draw": "coffeebag", "materials": list(COFFEE_COLORS), "matcolor": COFFEE_COLORS,
             "adjectives": ["Bright", "Bold", "Smooth", "Single-Origin", "Washed", "Natural",
                            "Honey-Process", "House", "Sunday", "Fireside"],
             "price": (14, 24), "grams": (260, 1050), "opt": ("coffee",), "colors": []},
            {"names": ["Pour-Over Dripper", "Coffee Dripper"], "draw": "dripper",
             "materials": ["Ceramic", "Glass", "Copper", "Porcelain"],
             "adjectives": ["Classic", "Studio", "Everyday", "Minimal", "Slow", "Morning",
                            "Barista", "Single-Cup"],
             "price": (24, 58), "grams": (300, 600), "opt": ("color",), "colors": GLAZES},
            {"names": ["French Press", "Cafetiere"], "draw": "press",
             "materials": ["Glass", "Stainless Steel", "Borosilicate"],
             "adjectives": ["Classic", "Studio", "Everyday", "Minimal", "Slow", "Morning",
                            "Barista", "Weekend"],
             "price": (34, 89), "grams": (600, 1100),
             "opt": ("size", ["3-Cup", "8-Cup"], 1000),
             "colors": ["Black", "Copper", "Brushed Steel", "Cobalt", "Forest", "Brass"]},
        ],
    },
]

PER_TYPE = 33  # 8 types: 264 products

INTROS = {
    "Apparel": [
        "A {noun} you will reach for every day: cut from {material} that softens with each wash.",
        "Our {noun} in {material}, made for layering and built to last for years, not a season.",
        "{Title}: an easy fit, honest fabric and the small details that make a good {noun} great.",
    ],
    "Bags": [
        "A {noun} in {material} that carries a laptop, a lunch and everything in between.",
        "Built around the way you really carry things, this {noun} in {material} ages beautifully.",
        "{Title}: hard-wearing {material}, reinforced seams and pockets where you want them.",
    ],
    "Home": [
        "Bring a little calm home with this {noun} in {material}.",
        "A {noun} in {material} for slow mornings and long evenings in.",
        "{Title}: simple, warm and made to be lived with.",
    ],
    "Kitchen": [
        "A {noun} in {material} that earns its place on the counter.",
        "Cook like you mean it: this {noun} in {material} is built for daily use.",
        "{Title}: the kind of kitchen tool that gets handed down.",
    ],
    "Ceramics": [
        "Thrown on the wheel and glazed by hand, this {material} {noun} is one of a kind.",
        "A {material} {noun} with a soft, tactile glaze and a satisfying weight in the hand.",
        "{Title}: small-batch {material}, fired twice for strength.",
    ],
    "Stationery": [
        "A {noun} for lists, plans and the ideas that arrive at odd hours.",
        "Good paper makes you want to write: meet our {material} {noun}.",
        "{Title}: made to sit on a desk and travel in a bag.",
    ],
    "Outdoor": [
        "A {noun} for early starts and late camps, in {material}.",
        "Built for the trail and tested in the rain: our {material} {noun}.",
        "{Title}: light enough to take, tough enough to keep.",
    ],
    "Tea & Coffee": [
        "A cup worth slowing down for.",
        "Sourced in small lots and packed fresh every week.",
        "{Title}: for the first cup of the day, and the one after lunch.",
    ],
}
MIDDLES = {
    "tshirt": "A clean crew neck, a slightly dropped shoulder and a hem that stays put.",
    "sweater": "Knitted with a soft hand and a relaxed body; ribbed cuffs keep their shape.",
    "hoodie": "A roomy hood with flat drawcords, a kangaroo pocket and ribbed cuffs.",
    "overshirt": "Wear it buttoned as a shirt or open as a light jacket.",
    "cap": "An adjustable strap at the back and a curved brim that shades your eyes.",
    "beanie": "A deep turn-up cuff keeps your ears warm on the coldest days.",
    "socks": "A cushioned sole, reinforced heel and toe, and a cuff that stays up.",
    "tote": "A wide opening, long handles for the shoulder and an inside pocket for keys.",
    "backpack": "A padded laptop sleeve, a quick-access front pocket and comfortable straps.",
    "crossbody": "An adjustable strap and a magnetic flap keep essentials close.",
    "duffel": "A big main compartment, an end pocket for shoes and sturdy carry handles.",
    "lamp": "A warm, diffused light for reading corners and bedside tables.",
    "candle": "Hand-poured with a cotton wick for a clean, even burn of about 45 hours.",
    "cushion": "A hidden zip and a soft feather-blend insert sold separately.",
    "throw": "Generous enough for the sofa, light enough to carry to the garden.",
    "planter": "A drainage hole and a matching saucer keep roots healthy.",
    "board": "Cut from a single piece of wood and finished with food-safe oil.",
    "skillet": "Goes from hob to oven to table, and only gets better with use.",
    "kettle": "A comfortable handle and a precise spout for tea or pour-over coffee.",
    "apron": "Adjustable straps, a split front pocket and fabric that shrugs off splashes.",
    "towel": "Absorbent, quick to dry and softer after every wash.",
    "mug": "Holds a generous 350 ml, with a handle that fits the whole hand.",
    "bowl": "Deep enough for soups and noodles, wide enough for salads.",
    "plate": "A gentle rim keeps sauces where they belong.",
    "vase": "Beautiful with a single stem or a handful of dried grasses.",
    "teapot": "Brews four cups and pours without a drip.",
    "notebook": "Lay-flat binding, numbered pages and a ribbon bookmark.",
    "pencils": "Pre-sharpened, break-resistant leads in a sturdy tin.",
    "pen": "Balanced in the hand, with a smooth steel nib and a converter included.",
    "cards": "Blank inside, with recycled kraft envelopes.",
    "planner": "Week-to-view pages, monthly overviews and a pocket at the back.",
    "bottle": "Double-walled: cold for 24 hours, hot for 12, and never sweats.",
    "tent": "Sets up in five minutes with color-coded poles and a full-coverage fly.",
    "lantern": "A dimmable warm light that runs for 40 hours on one charge.",
    "campmug": "Light, unbreakable and happy over a camp stove.",
    "buckethat": "A packable brim, breathable eyelets and a hidden stash pocket.",
    "tin": "Brew at 80–95 °C for two to four minutes; good for a second steep.",
    "coffeebag": "Roasted in small batches and shipped within two days of roasting.",
    "dripper": "A single hole and spiral ribs for an even, forgiving extraction.",
    "press": "A fine steel mesh filter for a rich, full-bodied cup.",
}
NOTES = {
    "tin": ["bright and grassy", "malty with a hint of honey", "floral and smooth",
            "warming and spiced", "light and sweet", "toasty and round"],
    "coffeebag": ["dark chocolate and cherry", "brown sugar and orange", "jasmine and peach",
                  "caramel and hazelnut", "blackcurrant and cocoa", "toffee and red apple"],
}
MADE_IN = ["Portugal", "Japan", "the United Kingdom", "Lithuania", "Mexico", "India", "Peru",
           "Italy", "Vietnam", "Canada", "Turkey", "Kenya", "the United States", "Denmark"]


def slugify(s):
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


def clip(text, n):
    """text cut to at most n characters, at a word, with an ellipsis."""
    if len(text) <= n:
        return text
    return text[:n - 1].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def price_cents(rng, lo, hi):
    dollars = rng.randint(lo, hi)
    cents = rng.choices([0, 50, 95, 99], weights=[4, 1, 3, 3])[0]
    if cents in (95, 99):
        dollars = max(lo, dollars - 1)
    return dollars * 100 + cents


def nice(cents):
    """Round a computed price to end in .00, .50, .95 or .99, like the rest."""
    d, c = divmod(int(cents), 100)
    for end in (0, 50, 95, 99):
        if c <= end:
            return d * 100 + end
    return (d + 1) * 100


def money(cents):
    return "%d.%02d" % divmod(cents, 100)


def pick_colors(rng, colors, n):
    return rng.sample(colors, n)


def variants_for(rng, noun, base_color):
    """Option names and rows: [(options tuple, price delta or multiplier, color)]."""
    opt = noun["opt"]
    colors = noun["colors"]
    if opt is None:
        return [], [((), 0, base_color)]
    kind = opt[0]
    if kind in ("apparel", "socks", "hat"):
        if kind == "socks":
            sizes, ncol = ["S/M", "L/XL"], rng.choice([2, 3])
        elif kind == "hat":
            sizes, ncol = ["S/M", "L/XL"], rng.choice([1, 2, 3])
        else:
            nsize, ncol = rng.choice([(3, 3), (4, 2), (5, 1), (3, 2), (4, 2)])
            start = rng.randint(0, len(APPAREL_SIZES) - nsize)
            sizes = APPAREL_SIZES[start:start + nsize]
        cols = [base_color] + [c for c in pick_colors(rng, colors, 4) if c != base_color]
        cols = cols[:ncol]
        rows = []
        for c in cols:
            for s in sizes:
                bump = 200 if s == "XXL" else 0
                rows.append(((s, c), bump, c))
        return ["Size", "Color"], rows
    if kind == "color":
        n = rng.choice([1, 2, 2, 3, 3])
        if n == 1:
            return [], [((), 0, base_color)]
        cols = [base_color] + [c for c in pick_colors(rng, colors, 4) if c != base_color]
        return ["Color"], [((c,), 0, c) for c in cols[:n]]
    if kind == "size":
        values, step = opt[1], opt[2]
        k = rng.choice([len(values), len(values), 2]) if len(values) > 2 else len(values)
        return ["Size"], [((v,), ("+", step * i, 1 + 0.8 * i), base_color)
                          for i, v in enumerate(values[:k])]
    if kind == "custom":
        name, values = opt[1], opt[2]
        chosen = rng.sample(values, rng.choice([2, 3]))
        return [name], [((v,), opt[3], base_color) for v in chosen]
    if kind == "pack":
        name, values, mults = opt[1], opt[2], opt[3]
        return [name], [((v,), ("x", m), base_color) for v, m in zip(values, mults)]
    if kind == "coffee":
        rows = []
        for si, size in enumerate(["250 g", "1 kg"]):
            for grind in ["Whole Bean", "Filter", "Espresso"]:
                rows.append(((size, grind), ("x", 1.0 if si == 0 else 3.4), base_color))
        return ["Size", "Grind"], rows
    raise ValueError(kind)


def description(rng, t, noun, name, material, title, vendor, backorder, color_names):
    """The product's HTML (paragraphs and a list) and its first paragraph as text."""
    kind = noun["draw"]
    intro = rng.choice(INTROS[t["type"]]).format(noun=name.lower(), material=material.lower(),
                                                 Title=title)
    intro = re.sub(r"\b([Aa]) ([aeiouAEIOU])", r"\1n \2", intro)
    paras = [intro + " " + MIDDLES[kind]]
    if kind == "tin":
        paras.append("Our %s is %s, from a garden we have bought from for years." % (
            material, rng.choice(NOTES[kind])))
    elif kind == "coffeebag":
        paras.append("In the cup: %s. Grown in %s, roasted by %s." % (
            rng.choice(NOTES[kind]), material, vendor))
    elif rng.random() < 0.6:
        paras.append("Designed by %s and made in %s, in a workshop we visit every year." % (
            vendor, rng.choice(MADE_IN)))
    items = []
    if kind not in ("tin", "coffeebag"):
        items.append("Material: %s" % material.lower().replace("-", " "))
    if color_names:
        items.append("Colors: %s" % ", ".join(c.lower() for c in color_names))
    items.extend(rng.sample(t["care"], 2))
    esc = lambda x: x.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    html = "".join("<p>%s</p>" % esc(x) for x in paras)
    if backorder:
        html += "<p><strong>Made to order:</strong> ships in three to four weeks.</p>"
    html += "<ul>%s</ul>" % "".join("<li>%s</li>" % esc(x) for x in items)
    return html, paras[0]


# ---------------------------------------------------------------------------


def build(seed):
    rng = random.Random(seed)
    products = []
    titles = set()
    for t in TYPES:
        nouns = t["nouns"]
        made = 0
        i = 0
        while made < PER_TYPE:
            noun = nouns[i % len(nouns)]
            i += 1
            adjs = noun.get("adjectives", t["adjectives"])
            for _ in range(200):
                adj = rng.choice(adjs)
                material = rng.choice(noun["materials"])
                name = rng.choice(noun["names"])
                title = "%s %s %s" % (adj, material, name)
                if title not in titles and slugify(title) not in titles:
                    break
            else:
                continue
            titles.add(title)
            titles.add(slugify(title))
            products.append(make_product(rng, t, noun, adj, material, name, title))
            made += 1
    # The file's order is the import order, and the newest products are the
    # home page's "New arrivals": mix the types.
    rng.shuffle(products)
    for n, p in enumerate(products):
        p["seq"] = n
    return products


def make_product(rng, t, noun, adj, material, name, title):
    handle = slugify(title)
    vendor = rng.choice(t["vendors"])
    matcolor = noun.get("matcolor", {})
    if material in matcolor:
        base_hex, base_color, colors_fixed = matcolor[material], None, True
    else:
        base_color = rng.choice(noun["colors"])
        base_hex, colors_fixed = COLORS[base_color], False
    noun_eff = noun
    if colors_fixed and noun["opt"] == ("color",):
        noun_eff = dict(noun, opt=None)
    opt_names, rows = variants_for(rng, noun_eff, base_color)
    price = price_cents(rng, *noun["price"])
    r = rng.random()
    sold_out = r < 0.07
    backorder = 0.07 <= r < 0.10
    on_sale = rng.random() < 0.16
    sale_ratio = rng.uniform(1.2, 1.45)
    grams = rng.randint(*noun["grams"])
    words = vendor.replace("&", "").replace(".", "").split()
    code = (words[0][:4 - len(words)] + "".join(w[0] for w in words[1:]))[:3].upper()
    variants = []
    for opts, delta, color in rows:
        wfactor = 1
        if isinstance(delta, tuple) and delta[0] == "+":
            vprice, wfactor = price + delta[1], delta[2]
        elif isinstance(delta, tuple):
            vprice = nice(price * delta[1])
            wfactor = delta[1]
        else:
            vprice = price + delta
        if sold_out:
            qty, policy = 0, "deny"
        elif backorder:
            qty, policy = 0, "continue"
        else:
            qty = rng.choice([0] + [rng.randint(2, 140)] * 9) if len(rows) > 1 else rng.randint(3, 160)
            policy = "deny"
        compare = nice(vprice * sale_ratio) if on_sale else None
        if compare is not None and compare <= vprice:
            compare = vprice + 500
        variants.append({"options": opts, "price": vprice, "compare": compare, "qty": qty,
                         "policy": policy, "color": color,
                         "grams": int(grams * wfactor)})
    color_opt = "Color" in opt_names
    color_names = []
    if color_opt:
        for v in variants:
            c = v["options"][opt_names.index("Color")]
            if c not in color_names:
                color_names.append(c)
    body, first_para = description(rng, t, noun, name, material, title, vendor, backorder,
                                   color_names if len(color_names) > 1 else [])
    tags = [material.replace("-", " ").lower(), noun["names"][0].lower()]
    tags += [c.lower() for c in color_names]
    if on_sale:
        tags.append("sale")
    if rng.random() < 0.2:
        tags.append("gift idea")
    if rng.random() < 0.12:
        tags.append("bestseller")
    if backorder:
        tags.append("made to order")
    seen = []
    for tg in tags:
        if tg.lower() not in [s.lower() for s in seen]:
            seen.append(tg)
    bg_i = rng.randrange(len(BACKGROUNDS))
    return {
        "handle": handle, "title": title, "vendor": vendor, "type": t["type"], "tcode": t["code"],
        "vcode": code, "noun": noun, "name": name, "material": material, "body": body,
        "seo_description": clip(first_para, 160),
        "tags": seen, "opt_names": opt_names, "variants": variants, "base_hex": base_hex,
        "base_color": base_color, "color_opt": color_opt, "color_names": color_names,
        "on_sale": on_sale, "sold_out": sold_out, "backorder": backorder,
        "bg_i": bg_i, "bg2_i": (bg_i + rng.randint(1, len(BACKGROUNDS) - 1)) % len(BACKGROUNDS),
        "nimages": rng.choice([1, 2, 2, 3, 3]), "seq": 0,
    }


def plan_images(p):
    """[(file name, colour hex, view, alt text, variant colour or None)]"""
    noun_l = p["name"].lower()
    mat_l = p["material"].lower()
    out = []
    if p["color_opt"] and len(p["color_names"]) > 1:
        for c in p["color_names"]:
            out.append(("%s-%s.svg" % (p["handle"], slugify(c)), COLORS[c], "front",
                        "%s in %s" % (p["title"], c.lower()), c))
        if len(out) < 3 and p["nimages"] >= 2:
            c = p["color_names"][0]
            out.append(("%s-detail.svg" % p["handle"], COLORS[c], "detail",
                        "Close-up of the %s %s %s" % (c.lower(), mat_l, noun_l), None))
        return out
    col = p["base_color"]
    incol = " in %s" % col.lower() if col else ""
    out.append(("%s-1.svg" % p["handle"], p["base_hex"], "front", p["title"] + incol, None))
    if p["nimages"] >= 2:
        out.append(("%s-2.svg" % p["handle"], p["base_hex"], "detail",
                    "Close-up of the %s %s%s" % (mat_l, noun_l, incol), None))
    if p["nimages"] >= 3:
        out.append(("%s-3.svg" % p["handle"], p["base_hex"], "styled",
                    "The %s%s, styled on a %s backdrop" % (noun_l, incol,
                                                           BACKGROUNDS[p["bg2_i"]][0]), None))
    return out


def image_bg(p, hexc):
    bg = BACKGROUNDS[p["bg_i"]][1]
    bg2 = BACKGROUNDS[p["bg2_i"]][1]
    lum = max(luminance(COLORS[c]) for c in p["color_names"]) if p["color_names"] else \
        luminance(hexc)
    if lum > 0.72:
        bg = BACKGROUNDS_DEEP[p["bg_i"] % len(BACKGROUNDS_DEEP)][1]
    return bg, bg2


HEADER = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value",
    "Variant SKU", "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price",
    "Variant Compare At Price", "Variant Requires Shipping", "Variant Taxable", "Variant Barcode",
    "Image Src", "Image Position", "Image Alt Text", "Gift Card", "SEO Title", "SEO Description",
    "Variant Image", "Variant Weight Unit", "Status",
]


def write(out_dir, seed):
    products = build(seed)
    media = os.path.join(out_dir, "media", "demo")
    os.makedirs(media, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    col = {h: i for i, h in enumerate(HEADER)}
    stats = {"products": 0, "variants": 0, "images": 0, "bytes": 0}
    # SKU numbers by vendor and type, in file order.
    counters = {}
    written = set()
    for p in products:
        key = (p["vcode"], p["tcode"])
        counters[key] = counters.get(key, 0) + 1
        sku_base = "%s-%s-%03d" % (p["vcode"], p["tcode"], counters[key])
        images = plan_images(p)
        var_image = {}
        for k, (fname, hexc, view, alt, vcolor) in enumerate(images):
            bg, bg2 = image_bg(p, hexc)
            svg = svg_image(p["noun"]["draw"], hexc, bg, bg2, view,
                            zlib.crc32(fname.encode()), COLORS["Rust"] if hexc != COLORS["Rust"]
                            else COLORS["Navy"])
            path = os.path.join(media, fname)
            assert fname not in written, fname
            written.add(fname)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(svg)
            stats["images"] += 1
            stats["bytes"] += len(svg)
            if vcolor:
                var_image[vcolor] = "demo/" + fname
        nrows = max(len(p["variants"]), len(images))
        for r in range(nrows):
            row = [""] * len(HEADER)
            row[col["Handle"]] = p["handle"]
            if r == 0:
                row[col["Title"]] = p["title"]
                row[col["Body (HTML)"]] = p["body"]
                row[col["Vendor"]] = p["vendor"]
                row[col["Type"]] = p["type"]
                row[col["Tags"]] = ", ".join(p["tags"])
                row[col["Published"]] = "TRUE"
                row[col["Gift Card"]] = "FALSE"
                row[col["SEO Title"]] = "%s by %s" % (p["title"], p["vendor"])
                row[col["SEO Description"]] = p["seo_description"]
                row[col["Status"]] = "active"
                if p["opt_names"]:
                    row[col["Option1 Name"]] = p["opt_names"][0]
                    if len(p["opt_names"]) > 1:
                        row[col["Option2 Name"]] = p["opt_names"][1]
                else:
                    row[col["Option1 Name"]] = "Title"
            if r < len(p["variants"]):
                v = p["variants"][r]
                if p["opt_names"]:
                    row[col["Option1 Value"]] = v["options"][0]
                    if len(v["options"]) > 1:
                        row[col["Option2 Value"]] = v["options"][1]
                else:
                    row[col["Option1 Value"]] = "Default Title"
                sku = sku_base
                for o in v["options"]:
                    sku += "-" + re.sub(r"[^A-Z0-9]", "", o.upper())[:6]
                assert sku not in written, sku
                written.add(sku)
                row[col["Variant SKU"]] = sku
                row[col["Variant Grams"]] = str(v["grams"])
                row[col["Variant Inventory Tracker"]] = "shopify"
                row[col["Variant Inventory Qty"]] = str(v["qty"])
                row[col["Variant Inventory Policy"]] = v["policy"]
                row[col["Variant Fulfillment Service"]] = "manual"
                row[col["Variant Price"]] = money(v["price"])
                row[col["Variant Compare At Price"]] = money(v["compare"]) if v["compare"] else ""
                row[col["Variant Requires Shipping"]] = "TRUE"
                row[col["Variant Taxable"]] = "TRUE"
                row[col["Variant Weight Unit"]] = "kg" if v["grams"] >= 1000 else "g"
                if p["color_opt"] and v["color"] in var_image:
                    row[col["Variant Image"]] = var_image[v["color"]]
                stats["variants"] += 1
            if r < len(images):
                row[col["Image Src"]] = "demo/" + images[r][0]
                row[col["Image Position"]] = str(r + 1)
                row[col["Image Alt Text"]] = images[r][3]
            w.writerow(row)
        stats["products"] += 1
    with open(os.path.join(out_dir, "catalog.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    cols = collections(products)
    with open(os.path.join(out_dir, "collections.json"), "w", encoding="utf-8") as f:
        json.dump({"collections": cols}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    stats["collections"] = len(cols)
    stats["sale"] = sum(1 for p in products if p["on_sale"])
    stats["sold_out"] = sum(1 for p in products if p["sold_out"])
    stats["backorder"] = sum(1 for p in products if p["backorder"])
    return stats


def showcase_order(products, key=lambda p: p["noun"]["draw"]):
    """A collection's order: available products first, the kinds of product
    (or the groups key gives) taking turns, so that the first row of a grid is
    varied."""
    by_kind = {}
    for p in sorted(products, key=lambda p: (p["sold_out"], p["seq"])):
        by_kind.setdefault(key(p), []).append(p)
    queues = [q for q in by_kind.values() if q]
    out = []
    while queues:
        for q in queues:
            out.append(q.pop(0))
        queues = [q for q in queues if q]
    avail = [p for p in out if not p["sold_out"]]
    return [p["handle"] for p in avail + [p for p in out if p["sold_out"]]]


COLLECTION_TEXT = {
    "apparel": ("Apparel", "Wardrobe staples in natural fibers: tees, knits, overshirts and the "
                "hats and socks that finish an outfit."),
    "bags": ("Bags", "Totes, backpacks and weekenders in canvas, nylon and leather, built to be "
             "carried every day."),
    "home": ("Home", "Lamps, candles, cushions and throws for a calmer home, with our kitchen and "
             "ceramics."),
    "kitchen": ("Kitchen", "Boards, pans, kettles and linens for people who like to cook."),
    "ceramics": ("Ceramics", "Mugs, bowls, plates and vases, thrown and glazed by hand in small "
                 "studios."),
    "stationery": ("Stationery", "Notebooks, planners, pens and cards on paper that is a pleasure "
                   "to write on."),
    "outdoor": ("Outdoor", "Tents, lanterns, bottles and hats for weekends outside."),
    "tea-coffee": ("Tea & Coffee", "Small-lot teas, freshly roasted coffee and the tools to brew "
                   "them well."),
    "sale": ("Sale", "Last chance on past-season colors and favorites, while stocks last."),
}


def collections(products):
    by_type = {}
    for p in products:
        by_type.setdefault(p["type"], []).append(p)

    def coll(handle, parent, featured, prods, order=None):
        title, text = COLLECTION_TEXT[handle]
        return {"handle": handle, "title": title, "body_html": "<p>%s</p>" % text.replace(
            "&", "&amp;"), "parent": parent, "featured": featured,
                "products": order or showcase_order(prods)}

    home_all = by_type["Home"] + by_type["Kitchen"] + by_type["Ceramics"]
    sale = [p for p in products if p["on_sale"]]
    shown = ("Apparel", "Ceramics", "Tea & Coffee")  # featured above Sale on the home page
    by_type_key = lambda p: p["type"]
    return [
        coll("apparel", None, True, by_type["Apparel"]),
        coll("bags", None, False, by_type["Bags"]),
        coll("home", None, False, home_all),
        coll("kitchen", "home", False, by_type["Kitchen"]),
        coll("ceramics", "home", True, by_type["Ceramics"]),
        coll("stationery", None, False, by_type["Stationery"]),
        coll("outdoor", None, False, by_type["Outdoor"]),
        coll("tea-coffee", None, True, by_type["Tea & Coffee"]),
        # The sale starts with the types the home page does not show already.
        coll("sale", None, True, None,
             showcase_order([p for p in sale if p["type"] not in shown], key=by_type_key) +
             showcase_order([p for p in sale if p["type"] in shown], key=by_type_key)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=20240601)
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    st = write(a.out_dir, a.seed)
    print("demo: %(products)d products, %(variants)d variants, %(images)d images (%(bytes)d bytes "
          "of SVG), %(collections)d collections; %(sale)d on sale, %(sold_out)d sold out, "
          "%(backorder)d made to order" % st, file=sys.stderr)


if __name__ == "__main__":
    main()
