"""The warehouse: its schema (versioned SQL in ``schema/``) and every query on it."""
