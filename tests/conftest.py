"""Hypothesis profiles for the whole suite.

"default": random examples, few of them (the suite must stay fast on a busy laptop);
"ci": the same count but derandomized, so a CI run repeats exactly. No deadline in
either: timing depends on the machine, and a test must never fail for being slow.
"""
import os

from hypothesis import settings

settings.register_profile("default", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")
