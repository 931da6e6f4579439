"""Widgets: the only package that imports QtWidgets, QtGui or QtCharts."""
