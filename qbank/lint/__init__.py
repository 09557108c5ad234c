"""Item-writing lint: the rule registry, the engine that runs it, fixes and the code catalogue."""
