"""Parse CSV rows, validate them and aggregate amounts per key."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

REQUIRED_COLUMNS = ("id", "region", "amount")


@dataclass(frozen=True)
class Record:
    id: str
    region: str
    amount: Decimal


def parse_rows(text: str) -> list[dict[str, str]]:
    """Read CSV text with a header row; strip whitespace around every cell."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    return [{key: (value or "").strip() for key, value in row.items()} for row in reader]


def validate(row: dict[str, str]) -> tuple[Record | None, list[str]]:
    """Turn a raw row into a Record, or say everything that is wrong with it."""
    errors = [f"{column} is empty" for column in REQUIRED_COLUMNS if not row.get(column)]
    amount = None
    if row.get("amount"):
        try:
            amount = Decimal(row["amount"])
        except InvalidOperation:
            errors.append(f"amount is not a number: {row['amount']!r}")
        else:
            if amount < 0:
                errors.append("amount is negative")
    if errors or amount is None:
        return None, errors
    return Record(row["id"], row["region"].lower(), amount), []


def aggregate(records: list[Record]) -> dict[str, Decimal]:
    """Total amount per region, regions in alphabetical order."""
    totals: dict[str, Decimal] = {}
    for record in records:
        totals[record.region] = totals.get(record.region, Decimal(0)) + record.amount
    return dict(sorted(totals.items()))


def run_pipeline(text: str) -> tuple[dict[str, Decimal], list[str]]:
    """Parse, validate and aggregate; rejected rows are reported by line number."""
    records, rejected = [], []
    for line, row in enumerate(parse_rows(text), start=2):
        record, errors = validate(row)
        if record:
            records.append(record)
        else:
            rejected.append(f"line {line}: {'; '.join(errors)}")
    return aggregate(records), rejected
