"""Fakes shared by the tests: a notifier that records instead of showing."""

from __future__ import annotations


class RecordingNotifier:
    def __init__(self, name: str = "recording", fail: bool = False) -> None:
        self.name = name
        self.fail = fail
        self.shown: list[tuple[str, str, int]] = []

    def notify(self, title: str, body: str, timeout_s: int) -> None:
        if self.fail:
            raise RuntimeError(f"{self.name} is broken")
        self.shown.append((title, body, timeout_s))
