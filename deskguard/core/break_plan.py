"""What the break's timer says while it runs: when to switch sides, which set this is,
and the short line that closes a finished break.

A break lasts the user's break length (2 min by default) whatever the exercise's dose,
so a dose with sides or sets is spread over it: "Hold 15–30 s, 1–2 sets, each side" in
two minutes is four stretches of 30 s, first side then other side, set 1 then set 2.
Splitting the break evenly is our choice; the articles give holds and sets, not a
timetable. No part is made shorter than `MIN_PART_S`, so a short break drops sets
before it rushes a hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from deskguard.core.model import Dose

MIN_PART_S = 10


@dataclass(frozen=True)
class Part:
    start_s: int  # seconds into the break
    label: str  # what the timer shows while this part runs
    switch: str  # said at its start ("" for the first part)


def parts(dose: Dose | None, total_s: int) -> list[Part]:
    """The break's parts in order; empty when there is nothing to switch."""
    if dose is None:
        return []
    sides = 2 if dose.per_side else 1
    sets = dose.sets.high if dose.sets is not None else 1
    while sets > 1 and total_s // (sides * sets) < MIN_PART_S:
        sets -= 1
    if sides * sets == 1 or total_s // (sides * sets) < MIN_PART_S:
        return []
    length = total_s / (sides * sets)
    result: list[Part] = []
    for s in range(sets):
        for side in range(sides):
            index = s * sides + side
            side_text = ("First side", "Other side")[side] if sides == 2 else ""
            set_text = f"set {s + 1} of {sets}" if sets > 1 else ""
            if side_text and set_text:
                label = f"{side_text} · {set_text}"
            else:
                label = (side_text or set_text).capitalize()
            if index == 0:
                switch = ""
            elif side == 0:
                switch = f"Set {s + 1} of {sets}" + (": first side" if sides == 2 else "")
            else:
                switch = "Other side"
            result.append(Part(round(index * length), label, switch))
    return result


def part_at(plan: list[Part], elapsed_s: float) -> Part | None:
    """The part running `elapsed_s` into the break."""
    current = None
    for part in plan:
        if part.start_s <= elapsed_s:
            current = part
    return current


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st (English)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def finish_text(moved_s: int, breaks_today: int) -> str:
    """The line that closes a finished break: "2 min on your feet, 5th break today"."""
    if moved_s < 60:
        moved = f"{moved_s} s on your feet"
    else:
        minutes, seconds = divmod(moved_s, 60)
        time_text = f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
        moved = f"{time_text} on your feet"
    if breaks_today <= 0:
        return moved
    if breaks_today == 1:
        return f"{moved}, your first break today"
    return f"{moved}, {ordinal(breaks_today)} break today"
