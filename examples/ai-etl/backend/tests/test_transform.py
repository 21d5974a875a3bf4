import unittest
from decimal import Decimal

from etl.transform import Record, aggregate, parse_rows, run_pipeline, validate

CSV = "id,region,amount\n1, EU ,10.50\n2,us,4\n3,eu,1.25\n4,,7\n5,us,abc\n"


class TransformTest(unittest.TestCase):
    def test_parse_rows_strips_cells(self):
        self.assertEqual(parse_rows(CSV)[0], {"id": "1", "region": "EU", "amount": "10.50"})

    def test_parse_rows_needs_the_columns(self):
        with self.assertRaisesRegex(ValueError, "missing columns: amount"):
            parse_rows("id,region\n1,eu\n")

    def test_valid_row_becomes_record(self):
        record = validate({"id": "7", "region": "EU", "amount": "2.5"})
        self.assertEqual(record, (Record("7", "eu", Decimal("2.5")), []))

    def test_validate_reports_every_problem(self):
        record = validate({"id": "", "region": "eu", "amount": "-1"})
        self.assertEqual(record, (None, ["id is empty", "amount is negative"]))

    def test_aggregate_sorts_regions(self):
        totals = aggregate([Record("1", "us", Decimal(1)), Record("2", "eu", Decimal(2))])
        self.assertEqual(list(totals), ["eu", "us"])

    def test_run_pipeline(self):
        totals, rejected = run_pipeline(CSV)
        self.assertEqual(totals, {"eu": Decimal("11.75"), "us": Decimal("4")})
        self.assertEqual(
            rejected, ["line 5: region is empty", "line 6: amount is not a number: 'abc'"]
        )


if __name__ == "__main__":
    unittest.main()
