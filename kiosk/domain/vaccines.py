"""Vaccine products and the minimum interval before the next dose (versioned data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.rules import load_rule_file

DEFAULT_INTERVALS = "dose-intervals-2021.toml"


@dataclass(frozen=True)
class Product:
    """A vaccine product as the dose form offers it."""

    code: str
    name: str
    cvx: str
    interval_days: int


@dataclass(frozen=True)
class ProductTable:
    """All products of one interval-table version."""

    version: str
    products: Mapping[str, Product]

    def get(self, code: str) -> Product | None:
        """The product with this code, or None when the table does not know it."""
        return self.products.get(code.upper())

    def earliest_next_dose(self, code: str, last_given: dt.date) -> dt.date:
        """The first day the next dose of ``code`` may be given after one on ``last_given``."""
        product = self.get(code)
        return last_given + dt.timedelta(days=product.interval_days if product else 0)


def load_products(file_name: str = DEFAULT_INTERVALS) -> ProductTable:
    """Read a packaged interval table."""
    raw = load_rule_file(file_name)
    products = {code: Product(code=code, **fields) for code, fields in raw["products"].items()}
    return ProductTable(version=raw["version"], products=products)
