"""Curated stop-word lists (package data)."""
