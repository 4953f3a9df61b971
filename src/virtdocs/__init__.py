"""virtdocs: a simulator that shows how compute virtualization evolved."""

__version__ = "0.1.0"
