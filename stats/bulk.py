"""Writing many rows at once: on PostgreSQL with COPY (psycopg2's copy_expert), which loads
rows several times faster than INSERTs, elsewhere (SQLite in the tests) with bulk_create.
The callers run inside their own transaction; COPY is part of it like any statement."""

import csv
import gc
import io
import json
from contextlib import contextmanager
from itertools import islice

from django.db import connection

__all__ = ("insert_rows", "insert_grouped", "copy_lines", "no_cyclic_gc")

BATCH = 50_000


def insert_rows(model, columns: list[str], rows, *, batch: int = BATCH) -> int:
    """Insert `rows` (tuples in the order of `columns`, field names of `model`) and return how
    many. Values are written as Django would store them: None is NULL, text is text (an
    empty string stays one), dates and numbers by their str(). No signals, no save()."""
    rows = iter(rows)
    fields = [model._meta.get_field(name) for name in columns]
    if connection.vendor != "postgresql":
        names = [field.attname for field in fields]  # foreign keys by their id
        count = 0
        while chunk := list(islice(rows, batch)):
            model.objects.bulk_create([model(**dict(zip(names, row))) for row in chunk], batch_size=2000)
            count += len(chunk)
        return count
    json_at = [index for index, field in enumerate(fields) if field.get_internal_type() == "JSONField"]
    if json_at:
        rows = _with_json(rows, json_at)
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    # In CSV form an unquoted empty value is NULL; FORCE_NOT_NULL keeps the text columns'
    # empty strings empty strings, as the columns are NOT NULL.
    text_columns = [quote(field.column) for field in fields if field.get_internal_type() in ("CharField", "TextField",
                                                                                              "SlugField")]
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else "")
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN WITH ({options})"
    count = 0
    with connection.cursor() as cursor:
        while chunk := list(islice(rows, batch)):
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(chunk)
            buffer.seek(0)
            cursor.cursor.copy_expert(sql, buffer)
            count += len(chunk)
    return count


def copy_lines(model, columns: list[str], lines, *, batch: int = BATCH) -> int:
    """PostgreSQL only: COPY `lines`, rows the caller has written as COPY's CSV (the values in
    the order of `columns`, an empty value for NULL, each line ending in a newline), into
    `model`'s table; returns how many. For rows of numbers only, where an f-string per row
    is several times faster than csv.writer over tuples; the caller keeps insert_rows for
    other databases."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_lines writes with PostgreSQL's COPY; use insert_rows elsewhere.")
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN WITH (FORMAT csv)"
    lines = iter(lines)
    count = 0
    with connection.cursor() as cursor:
        while chunk := list(islice(lines, batch)):
            cursor.cursor.copy_expert(sql, io.StringIO("".join(chunk)))
            count += len(chunk)
    return count


def _with_json(rows, json_at):
    """JSON values as text. Rows that share one object (a COUNTER item's identifiers over its
    twelve months) have it encoded once."""
    last = {}
    for row in rows:
        row = list(row)
        for index in json_at:
            value = row[index]
            cached = last.get(index)
            if cached is None or cached[0] is not value:
                cached = last[index] = (value, json.dumps(value, ensure_ascii=False))
            row[index] = cached[1]
        yield row


def insert_grouped(model, common_columns: list[str], each_columns: list[str], groups) -> int:
    """Insert rows that come in groups sharing most of their values: `groups` yields
    (common values, [each row's own values, ...]); the own values are numbers and dates of one
    kind per column (not booleans: True would share 1's text). On PostgreSQL the shared part of the COPY
    line is written once per group (a COUNTER report row's item, over its twelve months), so
    millions of monthly counts cost little more than their own two values."""
    if connection.vendor != "postgresql":
        return insert_rows(model, common_columns + each_columns,
                           ((*common, *own) for common, owns in groups for own in owns))
    fields = [model._meta.get_field(name) for name in common_columns + each_columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(field.column) for field in fields)
    text_columns = [quote(field.column) for field in fields if field.get_internal_type() in ("CharField", "TextField",
                                                                                              "SlugField")]
    options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text_columns)})" if text_columns else "")
    sql = f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN WITH ({options})"
    json_at = {index for index, field in enumerate(fields[:len(common_columns)])
               if field.get_internal_type() == "JSONField"}
    count, lines, text = 0, [], {}
    prefix_buffer = io.StringIO()
    prefix_writer = csv.writer(prefix_buffer, lineterminator="")
    with connection.cursor() as cursor:
        def flush():
            cursor.cursor.copy_expert(sql, io.StringIO("".join(lines)))
            lines.clear()

        for common, owns in groups:
            common = [json.dumps(value, ensure_ascii=False) if index in json_at else value
                      for index, value in enumerate(common)]
            prefix_buffer.seek(0)
            prefix_buffer.truncate()
            prefix_writer.writerow(common)
            prefix = prefix_buffer.getvalue()
            # The group's own values are plain numbers and dates: nothing to quote, and the
            # few distinct ones (twelve months, small counts) are turned into text once.
            for own in owns:
                parts = []
                for value in own:
                    cached = text.get(value)
                    if cached is None:
                        cached = text[value] = str(value)
                    parts.append(cached)
                lines.append(f"{prefix},{','.join(parts)}\n")
            count += len(owns)
            if len(lines) >= BATCH:
                flush()
        if lines:
            flush()
    return count


@contextmanager
def no_cyclic_gc():
    """Reading a large file makes millions of small lists and dicts, none of them in a
    cycle; Python's cyclic collector would walk all of them again and again as they pile up
    (the time grows faster than the file). Reference counting still frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
