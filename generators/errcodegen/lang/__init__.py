"""Per-language naming rules, reserved words and literal escaping.

Each language lives in one module here and nowhere else: the targets render
with these functions and the lint rule IDENTIFIER_COLLISION checks with them.
"""
