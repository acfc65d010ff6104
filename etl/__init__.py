"""ETL: read curated files, validate them against the contract, load the warehouse."""
