"""Numbers as Finns type them: 12 500,50 (a space or a no-break space groups thousands,
a comma before the decimals), or as a spreadsheet saved them (12500.50)."""

import re
from decimal import Decimal, InvalidOperation

__all__ = ("parse_euros", "EURO_LIMIT", "NegativeAmount", "AmountTooLarge")

EURO_LIMIT = Decimal("10000000000")  # ten billion: more is a typing error, not a price
# Digits with at most two decimals. Anything else ("1.234,50" with a dot grouping
# thousands, "1e3", more decimals) is refused rather than read as something else.
_EUROS = re.compile(r"^[+-]?\d+(?:[.,]\d{1,2})?$")


class NegativeAmount(ValueError):
    """An amount below zero: a different mistake from a typo, so callers can say so."""


class AmountTooLarge(ValueError):
    """An amount at or past EURO_LIMIT."""


def parse_euros(value) -> Decimal:
    """Euros with two decimals; ValueError for anything that is not plainly an amount,
    a negative one or one past EURO_LIMIT."""
    if isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"[\s\u202f\u2009€]", "", str(value))
        if not _EUROS.match(text):
            raise ValueError(value)
        try:
            amount = Decimal(text.replace(",", "."))
        except InvalidOperation as error:
            raise ValueError(value) from error
    if not amount.is_finite():
        raise ValueError(value)
    if amount < 0:
        raise NegativeAmount(value)
    if amount >= EURO_LIMIT:
        raise AmountTooLarge(value)
    return amount.quantize(Decimal("0.01"))
