"""The outside world: files, database, D-Bus, notifications, the alarm. Never QtWidgets."""
