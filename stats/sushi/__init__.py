"""Harvesting COUNTER reports from the e-material vendors' SUSHI APIs into the statistics
(a Django app nested in stats: it feeds stats' own COUNTER import, see docs/stats.md)."""
