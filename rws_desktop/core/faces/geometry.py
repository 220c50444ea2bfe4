"""Boxes in the upright photo's pixel coordinates."""
from __future__ import annotations

import math
from dataclasses import dataclass


def rotate_offset(dx: float, dy: float, angle: float) -> tuple[float, float]:
    """An offset measured in a copy turned by `angle` degrees (PIL: counter-clockwise), in the unturned photo (y down)."""
    if not angle:
        return dx, dy
    radians = math.radians(angle)
    cos, sin = math.cos(radians), math.sin(radians)
    return cos * dx - sin * dy, sin * dx + cos * dy


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)

    @property
    def center(self) -> tuple[float, float]:
        return (self.left + self.right) / 2, (self.top + self.bottom) / 2

    def as_list(self) -> list[int]:
        return [self.left, self.top, self.right, self.bottom]

    def clipped(self, width: int, height: int) -> "Box":
        return Box(max(0, self.left), max(0, self.top), min(width, self.right), min(height, self.bottom))

    def grown(self, sides: float, above: float, below: float) -> "Box":
        """Grow by fractions of the width (sides) and height (above, below)."""
        dx, up, down = self.width * sides, self.height * above, self.height * below
        return Box(round(self.left - dx), round(self.top - up), round(self.right + dx), round(self.bottom + down))

    def union(self, other: "Box") -> "Box":
        return Box(min(self.left, other.left), min(self.top, other.top), max(self.right, other.right), max(self.bottom, other.bottom))

    def intersection_area(self, other: "Box") -> int:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return max(0, width) * max(0, height)

    def overlap(self, other: "Box") -> float:
        """Intersection over the smaller box: 1.0 when one box sits inside the other."""
        smaller = min(self.area, other.area)
        return self.intersection_area(other) / smaller if smaller else 0.0

    @classmethod
    def around_points(cls, points: list[tuple[float, float]]) -> "Box":
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return cls(int(min(xs)), int(min(ys)), int(round(max(xs) + 0.5)), int(round(max(ys) + 0.5)))
