"""Reading and writing bank files: discovery, parsing with positions, validation, loading, the
canonical YAML layout, atomic output and hostile-input guards."""
