"""Mergers (sáp nhập) and moves of units in the tree, and what follows them."""
