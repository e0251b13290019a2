"""tollwatch: casualty claims from news texts, as validated tables, figures and notebooks."""
