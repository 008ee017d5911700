"""Lay out a case type's stages as a diagram for the workflow help page.

Stages are placed in columns by their distance from the first stage along the
transitions; side states (where the clock pauses: awaiting materials; where a case ends
off its main path: not accepted, withdrawn) go in a row below. The template draws boxes
and arrows from these coordinates.
"""
from dataclasses import dataclass

from .workflow import RESUME, CaseType

BOX_WIDTH, BOX_HEIGHT, GAP_X, GAP_Y, MARGIN = 124, 44, 30, 70, 10


@dataclass
class Box:
    code: str
    name: object
    x: float
    y: float
    side: bool


@dataclass
class Arrow:
    path: str  # SVG path data
    label: object


def _side_states(case_type: CaseType) -> list[str]:
    """Where a case steps aside: its clock paused, or ended off its main path."""
    return [stage.code for stage in case_type.stages
            if stage.kind.pauses_clock or (not stage.kind.open and stage.code not in case_type.main_path)]


def _columns(case_type: CaseType, side_states: list[str]) -> dict[str, int]:
    """Breadth-first distance of each main stage from the first one."""
    column = {case_type.initial_stage: 0}
    frontier = [case_type.initial_stage]
    while frontier:
        current = frontier.pop(0)
        for transition in case_type.transitions_from(current):
            target = transition.target
            if target not in column and target not in side_states and target != RESUME:
                column[target] = column[current] + 1
                frontier.append(target)
    return column


def layout(case_type: CaseType) -> dict:
    side_states = _side_states(case_type)
    columns = _columns(case_type, side_states)
    boxes: dict[str, Box] = {}
    used: dict[int, int] = {}  # boxes per column
    for code, col in sorted(columns.items(), key=lambda item: item[1]):
        row = used.get(col, 0)
        used[col] = row + 1
        boxes[code] = Box(code, case_type.stage(code).name, MARGIN + col * (BOX_WIDTH + GAP_X),
                          MARGIN + row * (BOX_HEIGHT + GAP_Y), False)
    side_y = MARGIN + max(used.values()) * (BOX_HEIGHT + GAP_Y) + GAP_Y / 2
    for index, code in enumerate(side_states):
        boxes[code] = Box(code, case_type.stage(code).name, MARGIN + index * (BOX_WIDTH + GAP_X), side_y, True)
    arrows = []
    for transition in case_type.transitions:
        if transition.target == RESUME or transition.target in side_states:
            continue  # reachable from everywhere: described in the legend, not drawn
        for source in sorted(case_type.sources_of(transition)):
            if source in boxes and transition.target in boxes:
                arrows.append(_arrow(boxes[source], boxes[transition.target], transition.label))
    width = max(box.x for box in boxes.values()) + BOX_WIDTH + MARGIN
    height = side_y + BOX_HEIGHT + MARGIN
    return {"boxes": list(boxes.values()), "arrows": arrows, "width": width, "height": height,
            "box_width": BOX_WIDTH, "box_height": BOX_HEIGHT}


def _arrow(source: Box, target: Box, label) -> Arrow:
    if target.x > source.x:  # forward: from the right edge to the left edge
        x1, y1, x2, y2 = source.x + BOX_WIDTH, source.y + BOX_HEIGHT / 2, target.x, target.y + BOX_HEIGHT / 2
        return Arrow(f"M {x1} {y1} L {x2} {y2}", label)
    x1, x2 = source.x + BOX_WIDTH / 2, target.x + BOX_WIDTH / 2
    if target.x < source.x:  # going back: a curve under both boxes
        y = max(source.y, target.y) + BOX_HEIGHT
        return Arrow(f"M {x1 - 10} {source.y + BOX_HEIGHT} C {x1 - 10} {y + 40}, {x2 + 10} {y + 40}, "
                     f"{x2 + 10} {target.y + BOX_HEIGHT}", label)
    return Arrow(f"M {x1} {source.y + BOX_HEIGHT} L {x2} {target.y}", label)
