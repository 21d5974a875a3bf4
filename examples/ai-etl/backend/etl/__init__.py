"""AI ETL Assistant backend: the transform stage of a CSV pipeline."""
