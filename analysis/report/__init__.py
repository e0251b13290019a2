"""What the notebooks and the report show: figures, tables, the data dictionary."""
