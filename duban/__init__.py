"""Duban (督办): the shell — CLI, settings and wiring."""
