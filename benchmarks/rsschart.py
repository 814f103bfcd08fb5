"""A PNG chart of memory over time, written with the standard library (zlib) so benchmarks need no plotting package.

Lines: whole process tree (black), flow process (blue), workers summed (orange), Prefect server (green);
dashed red: the 1.5 GB target; grey grid every 0.5 GB and every minute. Axis figures in a 3×5 pixel font.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

WIDTH, HEIGHT, MARGIN_LEFT, MARGIN_BOTTOM, MARGIN = 900, 420, 48, 24, 12
SERIES_COLOURS = {"tree": (0, 0, 0), "flow": (31, 119, 180), "workers": (255, 127, 14), "prefect_server": (44, 160, 44)}
TARGET_COLOUR, GRID_COLOUR = (214, 39, 40), (225, 225, 225)
_DIGITS = {  # 3x5 glyphs, rows top to bottom
    "0": ("111", "101", "101", "101", "111"),
    "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"),
    "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"),
    "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"),
    "7": ("111", "001", "001", "001", "001"),
    "8": ("111", "101", "111", "101", "111"),
    "9": ("111", "101", "111", "001", "111"),
    ".": ("000", "000", "000", "000", "010"),
    "G": ("111", "100", "101", "101", "111"),
    "s": ("000", "111", "100", "011", "111"),
    "m": ("000", "110", "111", "101", "101"),
}


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(b"\xff" * (width * height * 3))

    def dot(self, x: int, y: int, colour: tuple[int, int, int]) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            offset = (y * self.width + x) * 3
            self.pixels[offset : offset + 3] = bytes(colour)

    def line(self, x0: int, y0: int, x1: int, y1: int, colour, dashed: bool = False, thick: bool = False) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for step in range(steps + 1):
            if dashed and (step // 6) % 2:
                continue
            x = round(x0 + (x1 - x0) * step / steps)
            y = round(y0 + (y1 - y0) * step / steps)
            self.dot(x, y, colour)
            if thick:
                self.dot(x, y + 1, colour)

    def text(self, x: int, y: int, text: str, colour=(80, 80, 80), scale: int = 2) -> None:
        for index, char in enumerate(text):
            for row, bits in enumerate(_DIGITS.get(char, ("000",) * 5)):
                for column, bit in enumerate(bits):
                    if bit == "1":
                        for dx in range(scale):
                            for dy in range(scale):
                                self.dot(x + (index * 4 + column) * scale + dx, y + row * scale + dy, colour)

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.pixels[row * self.width * 3 : (row + 1) * self.width * 3]) for row in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def write_rss_chart(timeline: list[dict], path: Path, target_bytes: float = 1.5e9) -> Path:
    """Draw `timeline` (dicts with `t` seconds and byte counts per series in SERIES_COLOURS) into a PNG at `path`."""
    canvas = _Canvas(WIDTH, HEIGHT)
    seconds = max((point["t"] for point in timeline), default=1.0) or 1.0
    top = max([target_bytes * 1.1, *(point.get("tree", 0) * 1.05 for point in timeline)])
    plot_w, plot_h = WIDTH - MARGIN_LEFT - MARGIN, HEIGHT - MARGIN_BOTTOM - MARGIN

    def xy(t: float, value: float) -> tuple[int, int]:
        return MARGIN_LEFT + round(t / seconds * plot_w), MARGIN + plot_h - round(value / top * plot_h)

    gigabytes = 0.0
    while gigabytes * 1e9 <= top:
        _, y = xy(0, gigabytes * 1e9)
        canvas.line(MARGIN_LEFT, y, WIDTH - MARGIN, y, GRID_COLOUR)
        canvas.text(2, y - 5, f"{gigabytes:.1f}G")
        gigabytes += 0.5
    minute_step = 60 if seconds <= 900 else 300
    for tick in range(0, int(seconds) + 1, minute_step):
        x, _ = xy(tick, 0)
        canvas.line(x, MARGIN, x, MARGIN + plot_h, GRID_COLOUR)
        canvas.text(x + 2, HEIGHT - MARGIN_BOTTOM + 6, f"{tick // 60}m")
    canvas.text(WIDTH - MARGIN - 60, HEIGHT - MARGIN_BOTTOM + 6, f"{seconds:.0f}s")
    canvas.line(*xy(0, target_bytes), *xy(seconds, target_bytes), TARGET_COLOUR, dashed=True)
    canvas.line(MARGIN_LEFT, MARGIN, MARGIN_LEFT, MARGIN + plot_h, (0, 0, 0))
    canvas.line(MARGIN_LEFT, MARGIN + plot_h, WIDTH - MARGIN, MARGIN + plot_h, (0, 0, 0))
    for series, colour in SERIES_COLOURS.items():
        points = [xy(point["t"], point.get(series, 0)) for point in timeline]
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            canvas.line(x0, y0, x1, y1, colour, thick=series == "tree")
    path.write_bytes(canvas.png())
    return path
