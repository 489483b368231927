"""``tui-backprop lessons``: the shipped lessons, by name."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ...io.lessons import shipped_lessons
from ..wrap import fit

if TYPE_CHECKING:
    from ..main import Invocation


def run_lessons(call: Invocation) -> int:
    args = call.args
    lessons = shipped_lessons()
    if args.json:
        print(
            json.dumps(
                [
                    {"name": lesson.name, "scene": lesson.scene, "title": lesson.title}
                    for lesson in lessons
                ]
            )
        )
        return 0
    width = max(len(lesson.name) for lesson in lessons) + 2
    for lesson in lessons:
        line = f"{lesson.name.ljust(width)}{lesson.scene.ljust(11)}{lesson.title}"
        print(fit(line, indent=width + 11))
    print("\nopen one with: tui-backprop lesson NAME   (t shows or hides its notes)")
    return 0
