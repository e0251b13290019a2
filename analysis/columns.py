"""Column expressions the stages share, in polars: a figure in words, clock texts, hours since the start."""

from __future__ import annotations

import pandas as pd
import polars as pl

UTC = pl.Datetime("us", "UTC")
MINUTE_US = 60_000_000
# The model dtypes to_model_frame casts to: arrow hands a nullable integer over as floats, a count as unsigned.
CAST = ("Int64", "Float64", "int64", "bool")
FIGURE_NUMBERS = {"value_low": pl.Int64, "value_high": pl.Int64, "qualifier": pl.String}

# How a qualified figure is written: (words, symbol) before the number, and the bound that number is. The
# figure texts of the tables use the words ('about 40'), the figure's point labels the symbols ('~40').
QUALIFIED = {
    "approximate": ("about ", "~", "low"),
    "at_least": ("at least ", "≥", "low"),
    "more_than": ("more than ", ">", "below_low"),  # 'more than 1,200' is stored as at least 1,201
    "at_most": ("at most ", "≤", "high"),
}


def to_polars(df: pd.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The columns of schema from a pandas table, as polars with those types."""
    return pl.from_pandas(df[list(schema)]).cast(schema)


def to_model_frame(df: pl.DataFrame, model) -> pd.DataFrame:
    """A polars table as the pandera model's pandas frame, its columns in the model's order. pandas stays at
    the write boundary: io.validate checks it and pyarrow writes the bytes. Arrow carries the columns over
    (strings, datetime.date, UTC times); the model's numeric columns are cast as io.frame casts them."""
    schema = model.to_schema()
    casts = {name: str(col.dtype) for name, col in schema.columns.items() if str(col.dtype) in CAST}
    return df.select(list(schema.columns)).to_pandas(date_as_object=True).astype(casts)


def num(n: pl.Expr) -> pl.Expr:
    """A count as f'{n:,}' writes it ('1,200'): digits grouped in threes from the right."""
    grouped = n.abs().cast(pl.String).str.reverse().str.replace_all(r"(\d{3})", "${1},").str.reverse()
    return pl.concat_str(pl.when(n < 0).then(pl.lit("-")).otherwise(pl.lit("")), grouped.str.strip_chars_start(","))


def _bound(which: str) -> pl.Expr:
    low = pl.col("value_low")
    return {"low": low, "below_low": low - 1, "high": pl.col("value_high")}[which]


def figure_text_expr() -> pl.Expr:
    """The figure in words of the columns value_low, value_high and qualifier, as column figure_text."""
    low, high, qualifier = pl.col("value_low"), pl.col("value_high"), pl.col("qualifier")
    vague = pl.concat_str(pl.lit("vague: "), num(low).fill_null("?"), pl.lit("–"), num(high).fill_null("?"))
    text = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for name, (words, _, bound) in QUALIFIED.items():
        text = text.when(qualifier == name).then(pl.concat_str(pl.lit(words), num(_bound(bound))))
    return (
        text.when((qualifier == "vague") & low.is_null() & high.is_null()).then(pl.lit("vague: unquantified"))
        .when(qualifier == "vague").then(vague)
        .when(low.is_not_null() & high.is_not_null() & (low != high))
        .then(pl.concat_str(num(low), pl.lit("–"), num(high)))
        .otherwise(num(low.fill_null(high)))
        .alias("figure_text")
    )  # fmt: skip


def figure_text(value_low, value_high, qualifier: str) -> str:
    """A figure as a reader would say it: '20', 'about 40', 'at least 3', '300–400', 'vague: 24–99'."""
    bounds = [None if pd.isna(v) else int(v) for v in (value_low, value_high)]
    one = pl.DataFrame([[*bounds, qualifier]], schema=FIGURE_NUMBERS, orient="row")
    return one.select(figure_text_expr()).item()


def short_figure(value_low, value_high, qualifier: str, quantity_text: str) -> str:
    """A compact figure for a point label: '20', '~40', '≥20', '>1,200', '≤2,000', '300–400', 'dozens'."""
    if qualifier == "vague":
        return str(quantity_text).lower()
    if qualifier in QUALIFIED:
        _, symbol, bound = QUALIFIED[qualifier]
        value = {"low": value_low, "below_low": value_low, "high": value_high}[bound]
        return f"{symbol}{int(value) - (bound == 'below_low'):,}"
    if qualifier == "range":
        return f"{int(value_low):,}–{int(value_high):,}"
    return f"{int(value_low):,}"


def local_text(column: str, zone: str) -> pl.Expr:
    """A UTC column as local wall time with its offset, ISO 8601 to the minute ('2007-07-10T04:00+05:00'), as
    column <column>_local. polars carries its own time zone database; the tests hold it to Python's zoneinfo
    across daylight saving."""
    moments = pl.col(column).dt.convert_time_zone(zone)
    return moments.dt.strftime("%Y-%m-%dT%H:%M%:z").alias(f"{column}_local")


def utc_text(column: str) -> pl.Expr:
    """A UTC column as ISO 8601 to the minute with a Z ('2007-07-10T02:00Z'), as column <column>_utc."""
    return pl.col(column).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%MZ").alias(f"{column}_utc")


def minutes_since(moments: pl.Expr, start) -> pl.Expr:
    """Whole minutes from start to each moment, half a minute rounded to the even minute (Python's round)."""
    origin = pl.lit(pd.Timestamp(start).tz_convert("UTC").to_pydatetime()).dt.cast_time_unit("us")
    micros = (moments - origin).dt.total_microseconds()
    whole = micros // MINUTE_US
    rest = micros - whole * MINUTE_US
    odd = whole // 2 * 2 != whole
    return whole + ((2 * rest > MINUTE_US) | ((2 * rest == MINUTE_US) & odd)).cast(pl.Int64)


def hours_since(moments: pl.Expr, start) -> pl.Expr:
    """Hours from start to each moment, rounded to the minute, as column hours_since_event_start: minutes / 60
    divided in numpy, since polars divides by a constant through its reciprocal, which can miss Python's
    m / 60 by the last digit (and the bytes of a table would change)."""
    hours = minutes_since(moments, start).map_batches(_divide(60), return_dtype=pl.Float64, is_elementwise=True)
    return hours.alias("hours_since_event_start")


def hours_since_2dp(moments: pl.Expr, start) -> pl.Expr:
    """hours_since to two decimals, as Python's round(m / 60, 2) gives them: m / 60 is never a tie in
    hundredths (5m/3 is a whole number or a third off one), so the nearest hundredth is (5m + 1) // 3."""
    hundredths = (5 * minutes_since(moments, start) + 1) // 3
    return hundredths.map_batches(_divide(100), return_dtype=pl.Float64, is_elementwise=True).alias(
        "hours_since_event_start"
    )


def _divide(by: int):
    """numpy's true division by a whole number, correctly rounded as Python's is (nulls stay null)."""

    def divide(values: pl.Series) -> pl.Series:
        return pl.Series(values.to_numpy() / by, nan_to_null=True)

    return divide


def ceil_hour(moments: pl.Expr) -> pl.Expr:
    """A UTC moment rounded up to the whole hour (a whole hour stays)."""
    hour = moments.dt.truncate("1h")
    return pl.when(hour == moments).then(hour).otherwise(hour.dt.offset_by("1h"))
