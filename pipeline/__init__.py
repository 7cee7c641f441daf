"""diaoyan: mine Chinese investigative reports (调研报告) for problems and countermeasures."""

__version__ = "0.1.0"
