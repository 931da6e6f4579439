"""Moved to deskguard/services/programme.py; this name goes once every import is updated."""

from deskguard.services.programme import Coach, MemoryProgramLog

__all__ = ["Coach", "MemoryProgramLog"]
