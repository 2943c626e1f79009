"""Whole-page cache for the navbar's list pages (issue 14.2) that can never show stale data.

A page is cached per session under the data generation: one token that every committed database write replaces
(writes.py watches every SQL statement Django sends, whatever made it: the ORM, a queryset update, raw SQL, a worker).
A write anywhere makes every cached page a miss; the clock's date is part of the key and a page lives at most
PAGE_CACHE_SECONDS, so a cached page is never older than the data and the day it was drawn from.
"""
