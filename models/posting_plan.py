"""Posting plan: value entries -> journal lines. Pure Python, no ORM, no database.

This is the single core that the batch post (Post Inventory Cost to G/L), its test report, the
reconciliation projection and the cost adjustment reuse. The ORM layer
(``stock.inventory.cost.planner._plan_entries``) resolves, per value entry, the journal and the two
accounts with Odoo's own resolution (``stock.move._get_accounting_data_for_valuation``,
``_get_src_account``, ``_get_dest_account`` and the posting setup) and hands plain ``PlanEntry``
objects to the functions below. Everything here is deterministic and side-effect free.

Follows Business Central codeunit 5802 "Inventory Posting To G/L": every value entry posts a balanced
pair, its ``inventory`` side (+amount) and a counterpart (-amount) whose account type follows the
document type x entry type matrix of ``counterpart_account_type``. Amounts are signed, in company
currency; a positive amount debits the inventory account.

Two things follow Odoo rather than BC, because Odoo's automated valuation is the oracle of every amount:

* a value entry may carry an **expense transfer** (``PlanEntry.expense_amount``): an amount Odoo moves
  from the interim counterpart account to the expense account together with that entry (a vendor return
  valued below its purchase price, a negative-stock correction of a delivery already invoiced); it posts
  once, with the entry's first posting, as a second pair (``cogs`` +amount / counterpart -amount);
* counterpart lines on reconcilable accounts (``PlanEntry.detail_types``: the interim accounts stock input
  and stock output, or stock input where Odoo falls back to it) stay one per stock move, with product,
  quantity and partner, even per posting group: Odoo reconciles them with the bills' and invoices' lines
  of the same product and stock move, which a line summing many moves cannot be. When the stock move
  comes from a purchase in a foreign currency, such a line also carries that currency
  (``PlanEntry.currency_id``), one line per value entry, as purchase_stock's
  ``stock.move._generate_valuation_lines_data`` writes them: Odoo's reconciliation then books the same
  exchange differences.
"""
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field, replace
from datetime import MAXYEAR, MINYEAR
from decimal import ROUND_HALF_UP, Decimal

ACCOUNT_TYPES = [
    ("inventory", "Inventory"),
    ("stock_input", "Stock Input (Invt. Accrual Interim)"),
    ("stock_output", "Stock Output (COGS Interim)"),
    ("cogs", "COGS"),
    ("inventory_adjustment", "Inventory Adjustment"),
    ("purchase_variance", "Purchase Variance"),
    ("overhead_applied", "Overhead Applied"),
    ("wip", "WIP Inventory"),
]
ACCOUNT_TYPE_KEYS = [key for key, _label in ACCOUNT_TYPES]

DOCUMENT_TYPES = [
    ("purchase", "Purchase"),
    ("sale", "Sale"),
    ("positive_adjmt", "Positive Adjmt."),
    ("negative_adjmt", "Negative Adjmt."),
    ("transfer", "Transfer"),
    ("consumption", "Consumption"),
    ("output", "Output"),
]
ENTRY_TYPES = [
    ("direct_cost", "Direct Cost"),
    ("indirect_cost", "Indirect Cost"),
    ("variance", "Variance"),
    ("revaluation", "Revaluation"),
    ("rounding", "Rounding"),
]


# The matrix as ordered rules (first match wins): (entry_types, origins, document_types) -> account type.
# ``None`` matches anything. ``counterpart_account_type`` and its SQL twin ``gl_sql.counterpart_account_type``
# both read it.
COUNTERPART_RULES = [
    # a transfer between places has no counterpart: its pair is the other side (minus at the source, plus at
    # the destination, both on inventory accounts)
    (None, ("transfer",), None, None),
    (("revaluation", "rounding"), None, None, "inventory_adjustment"),
    (("variance",), None, None, "purchase_variance"),
    (None, ("category_switch",), None, "stock_input"),
    (None, ("landed_cost_out",), None, "cogs"),
    # a cost adjustment of a consumption or output entry travels through work in process (multi-level Adjust Cost)
    (None, ("cost_adjustment",), ("consumption", "output"), "wip"),
    # the sold share of a landed cost goes to cost of goods sold whatever took the goods out (Odoo's landed
    # cost entry: stock output, then expense), other adjustments follow their outbound entry
    (("indirect_cost",), ("cost_adjustment",), None, "cogs"),
    (None, ("cost_adjustment",), ("sale",), "cogs"),
    (("indirect_cost",), None, ("purchase",), "overhead_applied"),
    (None, None, ("purchase",), "stock_input"),
    (None, None, ("sale",), "stock_output"),
    (None, None, ("consumption", "output"), "wip"),
    (None, None, None, "inventory_adjustment"),
]


def counterpart_account_type(document_type, entry_type, origin=None):
    """Account type of the non-inventory side of a value entry (the document type × entry type matrix
    ``COUNTERPART_RULES``, adapted from Business Central).

    :param str document_type: one of DOCUMENT_TYPES keys (may be None for entries without a move)
    :param str entry_type: one of ENTRY_TYPES keys
    :param str origin: technical origin of the SVL (``category_switch`` posts on stock input, as Odoo's
        ``_svl_empty_stock_am`` / ``_svl_replenish_stock_am`` do)
    :return: an ACCOUNT_TYPE_KEYS key, never ``inventory``; None for a transfer between places (origin
        ``transfer``), whose other side is its pair
    """
    for entry_types, origins, document_types, account_type in COUNTERPART_RULES:
        if ((not entry_types or entry_type in entry_types)
                and (not origins or origin in origins)
                and (not document_types or document_type in document_types)):
            return account_type
    return "inventory_adjustment"


# Years a journal entry can be dated in: Odoo's numbering and date arithmetic (sequence periods, "day after",
# "next month") step past the first and last year Python dates hold; a value entry dated there is skipped.
POSTABLE_YEARS = (MINYEAR + 1, MAXYEAR - 1)


def is_postable_date(day):
    """Whether a journal entry can be dated ``day`` (a ``datetime.date``): its year within ``POSTABLE_YEARS``."""
    return POSTABLE_YEARS[0] <= day.year <= POSTABLE_YEARS[1]


def round_money(amount, rounding):
    """Round ``amount`` half-up to the currency ``rounding`` (e.g. 0.01), like ``res.currency.round``."""
    if not rounding:
        return amount
    quantum = Decimal(str(rounding))
    return float((Decimal(repr(amount)) / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum)


@dataclass
class PlanEntry:
    """One value entry ready to be planned (all ids are database ids, amount in company currency).

    ``amount`` is the delta still to post (``value - cost_posted_to_gl``), signed like the SVL value.
    ``accounts`` maps ``inventory`` and ``counterpart_type`` to account ids (False when unresolved).
    ``currency_id`` (purchase currency, or False): the counterpart's detail lines are in that currency,
    with ``amount_currency`` (signed like the counterpart, -amount), ``expense_amount_currency`` (the
    expense pair's counterpart, -expense) and ``currency_difference`` (a counterpart line of zero balance
    carrying only that amount in currency: purchase_stock's line for a bill's price difference).
    """

    svl_id: int
    company_id: int
    posting_date: object
    amount: float
    journal_id: int
    counterpart_type: str
    accounts: dict
    categ_id: int = False
    warehouse_id: int = False
    location_id: int = False
    product_id: int = False
    quantity: float = 0.0
    partner_id: int = False
    analytic_distribution: dict = None
    label: str = ""
    reference: str = ""
    setup_id: int = False
    move_id: int = False
    expense_amount: float = 0.0
    detail_types: frozenset = frozenset()
    currency_id: int = False
    amount_currency: float = 0.0
    expense_amount_currency: float = 0.0
    currency_difference: float = 0.0
    # a transfer between places: this entry (the plus leg, at the destination) posts the pair, its
    # counterpart is the inventory account of the source, linked to the minus leg ``transfer_svl_id``
    transfer_svl_id: int = False
    transfer_account_id: int = False
    transfer_warehouse_id: int = False
    transfer_location_id: int = False


@dataclass
class PlanLine:
    """One journal-item-to-be: signed ``amount`` (debit > 0) on ``account_id`` of ``account_type``,
    fed by ``contributions`` = {svl_id: amount}; ``amount_currency`` in ``currency_id`` when set (else the
    line is in company currency)."""

    journal_id: int
    posting_date: object
    account_id: int
    account_type: str
    amount: float
    warehouse_id: int = False
    location_id: int = False
    categ_id: int = False
    analytic_distribution: dict = None
    product_id: int = False
    quantity: float = 0.0
    partner_id: int = False
    label: str = ""
    move_id: int = False
    detail: bool = False
    contributions: dict = field(default_factory=dict)
    currency_id: int = False
    amount_currency: float = 0.0


@dataclass
class PlanProblem:
    """A finding on value entry ``svl_id`` while planning: ``code`` (e.g. ``missing_account``,
    ``lock_date``), a translated ``reason`` for the user; ``skip``: the entry is not posted and stays queued
    (otherwise a warning only)."""

    svl_id: int
    code: str
    reason: str
    skip: bool = False


@dataclass
class PlannedMove:
    """One journal entry to create: balanced ``lines`` (``PlanLine``) on ``journal_id`` dated ``posting_date``,
    fed by the value entries ``svl_ids``; ``reference`` is the value entry's own (per entry) or empty (per
    posting group: the run's number). The posting engine fills ``setup_ids`` ({svl id: posting setup row id
    or False}) and ``lock_moved`` (svl ids whose posting date moved out of a locked period)."""

    key: object
    journal_id: int
    posting_date: object
    svl_ids: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    reference: str = ""
    setup_ids: dict = field(default_factory=dict)
    lock_moved: set = field(default_factory=set)


def plan_entry_lines(entry, rounding=0.01):
    """The lines of one value entry: inventory side +amount, counterpart -amount, then, when the entry
    carries an expense transfer, ``cogs`` +expense / counterpart -expense (always balanced); with a
    ``currency_difference``, a last counterpart line of zero balance carrying it in the entry's currency.

    :return: list of ``PlanLine`` (empty when both rounded amounts are zero)
    """
    amount = round_money(entry.amount, rounding)
    expense = round_money(entry.expense_amount or 0.0, rounding)
    if not amount and not expense:
        return []
    common = dict(
        journal_id=entry.journal_id,
        posting_date=entry.posting_date,
        warehouse_id=entry.warehouse_id,
        location_id=entry.location_id,
        categ_id=entry.categ_id,
        analytic_distribution=entry.analytic_distribution or None,
        product_id=entry.product_id,
        partner_id=entry.partner_id,
        label=entry.label,
        move_id=entry.move_id,
    )
    if entry.transfer_svl_id:  # Dr destination inventory / Cr source inventory, each linked to its own leg
        source = dict(common, warehouse_id=entry.transfer_warehouse_id, location_id=entry.transfer_location_id)
        return [
            PlanLine(account_id=entry.accounts.get("inventory"), account_type="inventory", amount=amount,
                     quantity=entry.quantity, contributions={entry.svl_id: amount}, **common),
            PlanLine(account_id=entry.transfer_account_id, account_type="inventory", amount=-amount,
                     quantity=entry.quantity, contributions={entry.transfer_svl_id: -amount}, **source),
        ]
    pairs = []
    if amount:
        pairs.append(("inventory", amount, entry.quantity, entry.amount_currency))
    if expense:
        pairs.append(("cogs", expense, 0.0, entry.expense_amount_currency))
    ctype = entry.counterpart_type
    # only the counterpart's lines kept per stock move are in the purchase currency
    currency = entry.currency_id if ctype in entry.detail_types else False
    lines = []
    for debit_type, value, quantity, amount_currency in pairs:
        # both lines carry the entry's quantity, as Odoo's own stock journal items do
        for atype, signed in ((debit_type, value), (ctype, -value)):
            in_currency = {}
            if currency and atype == ctype:
                in_currency = dict(currency_id=currency, amount_currency=amount_currency)
            lines.append(PlanLine(account_id=entry.accounts.get(atype), account_type=atype, amount=signed,
                                  quantity=quantity, contributions={entry.svl_id: signed},
                                  detail=atype in entry.detail_types, **in_currency, **common))
    if currency and entry.currency_difference:
        # linked to its value entry (amount 0) so that Odoo's matching of the stock move finds it
        lines.append(PlanLine(account_id=entry.accounts.get(ctype), account_type=ctype, amount=0.0, detail=True,
                              contributions={entry.svl_id: 0.0}, currency_id=currency,
                              amount_currency=entry.currency_difference, **common))
    return lines


def _group_key(line):
    analytic = tuple(sorted((line.analytic_distribution or {}).items()))
    detail = (line.product_id, line.move_id) if line.detail else ()
    if line.currency_id:  # one line per value entry (and its zero-balance line apart), as Odoo writes them
        detail += (line.currency_id, not line.amount, *line.contributions)
    return (line.account_id, line.account_type, line.warehouse_id, line.location_id, line.categ_id,
            analytic, line.amount < 0) + detail


def plan_moves(entries, method="per_posting_group", rounding=0.01):
    """Group the lines of ``entries`` into journal entries.

    :param entries: iterable of ``PlanEntry``
    :param str method: ``per_entry`` (one journal entry per value entry, product/partner/quantity kept)
        or ``per_posting_group`` (one journal entry per (journal, posting date); lines summed when
        account, account type, warehouse, location, category, analytic distribution and sign are equal:
        debits and credits are never netted, BC's buffer key with ``Negative``; lines of the entries'
        ``detail_types`` are summed per stock move and keep product, quantity and partner)
    :return: list of ``PlannedMove``, each balanced to ``rounding``
    """
    moves = OrderedDict()
    if method == "per_entry":
        for entry in entries:
            lines = plan_entry_lines(entry, rounding)
            if lines:
                moves[entry.svl_id] = PlannedMove(
                    key=entry.svl_id, journal_id=entry.journal_id, posting_date=entry.posting_date,
                    svl_ids=[entry.svl_id], lines=lines, reference=entry.reference)
        return list(moves.values())
    if method != "per_posting_group":
        raise ValueError("Unknown posting method %r" % method)
    buckets = OrderedDict()
    for entry in entries:
        lines = plan_entry_lines(entry, rounding)
        if not lines:
            continue
        move_key = (entry.journal_id, entry.posting_date)
        move = moves.get(move_key)
        if move is None:
            move = moves[move_key] = PlannedMove(key=move_key, journal_id=entry.journal_id,
                                                 posting_date=entry.posting_date)
        move.svl_ids.append(entry.svl_id)
        for line in lines:
            key = move_key + _group_key(line)
            grouped = buckets.get(key)
            if grouped is None:
                # a posting-group line carries no product, partner, quantity or label of its own, except on
                # the interim accounts, where it stays the line of one stock move (see module docstring)
                own = {} if line.detail else dict(product_id=False, partner_id=False, label="", move_id=False)
                grouped = replace(line, amount=0.0, amount_currency=0.0, contributions={}, quantity=0.0, **own)
                buckets[key] = grouped
                move.lines.append(grouped)
            grouped.amount = round_money(grouped.amount + line.amount, rounding)
            grouped.amount_currency = round(grouped.amount_currency + line.amount_currency, 6)
            if line.detail:
                grouped.quantity += line.quantity
            for svl_id, amount in line.contributions.items():
                grouped.contributions[svl_id] = round_money(grouped.contributions.get(svl_id, 0.0) + amount, rounding)
    return list(moves.values())


def totals_per_account_type(moves, rounding=0.01):
    """Signed totals per account type over planned moves: {account_type: amount}."""
    totals = defaultdict(float)
    for move in moves:
        for line in move.lines:
            totals[line.account_type] = round_money(totals[line.account_type] + line.amount, rounding)
    return dict(totals)


def posting_date_ranges(counts, limit, first_open_date=None):
    """Cut a queue into chunks of whole posting dates: ``[(date_from, date_to)]`` covering ``counts``
    (``[(posting_date, number of value entries)]`` in date order) with about ``limit`` entries each, a
    posting date never split (a posting group stays whole). Dates up to ``first_open_date`` (the company's
    first date outside its lock dates) stay in the first chunk: their entries all move to that date and
    form one posting group."""
    ranges, start, taken, previous = [], None, 0, None
    for posting_date, count in counts:
        if taken and taken + count > limit and (first_open_date is None or posting_date > first_open_date):
            ranges.append((start, previous))
            start, taken = None, 0
        start, taken, previous = start or posting_date, taken + count, posting_date
    if previous is not None:
        ranges.append((start, previous))
    return ranges
