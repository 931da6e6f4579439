"""The back-care programme in the real app on the rig: `programme --json` over IPC, and
a session-day reminder reaching the notification daemon (DESIGN §5).

The reminder is a cron job with minute resolution, so the settings put the session
time at the next whole minute and the test waits for it (about a minute at most).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deskguard.adapters.store import Store
from deskguard.core.programme import Kind, ProgrammeEvent
from tests.e2e.rig import Rig, require_rig, wait_for
from tests.e2e.test_break_loop import (
    START_TIMEOUT,
    assert_clean_output,
    quit_app,
    start_deskguard,
)

pytestmark = pytest.mark.e2e

REMINDER_SUMMARY = "Back-care session today"
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Rig]:
    require_rig()
    with Rig(tmp_path / "rig") as rig:
        try:
            yield rig
        finally:
            print(rig.logs())


def programme_home(rig: Rig, reminder_at: datetime) -> datetime:
    """Settings with sessions on the reminder's day (and two more, a rest day apart) at
    that minute, and a programme the user started three days before. Returns the start."""
    day = reminder_at.weekday()
    days = sorted({day, (day + 2) % 7, (day + 4) % 7})
    config = rig.home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "settings.toml").write_text(
        "[programme]\n"
        f"days = [{', '.join(json.dumps(DAY_NAMES[d]) for d in days)}]\n"
        f'time = "{reminder_at:%H:%M}"\n'
        "reminders = true\n",
        encoding="utf-8",
    )
    started = (reminder_at - timedelta(days=3)).replace(hour=10, minute=0)
    store, notes = Store.open(rig.home / "data" / "deskguard.db")
    assert notes == []
    with store:
        store.add_programme_events(
            [ProgrammeEvent(Kind.SCREENED, started), ProgrammeEvent(Kind.STARTED, started, phase=1)]
        )
    return started


def programme_json(rig: Rig) -> dict[str, object]:
    done = rig.cli("programme", "--json")
    assert done.returncode == 0, done.stderr
    reply: dict[str, object] = json.loads(done.stdout)
    return reply


def test_programme_over_ipc_and_the_session_reminder_in_dunst(desktop: Rig, tmp_path: Path) -> None:
    rig = desktop
    now = datetime.now().astimezone()
    if (now + timedelta(minutes=2)).date() != now.date():  # the minute must be today's
        time.sleep((timedelta(minutes=2, seconds=5)).total_seconds())
        now = datetime.now().astimezone()
    reminder_at = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    started = programme_home(rig, reminder_at)

    app, status = start_deskguard(rig)
    assert status["problems"] == [], status

    reply = programme_json(rig)
    assert reply["ok"] is True
    assert reply["started"] == started.date().isoformat()
    assert (reply["phase"], reply["phase_title"]) == (1, "Settle and re-activate")
    assert reply["paused"] is False and reply["pause_reasons"] == []
    assert reply["train_today"] == {"ok": True, "reason": "A session is due today."}
    assert reply["next_session_day"] == now.date().isoformat()
    assert reply["time"] == f"{reminder_at:%H:%M}" and reply["reminders"] is True
    if not reply["reminded_today"]:  # not yet: the job waits for the minute
        assert reply["next_reminder_at"] is not None
        assert datetime.fromisoformat(str(reply["next_reminder_at"])) == reminder_at
    text = rig.cli("programme")
    assert text.returncode == 0, text.stderr
    assert "Programme:   phase 1 of 3, Settle and re-activate" in text.stdout

    waited = time.monotonic()
    notes = wait_for(
        lambda: [n for n in rig.notifications() if n.summary == REMINDER_SUMMARY],
        (reminder_at - datetime.now().astimezone()).total_seconds() + START_TIMEOUT,
        f"a {REMINDER_SUMMARY!r} notification in the dunst log",
        interval=0.5,
    )
    print(f"reminder reached dunst {time.monotonic() - waited:.1f} s after the wait began")
    assert len(notes) == 1, notes
    assert notes[0].body.startswith("Phase 1, Settle and re-activate"), notes[0]
    assert datetime.now().astimezone() >= reminder_at - timedelta(seconds=1)

    after = programme_json(rig)
    assert after["reminded_today"] is True
    later = datetime.fromisoformat(str(after["next_reminder_at"]))
    assert later >= reminder_at + timedelta(days=2)  # the next session day, not today again

    # The reminder is in the programme's log, read while the app runs.
    target = tmp_path / "programme.csv"
    done = rig.cli("export", "--programme-csv", str(target))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(target.read_text(encoding="utf-8").splitlines()))
    assert [r["kind"] for r in rows] == ["screened", "started", "reminded"]
    assert rows[-1]["detail"] == reminder_at.date().isoformat()

    quit_app(rig, app)
    assert_clean_output(rig, app)
    assert [n.summary for n in rig.notifications()].count(REMINDER_SUMMARY) == 1
