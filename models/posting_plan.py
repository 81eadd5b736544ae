"""Posting plan: value entries -> journal lines. Pure Python, no ORM, no database.

This is the single core that the batch post (Post Inventory Cost to G/L), its test report, the
reconciliation projection and the cost adjustment reuse. The ORM layer
(``stock.valuation.layer._gl_prepare_plan_entries``) resolves, per value entry, the journal and the two
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
# ``None`` matches anything. ``counterpart_account_type`` and ``counterpart_account_type_sql`` both read it.
COUNTERPART_RULES = [
    (("revaluation", "rounding"), None, None, "inventory_adjustment"),
    (("variance",), None, None, "purchase_variance"),
    (None, ("category_switch",), None, "stock_input"),
    (None, ("landed_cost_out",), None, "cogs"),
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


def counterpart_account_type_sql(document_type_sql, entry_type_sql, origin_sql, recorded_sql=None):
    """The same matrix as a SQL ``CASE`` over three SQL expressions (trusted literals only); with
    ``recorded_sql`` (the type recorded when the entry was created, e.g. a category change's stock input or
    stock output), that type when set, the matrix otherwise."""
    def _in(expr, values):
        return "%s IN (%s)" % (expr, ", ".join("'%s'" % v for v in values))
    whens = []
    for entry_types, origins, document_types, account_type in COUNTERPART_RULES:
        conds = []
        if entry_types:
            conds.append(_in(entry_type_sql, entry_types))
        if origins:
            conds.append(_in(origin_sql, origins))
        if document_types:
            conds.append(_in(document_type_sql, document_types))
        whens.append("WHEN %s THEN '%s'" % (" AND ".join(conds) or "TRUE", account_type))
    matrix = "(CASE %s END)" % " ".join(whens)
    return "COALESCE(%s, %s)" % (recorded_sql, matrix) if recorded_sql else matrix


def counterpart_account_type(document_type, entry_type, origin=None):
    """Account type of the non-inventory side of a value entry (SPEC §3 matrix, BC §2.3 adapted).

    :param str document_type: one of DOCUMENT_TYPES keys (may be None for entries without a move)
    :param str entry_type: one of ENTRY_TYPES keys
    :param str origin: technical origin of the SVL (``category_switch`` posts on stock input, as Odoo's
        ``_svl_empty_stock_am`` / ``_svl_replenish_stock_am`` do)
    :return: an ACCOUNT_TYPE_KEYS key, never ``inventory``
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
    :return: list of dicts ``{"key", "journal_id", "posting_date", "svl_ids", "lines": [PlanLine]}``,
        each balanced to ``rounding``
    """
    moves = OrderedDict()
    if method == "per_entry":
        for entry in entries:
            lines = plan_entry_lines(entry, rounding)
            if lines:
                moves[entry.svl_id] = {
                    "key": entry.svl_id, "journal_id": entry.journal_id, "posting_date": entry.posting_date,
                    "svl_ids": [entry.svl_id], "lines": lines, "reference": entry.reference,
                }
        return list(moves.values())
    if method != "per_posting_group":
        raise ValueError("Unknown posting method %r" % method)
    buckets = OrderedDict()
    for entry in entries:
        lines = plan_entry_lines(entry, rounding)
        if not lines:
            continue
        move_key = (entry.journal_id, entry.posting_date)
        move = moves.setdefault(move_key, {
            "key": move_key, "journal_id": entry.journal_id, "posting_date": entry.posting_date,
            "svl_ids": [], "lines": [], "reference": "",
        })
        move["svl_ids"].append(entry.svl_id)
        for line in lines:
            key = move_key + _group_key(line)
            grouped = buckets.get(key)
            if grouped is None:
                # a posting-group line carries no product, partner, quantity or label of its own, except on
                # the interim accounts, where it stays the line of one stock move (see module docstring)
                own = {} if line.detail else dict(product_id=False, partner_id=False, label="", move_id=False)
                grouped = replace(line, amount=0.0, amount_currency=0.0, contributions={}, quantity=0.0, **own)
                buckets[key] = grouped
                move["lines"].append(grouped)
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
        for line in move["lines"]:
            totals[line.account_type] = round_money(totals[line.account_type] + line.amount, rounding)
    return dict(totals)
