"""DeskGuard: a desktop movement-break and ergonomics companion."""

__version__ = "0.1.0"
