"""Performance benchmarks: timings as ratios against a floor measured in the same run.

Run them by hand (``python -m benchmarks.refresh``); targets live here, never as timed
assertions in the tests.
"""
