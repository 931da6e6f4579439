"""The floor between core and the widgets: QtCore only (signals, timers).

Services carry out what core decides and talk to the world through core/ports.py and
small view protocols. They import core, never adapters, widgets or sqlite3.
"""
