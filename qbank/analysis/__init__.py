"""Bank-level analyses: duplicate detection, blueprint coverage and test assembly."""
