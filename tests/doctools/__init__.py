"""Sybil parsers and evaluators that run every fenced code block in docs/.

Three small pieces, in Sybil's style: :mod:`.fences` reads a fence's info
string, :mod:`.evaluators` runs one kind of block, :mod:`.parser` decides for
each block which evaluator runs it — or why none does.
"""
