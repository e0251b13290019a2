"""The data dictionary: the README section made from the pandera models' descriptions."""

from __future__ import annotations

DICT_START, DICT_END = "<!-- data-dictionary:start -->", "<!-- data-dictionary:end -->"


def _type_name(dtype) -> str:
    text = str(dtype)
    if "string" in text or text == "str":
        return "string"
    return {"datetime64[us, UTC]": "timestamp (UTC)", "Int64": "integer", "int64": "integer", "Float64": "float"}.get(
        text, text
    )


# Before the exports' entries in the data dictionary.
EXPORTS_INTRO = (
    "The exports (`python -m analysis exports`: `data/exports/` for the bundled case, `DIR/exports/` for "
    "`run DIR`) are CSV files in UTF-8: a header row, one row per record, an empty cell for a null, times as "
    "ISO 8601 text; their columns follow ACLED's and UCDP's event files where those have a match."
)


def data_dictionary(tables: dict | None = None) -> str:
    """Markdown for every model in tables (default schemas.TABLES), from the pandera models' docstrings and field
    descriptions."""
    from analysis.schemas import TABLES

    parts = []
    for name, model in (TABLES if tables is None else tables).items():
        schema = model.to_schema()
        doc = " ".join((model.__doc__ or "").split()).replace("<", "&lt;").replace(">", "&gt;")
        parts.append(f"### `{name}`\n\n{doc}")
        if schema.unique:
            parts.append(f"Primary key: {', '.join(f'`{c}`' for c in schema.unique)}.")
        lines = ["| column | type | null | description |", "| --- | --- | --- | --- |"]
        for col_name, col in schema.columns.items():
            desc = (col.description or "").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            if col.unique:
                desc = f"**Unique.** {desc}"
            lines.append(f"| `{col_name}` | {_type_name(col.dtype)} | {'yes' if col.nullable else 'no'} | {desc} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def readme_with_dictionary(readme: str) -> str:
    """The README text with the data dictionary between its markers regenerated."""
    head, rest = readme.split(DICT_START, 1)
    _, tail = rest.split(DICT_END, 1)
    from analysis.schemas import EXPORTS

    exports = data_dictionary({f"exports/{name}": model for name, model in EXPORTS.items()})
    return f"{head}{DICT_START}\n{data_dictionary()}\n{EXPORTS_INTRO}\n\n{exports}{DICT_END}{tail}"
