"""Where the words over a photo go, so they never hide what staff are looking at: the face labels clear of each
other (and of the faces, where there is room), and a face's pop-up or a correction's dialog beside the face,
never over it. Plain geometry on Qt's rectangles; no widgets."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, QSizeF


def place_labels(faces: list[QRectF], sizes: list[QSizeF], bounds: QRectF, gap: float) -> list[QRectF]:
    """A rectangle for each face's label, in the faces' coordinates: under its face, or stacked further down (or
    above the face) until it overlaps no label placed before it and, where there is room, no face. Faces are taken
    top to bottom, left to right, so labels of a row of faces step down in the same order as the faces."""
    placed: list[QRectF] = [QRectF()] * len(faces)
    taken: list[QRectF] = []
    for index in sorted(range(len(faces)), key=lambda i: (faces[i].top(), faces[i].left())):
        face, size = faces[index], sizes[index]
        candidates = _candidates(face, size, bounds, gap)
        clear_of_labels = [c for c in candidates if not any(c.intersects(t) for t in taken)]
        clear_of_all = [c for c in clear_of_labels if not any(c.intersects(f) for f in faces)]
        chosen = (clear_of_all or clear_of_labels or candidates)[0]
        placed[index] = chosen
        taken.append(chosen)
    return placed


def _candidates(face: QRectF, size: QSizeF, bounds: QRectF, gap: float) -> list[QRectF]:
    """Slots for a label, nearest first: just under the face, just above it, then a label's height further each
    way. Inside `bounds` when the label fits there at all; otherwise just under the face."""
    width, height = size.width(), size.height()
    left = max(bounds.left(), min(face.left(), bounds.right() - width))
    step = height + gap
    below = [face.bottom() + gap + n * step for n in range(_steps(face.bottom() + gap, bounds.bottom() - height, step))]
    above = [face.top() - gap - height - n * step for n in range(_steps(bounds.top(), face.top() - gap - height, step))]
    order = [y for pair in zip(below, above) for y in pair] + below[len(above):] + above[len(below):]
    slots = [QRectF(left, y, width, height) for y in order]
    return slots or [QRectF(left, face.bottom() + gap, width, height)]


def _steps(low: float, high: float, step: float) -> int:
    """How many slots of `step` fit from `low` up to `high` (both inclusive)."""
    return int((high - low) // step) + 1 if high >= low and step > 0 else 0


def beside(size: QSize, avoid: QRect, screen: QRect, gap: int = 8, also_avoid: Sequence[QRect] = ()) -> QPoint:
    """Where a pop-up or dialog of `size` goes so it does not cover `avoid` (a face on screen): to its right, else its
    left, below or above, kept on `screen`, preferring a place that covers none of `also_avoid` (the other faces)
    either; when none of those is clear of `avoid`, wherever it covers the least of it."""
    width, height = size.width(), size.height()

    def on_screen_x(x: int) -> int:
        return max(screen.left(), min(x, screen.right() + 1 - width))

    def on_screen_y(y: int) -> int:
        return max(screen.top(), min(y, screen.bottom() + 1 - height))

    candidates = [
        QPoint(avoid.right() + 1 + gap, on_screen_y(avoid.top())),
        QPoint(avoid.left() - gap - width, on_screen_y(avoid.top())),
        QPoint(on_screen_x(avoid.left()), avoid.bottom() + 1 + gap),
        QPoint(on_screen_x(avoid.left()), avoid.top() - gap - height),
    ]
    for others in (also_avoid, ()):
        for point in candidates:
            rect = QRect(point, size)
            if screen.contains(rect) and not rect.intersects(avoid) and not any(rect.intersects(o) for o in others):
                return point
    kept_on_screen = [QPoint(on_screen_x(p.x()), on_screen_y(p.y())) for p in candidates]
    return min(kept_on_screen, key=lambda p: _area(QRect(p, size).intersected(avoid)))


def _area(rect: QRect) -> int:
    return max(0, rect.width()) * max(0, rect.height())
