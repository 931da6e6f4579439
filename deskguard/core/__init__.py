"""Pure logic: no Qt, APScheduler, plyer, sqlite3 or platformdirs in this package."""
