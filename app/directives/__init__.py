"""Directives (văn bản chỉ đạo): extraction, drafts, publishing."""
