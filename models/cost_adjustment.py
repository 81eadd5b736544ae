"""Cost adjustment arithmetic (Business Central codeunit 5895 "Inventory Adjustment"), pure Python.

No ORM here: the ``stock.cost.adjust`` engine loads value entries with SQL, calls these functions and
writes the adjustment entries. Amounts are in company currency, quantities in the product's UoM, signs
as on ``stock.valuation.layer`` (outbound quantity and value negative).

Two mechanisms, as in BC:

* **Applied cost** (FIFO, and landed costs of every method): a cost added late to an inbound entry for the
  share already consumed is split over the outbound entries that consumed it, in consumption order, in
  proportion to the applied quantity (``allocate``).
* **Average cost** (AVCO), only with a periodic Average Cost Period (opt-in; the default keeps Odoo's running
  average and forwards late costs like FIFO): every outbound entry of a valuation period (day, week,
  month) carries that period's weighted average: (value at period start + inbound costs of the period) /
  (quantity at period start + inbound quantity of the period) (``average_cost_targets``).
"""
import calendar
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta

from .posting_plan import round_money as round_to

AUTOMATIC_ADJUSTMENT = [
    ("never", "Never"),
    ("day", "Day"),
    ("week", "Week"),
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Year"),
    ("always", "Always"),
]
# "transaction": Odoo's own running average (every outbound entry keeps the average Odoo gave it); the
# others are Business Central's periodic weighted average, an opt-in convention (README, differences)
AVERAGE_COST_PERIODS = [("transaction", "Per Transaction (Odoo)"), ("day", "Day"), ("week", "Week"),
                        ("month", "Month")]


def is_periodic_average(period):
    """True when average-cost outbound entries are revalued at their period's average (BC's Average Cost
    Period day, week or month); False for Odoo's running average ("transaction", the default)."""
    return period in ("day", "week", "month")


def allocate(amount, quantities, total_quantity, rounding):
    """Split ``amount`` over ``quantities`` (in consumption order) by cumulative rounding.

    Allocation *i* is ``round(amount * cum_i / total) - round(amount * cum_(i-1) / total)``: rounding never
    accumulates, and when the quantities add up to ``total_quantity`` the allocations add up to exactly
    ``amount`` (a fully consumed inbound entry nets to zero, BC's rounding entries). Quantities beyond
    ``total_quantity`` get nothing.

    :param amount: signed amount to split (company currency)
    :param quantities: list of positive quantities
    :param total_quantity: the quantity ``amount`` belongs to (> 0)
    :return: list of signed amounts, same length as ``quantities``
    """
    if total_quantity <= 0:
        return [0.0] * len(quantities)
    result, cumulative, allocated = [], 0.0, 0.0
    for quantity in quantities:
        cumulative = min(cumulative + quantity, total_quantity)
        target = round_to(amount * cumulative / total_quantity, rounding)
        result.append(round_to(target - allocated, rounding))
        allocated = target
    return result


def period_bounds(day, period):
    """(first day, last day) of the valuation period holding ``day`` (BC's Average Cost Period); the last
    period of the calendar ends on ``date.max``."""
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=min(6, (Date.max - start).days))
    if period == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return day, day


def horizon_start(today, setting):
    """First date automatic cost adjustment still covers (BC: WorkDate - 1D/1W/1M/1Q/1Y), or None for
    "always"; ``Date.max`` for "never" (nothing is adjusted automatically)."""
    if setting == "always":
        return None
    if setting == "never" or not setting:
        return Date.max
    if setting == "day":
        return today - timedelta(days=1)
    if setting == "week":
        return today - timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[setting]
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return today.replace(year=year, month=month, day=min(today.day, calendar.monthrange(year, month)[1]))


@dataclass
class AverageEntry:
    """One value entry of an AVCO product as the average-cost pass sees it.

    ``kind``: ``in`` (quantity > 0: receipts, returns, positive adjustments), ``value`` (quantity 0:
    landed costs, price differences, revaluations), ``out`` (quantity < 0, valued by the pass) or
    ``fixed`` (value that does not take part in the average: adjustments without an outbound entry).
    ``carried`` is what the entry carries today: for ``out``, its value plus every adjustment already
    applied to it.
    """
    key: int
    valuation_date: Date
    kind: str
    quantity: float
    carried: float


def average_cost_targets(entries, period, rounding, quantity_rounding=1e-6):
    """Target values of the outbound entries of one AVCO product (BC's average cost adjustment).

    Periods are processed in date order. Per period: ``avg = (V_start + inbound value) / (Q_start +
    inbound quantity)``; every outbound entry gets ``round(quantity * avg)``. When the period ends with
    quantity 0, the last outbound entry takes the rounding residual so value is 0 too. When the stock is
    not positive (negative stock), outbound entries keep what they carry (Odoo's FIFO vacuum corrects them).

    :param entries: iterable of ``AverageEntry``
    :param period: ``day`` | ``week`` | ``month``
    :return: dict ``key -> target value`` for outbound entries (signed, company currency)
    """
    by_period = {}
    for entry in entries:
        by_period.setdefault(period_bounds(entry.valuation_date, period)[0], []).append(entry)
    targets = {}
    value, quantity = 0.0, 0.0
    for start in sorted(by_period):
        group = sorted(by_period[start], key=lambda e: (e.valuation_date, e.key))
        inbound = [e for e in group if e.kind in ("in", "value")]
        outbound = [e for e in group if e.kind == "out"]
        value += sum(e.carried for e in inbound)
        quantity += sum(e.quantity for e in inbound)
        out_quantity = sum(e.quantity for e in outbound)
        if quantity > quantity_rounding and outbound:
            average = value / quantity
            period_targets = [round_to(e.quantity * average, rounding) for e in outbound]
            if abs(quantity + out_quantity) <= quantity_rounding:
                period_targets[-1] = round_to(-value - sum(period_targets[:-1]), rounding)
            for entry, target in zip(outbound, period_targets, strict=False):
                targets[entry.key] = target
            value += sum(period_targets)
        else:
            value += sum(e.carried for e in outbound)
        quantity += out_quantity
        value += sum(e.carried for e in group if e.kind == "fixed")
    return targets


def location_targets(quantities, total_value, rounding):
    """The location invariant: the value each place must hold so that its stock is valued at the company's
    cost (Odoo values stock company-wide: remaining value ÷ remaining quantity).

    :param quantities: ``{place key: on-hand quantity}`` (product UoM, >= 0) of one product, or one lot of a
        product valued by lot; keys are any sortable values (e.g. ``(warehouse id, inventory account id)``)
    :param total_value: the product's (lot's) remaining value, company currency
    :param rounding: the company currency's rounding
    :return: ``{place key: value}``: ``quantity × total_value ÷ total quantity`` rounded, the rounding residual
        on the place with the most quantity (the smallest key among equals), so that the values add up to
        ``total_value`` exactly; a place without quantity holds 0. ``{}`` when no place has any quantity (the
        value sits nowhere: the caller reports it).
    """
    total_quantity = sum(quantity for quantity in quantities.values() if quantity > 0)
    if total_quantity <= 0:
        return {}
    unit = total_value / total_quantity
    targets = {key: round_to(quantity * unit, rounding) if quantity > 0 else 0.0
               for key, quantity in quantities.items()}
    residual = round_to(total_value - sum(targets.values()), rounding)
    if residual:
        largest = min(quantities, key=lambda key: (-quantities[key], key))
        targets[largest] = round_to(targets[largest] + residual, rounding)
    return targets


def rebalancing_transfers(current, targets, rounding):
    """The transfer pairs that bring the value of each place from ``current`` to ``targets``.

    :param current: ``{place key: value located there}`` (company currency)
    :param targets: ``{place key: value it must hold}`` (``location_targets``); a key of ``current`` missing
        here must hold 0
    :param rounding: the company currency's rounding
    :return: ``[(from key, to key, amount)]`` with amount > 0: value leaves the places above their target for
        those below, both taken in key order; the amounts add up so that every place ends on its target
    :raise ValueError: when ``current`` and ``targets`` do not hold the same total (the invariant moves value
        between places, it never creates or removes any)
    """
    keys = sorted(set(current) | set(targets))
    gaps = {key: round_to(targets.get(key, 0.0) - current.get(key, 0.0), rounding) for key in keys}
    if round_to(sum(gaps.values()), rounding):
        raise ValueError("the places hold %s but must hold %s" % (sum(current.values()), sum(targets.values())))
    givers = [[key, -gap] for key, gap in gaps.items() if gap < 0]
    takers = [[key, gap] for key, gap in gaps.items() if gap > 0]
    transfers = []
    while givers and takers:
        amount = round_to(min(givers[0][1], takers[0][1]), rounding)
        transfers.append((givers[0][0], takers[0][0], amount))
        givers[0][1] = round_to(givers[0][1] - amount, rounding)
        takers[0][1] = round_to(takers[0][1] - amount, rounding)
        if not givers[0][1]:
            givers.pop(0)
        if not takers[0][1]:
            takers.pop(0)
    return transfers
