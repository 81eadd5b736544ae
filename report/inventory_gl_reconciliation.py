from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..models import gl_sql, posting_plan

_lt = LazyTranslate(__name__)

COLUMNS = ["inventory", "not_posted", "posted", "invoicing", "other_gl", "gl_total", "difference"]

# The warnings of the matrix, in the order they are evaluated (the first that applies is shown): code -> (short label,
# explanation naming the remedy). Translated where they are shown (``env._(...)``): matrix rows, the row's help, the
# PDF.
WARNINGS = {
    "not_posted": (
        _lt("Post Cost to G/L"),
        _lt("Some value entries of this account type are not yet posted to the general ledger. Run Post Inventory "
            "Cost to G/L to reconcile the ledgers.")),
    "history": (
        _lt("History Not Posted"),
        _lt("Value entries of this period are dated before 'Post Inventory Cost From' (history from before the "
            "module was installed): they are in the inventory ledger but the module does not post them, so the "
            "general ledger holds them only as Odoo or your earlier bookkeeping posted them. Reconcile a period "
            "starting on or after that date, or move the date back to post that history.")),
    "not_adjusted": (
        _lt("Adjust Cost"),
        _lt("Some products of the filter have costs that are not adjusted yet (a landed cost after a delivery, a "
            "back-dated average-cost entry): their outbound entries do not carry the final cost. Run Adjust Cost "
            "– Item Entries, then Post Inventory Cost to G/L.")),
    "draft_entries": (
        _lt("Draft Entries"),
        _lt("Journal entries created from value entries were reset to draft or cancelled, so their amounts are "
            "not in the general ledger. Open them and post them again.")),
    "posting_date": (
        _lt("Posting Date"),
        _lt("A value entry and its journal entry fall on different sides of the period: the entry is in one "
            "period of the inventory ledger and in another of the general ledger. Over all dates the difference "
            "is zero.")),
    "lock_date": (
        _lt("Lock Date"),
        _lt("A lock date moved the posting of some value entries to the first open date, outside the period of "
            "the value entry. Over all dates the difference is zero.")),
    "odoo_switch_entry": (
        _lt("Category Change Entry"),
        _lt("Odoo's automated valuation posted the emptying of a category's stock (a product changing category "
            "or costing method) with Dr Stock Valuation / Cr Stock Output instead of Dr Stock Input / Cr Stock "
            "Valuation (an Odoo 18.0 defect), so the valuation account carries twice the stock that left. Open "
            "the journal entries and correct them with a journal entry.")),
    "odoo_landed_cost_rounding": (
        _lt("Landed Cost Rounding"),
        _lt("Odoo's automated valuation rounded the share of a landed cost already out apart from the share in "
            "stock (an Odoo 18.0 defect): both rounded up (or down), so the valuation account received 0.01 less "
            "(or more) than the value entries of the landed cost, and cost of goods sold the opposite. Open the "
            "journal entries and correct them with a journal entry.")),
    "landed_cost_sold_share": (
        _lt("Landed Cost Before Install"),
        _lt("Landed costs validated before the module was installed, after part of their goods had left: Odoo's "
            "value entries hold only the share that was still in stock. The share already sold is in the general "
            "ledger (automated categories: the landed-cost journal entry moved it to cost of goods sold) but in "
            "no value entry, so the landed-cost and cost of goods sold rows differ by it. Open the landed costs "
            "to check.")),
    "wip_accounting": (
        _lt("WIP Accounting"),
        _lt("Odoo's WIP accounting (Manufacturing: a manufacturing order's WIP action) posted journal entries "
            "that move the components and overhead of orders in progress from inventory to the WIP account until "
            "their reversal date; no value entry carries them. Compare with Inventory Valuation - WIP on the same "
            "date, or reconcile a date after their reversal.")),
    "similar_accounts": (
        _lt("Similar Accounts"),
        _lt("One general ledger account is used by several account types, so its balance shows in several rows. "
            "Give each account type its own account in the posting setup or the product categories.")),
    "setup_changed": (
        _lt("Setup Changed"),
        _lt("Accounts were changed in the posting setup after value entries were posted with the old accounts. "
            "The old accounts still carry those amounts.")),
    "direct_posting": (
        _lt("Direct Posting"),
        _lt("Journal items were posted directly on this account type's accounts, bypassing the inventory ledger "
            "(manual entries, opening balances, other documents). Open them to check.")),
    "warehouse_not_split": (
        _lt("G/L Not Split by Warehouse"),
        _lt("The general ledger of this account type cannot be split by warehouse: the posting setup gives the "
            "filtered warehouses no account of their own for it (or their account is also used elsewhere). The "
            "G/L columns show only what was posted from the filtered value entries; invoices, bills and other "
            "journal items on these accounts are left out. Give each warehouse its own account in the posting "
            "setup to split them.")),
}
# the selection of the warning codes (its labels are translated as the field's selection values)
WARNING_CODES = [(code, label._source) for code, (label, _explanation) in WARNINGS.items()]


class StockInventoryGlReconciliationEngine(models.AbstractModel):
    """Inventory – G/L Reconciliation, the computation (BC page 5845 / codeunit 5845, adapted to Odoo; README, "Using it
    from the web client").

    For a period, compares the inventory ledger (value entries projected onto account types exactly as the
    posting plan posts them) with the general ledger (net change of each account type's accounts), row by
    account type, and explains each difference with a warning. All figures come from SQL aggregation.
    Amounts are signed (debit > 0) in company currency.

    Every method takes the filters as ``filters``: one record of a model inheriting ``stock.gl.filter.mixin``
    (company, dates, products, categories, warehouses), e.g. the reconciliation wizard. One computation,
    ``_get_matrix``, feeds the screen (the wizard's matrix rows), the PDF and, through the same account sets,
    invoicing rule and session settings, the pivot (``stock.inventory.gl.reconciliation.line``).
    """

    _name = "stock.inventory.gl.reconciliation.engine"
    _description = "Inventory - G/L Reconciliation (computation)"

    # ------------------------------------------------------------------------------------------------
    # Shared pieces
    # ------------------------------------------------------------------------------------------------
    _INVOICING_JOURNAL_TYPES = ("sale", "purchase")

    @api.model
    def _invoicing_sql(self):
        """SQL truth value over aliases aml/aj/pt: the journal item is the invoice side of the stock flows (the
        matrix's Invoicing column): a line of a customer invoice or a vendor bill for a storable product (Anglo-Saxon:
        on stock input; continental: on the expense account) or a COGS line (Anglo-Saxon interim lines, price
        differences). ``_invoicing_domain`` is the same rule as a domain."""
        return SQL("(aj.type IN %s AND (aml.display_type = 'cogs' OR COALESCE(pt.is_storable, FALSE)))",
                   self._INVOICING_JOURNAL_TYPES)

    @api.model
    def _invoicing_domain(self):
        """``_invoicing_sql`` as a domain on journal items."""
        return ["&", ("journal_id.type", "in", self._INVOICING_JOURNAL_TYPES),
                "|", ("display_type", "=", "cogs"), ("product_id.is_storable", "=", True)]

    @api.model
    def _warning_texts(self):
        """{warning code: (label, explanation)} in the environment's language."""
        return {code: (self.env._(label), self.env._(explanation)) for code, (label, explanation) in WARNINGS.items()}

    @api.model
    def _type_accounts(self, filters):
        """``(row accounts, all accounts, split)`` of ``filters``: the accounts each account type's row compares
        (``{account type: set of account ids}``), the sorted ids of every account of every type
        (``stock.posting.setup._get_type_accounts``) and, with a warehouse filter, the types whose accounts belong
        to the filtered warehouses alone (``_gl_warehouse_accounts``, None without a warehouse filter): their rows
        compare those accounts in full, the others only what the filtered value entries posted."""
        Setup = self.env["stock.posting.setup"]
        type_accounts = Setup._get_type_accounts(filters.company_id)
        all_accounts = sorted(set().union(*type_accounts.values()))
        warehouses = filters._gl_filter_warehouse_ids()
        if not warehouses:
            return type_accounts, all_accounts, None
        split = Setup._gl_warehouse_accounts(filters.company_id, self.env["stock.warehouse"].browse(warehouses))
        return ({atype: split.get(atype, accounts) for atype, accounts in type_accounts.items()}, all_accounts,
                split)

    @api.model
    def _svl_where(self, filters, dated=True):
        """Value entries of the filters (alias svl): company, products/categories (by the products' current
        category), warehouses and, when ``dated``, the posting-date range."""
        return filters._gl_filter_sql("svl", date_field="posting_date" if dated else None,
                                      product_field="product_id", warehouse_field="warehouse_id")

    # ------------------------------------------------------------------------------------------------
    # Matrix
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _get_matrix(self, filters, show_warnings=True):
        """The reconciliation matrix of ``filters``.

        :param filters: a ``stock.gl.filter.mixin`` record (one)
        :param show_warnings: False: no warning is computed
        :return: list of dicts, one per account type of ``posting_plan.ACCOUNT_TYPES`` then one with
            ``account_type = 'total'``, keys ``account_type``, ``inventory`` (value entries projected onto
            the type, posted or not), ``not_posted`` (part of it still queued), ``posted`` (linked journal
            items), ``invoicing`` (bill/invoice lines on the type's accounts), ``other_gl`` (every other
            journal item on them), ``gl_total`` (= posted + invoicing + other_gl, each account once),
            ``difference`` (= gl_total - inventory - invoicing), ``warning_code`` and ``warning`` (short
            label in the environment's language; False when Show warnings is off or nothing explains/needs
            explaining). Signed amounts in company currency, rounded to it.
        """
        filters.ensure_one()
        self.env.flush_all()
        self.env["stock.valuation.layer"]._gl_set_session("analytical")
        currency = filters.company_id.currency_id
        type_accounts, all_accounts, split = self._type_accounts(filters)
        filtered = filters._gl_filter_product_ids() is not None or split is not None

        # (1) inventory ledger and (2) not posted, by counterpart type, from value entries
        # (an expense transfer moves its amount from the counterpart type to COGS; it is queued until the
        # entry's first posting)
        inventory, not_posted = defaultdict(float), defaultdict(float)
        for ctype, value, queued, expense, expense_queued in self.env.execute_query(SQL("""
            SELECT svl.gl_counterpart_type, SUM(svl.value),
                   SUM(CASE WHEN svl.gl_state IN ('to_post', 'partial')
                            THEN svl.value - COALESCE(svl.cost_posted_to_gl, 0) ELSE 0 END),
                   SUM(COALESCE(svl.gl_expense_amount, 0)),
                   SUM(CASE WHEN svl.gl_state = 'to_post' THEN COALESCE(svl.gl_expense_amount, 0) ELSE 0 END)
              FROM stock_valuation_layer svl
             WHERE %s
             GROUP BY svl.gl_counterpart_type
        """, self._svl_where(filters))):
            inventory["inventory"] += value or 0.0
            not_posted["inventory"] += queued or 0.0
            if ctype:
                inventory[ctype] -= (value or 0.0) + (expense or 0.0)
                not_posted[ctype] -= (queued or 0.0) + (expense_queued or 0.0)
                inventory["cogs"] += expense or 0.0
                not_posted["cogs"] += expense_queued or 0.0

        # (3) posted from inventory, (4) invoicing, (5) other G/L: one pass over the journal items of the
        # accounts, split by the gl_linked flag and the invoicing rule. With a product/category filter, the
        # posted side is the filtered value entries' share of the links; with a warehouse filter, journal items
        # carry no warehouse: only the accounts of the types split to the warehouses are read in full.
        posted_by_account = defaultdict(float)
        invoicing_by_account, other_by_account = defaultdict(float), defaultdict(float)
        aml_where = filters._gl_filter_sql("aml", date_field="date")
        read_in_full = all_accounts if split is None else sorted(set().union(*split.values()))
        if read_in_full:
            # linked items: a plain sum per account (no join; the bulk of the rows)
            if not filtered:
                for account_id, amount in self.env.execute_query(SQL("""
                    SELECT aml.account_id, SUM(aml.balance)
                      FROM account_move_line aml
                     WHERE %s AND aml.parent_state = 'posted' AND aml.account_id = ANY(%s) AND aml.gl_linked
                     GROUP BY 1
                """, aml_where, all_accounts)):
                    posted_by_account[account_id] += amount or 0.0
            # unlinked items (bills, invoices, manual entries): classified, through a partial index
            for account_id, is_invoicing, amount in self.env.execute_query(SQL("""
                SELECT aml.account_id, %s, SUM(aml.balance)
                  FROM account_move_line aml
                  JOIN account_journal aj ON aj.id = aml.journal_id
                  LEFT JOIN product_product pp ON pp.id = aml.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE %s AND aml.parent_state = 'posted' AND aml.account_id = ANY(%s)
                   AND (aml.gl_linked IS NULL OR aml.gl_linked = FALSE)
                 GROUP BY 1, 2
            """, self._invoicing_sql(), filters._gl_filter_sql("aml", date_field="date", product_field="product_id"),
                    read_in_full)):
                (invoicing_by_account if is_invoicing else other_by_account)[account_id] += amount or 0.0
        if filtered:
            for account_id, amount in self.env.execute_query(SQL("""
                SELECT aml.account_id, SUM(l.amount)
                  FROM stock_valuation_layer_gl_link l
                  JOIN account_move_line aml ON aml.id = l.move_line_id
                  JOIN stock_valuation_layer svl ON svl.id = l.svl_id
                 WHERE %s AND aml.parent_state = 'posted' AND aml.account_id = ANY(%s) AND %s
                 GROUP BY aml.account_id
            """, aml_where, all_accounts, self._svl_where(filters, dated=False))):
                posted_by_account[account_id] += amount or 0.0

        def by_accounts(mapping, accounts):
            return sum(mapping.get(a, 0.0) for a in accounts)

        rows = []
        for atype, _label in posting_plan.ACCOUNT_TYPES:
            accounts = type_accounts[atype]
            row = {
                "account_type": atype,
                "inventory": inventory[atype],
                "not_posted": not_posted[atype],
                "posted": by_accounts(posted_by_account, accounts),
                "invoicing": by_accounts(invoicing_by_account, accounts),
                "other_gl": by_accounts(other_by_account, accounts),
                # False: a warehouse filter whose G/L cannot be split for this type (None: no warehouse filter)
                "gl_split": None if split is None else atype in split,
            }
            rows.append(row)
        total = {"account_type": "total",
                 "inventory": sum(r["inventory"] for r in rows),
                 "not_posted": sum(r["not_posted"] for r in rows),
                 "posted": by_accounts(posted_by_account, all_accounts),
                 "invoicing": by_accounts(invoicing_by_account, all_accounts),
                 "other_gl": by_accounts(other_by_account, all_accounts),
                 "gl_split": None if split is None else all(row["gl_split"] for row in rows)}
        rows.append(total)
        for row in rows:
            for key in ("inventory", "not_posted", "posted", "invoicing", "other_gl"):
                row[key] = currency.round(row[key]) + 0.0
            row["gl_total"] = currency.round(row["posted"] + row["invoicing"] + row["other_gl"]) + 0.0
            row["difference"] = currency.round(row["gl_total"] - row["inventory"] - row["invoicing"]) + 0.0
            row["warning_code"] = False
            row["warning"] = False
        if show_warnings:
            self._add_warnings(filters, rows, type_accounts)
        return rows

    # ------------------------------------------------------------------------------------------------
    # Warnings
    # ------------------------------------------------------------------------------------------------
    @api.model
    def _link_exists(self, filters, accounts, condition):
        """True when a G/L link of a value entry matching the product/warehouse filters, on one of
        ``accounts`` (None: any account), satisfies ``condition`` (SQL over aliases l, aml, svl)."""
        if accounts is not None and not accounts:
            return False
        account_cond = SQL("aml.account_id = ANY(%s)", sorted(accounts)) if accounts is not None else SQL("TRUE")
        return bool(self.env.execute_query(SQL("""
            SELECT 1
              FROM stock_valuation_layer_gl_link l
              JOIN account_move_line aml ON aml.id = l.move_line_id
              JOIN stock_valuation_layer svl ON svl.id = l.svl_id
             WHERE %s AND %s AND %s
             LIMIT 1
        """, self._svl_where(filters, dated=False), account_cond, condition)))

    @api.model
    def _odoo_switch_entries(self, filters, limit=None):
        """Journal entries in which Odoo emptied the positive stock of an automated category the wrong way
        round (warning ``odoo_switch_entry``): value entries of the filters out of a category change whose
        link on the inventory account type does not carry their value."""
        rows = self.env.execute_query(SQL("""
            SELECT svl.account_move_id
              FROM stock_valuation_layer svl
             WHERE %s AND svl.gl_origin = 'category_switch' AND svl.quantity < 0 AND svl.account_move_id IS NOT NULL
               AND ROUND((svl.value - (SELECT COALESCE(SUM(l.amount), 0) FROM stock_valuation_layer_gl_link l
                                        WHERE l.svl_id = svl.id AND l.account_type = 'inventory')) / %s::numeric) != 0
             %s
        """, self._svl_where(filters, dated=False), filters.company_id.currency_id.rounding,
            SQL("LIMIT %s", limit) if limit else SQL()))
        return self.env["account.move"].browse([row[0] for row in rows])

    @api.model
    def _odoo_landed_cost_rounding_entries(self, filters, limit=None):
        """Landed-cost journal entries of automated categories in which Odoo's rounding left the valuation
        account apart from the stock value (warning ``odoo_landed_cost_rounding``): per journal entry, the
        links on the inventory account type differ from the value of Odoo's own landed-cost entries (those
        with a stock move) by at most the currency rounding per entry."""
        rows = self.env.execute_query(SQL("""
            SELECT g.account_move_id
              FROM (SELECT svl.account_move_id,
                           SUM(linked.amount) - SUM(svl.value) FILTER (WHERE svl.stock_move_id IS NOT NULL) AS gap,
                           COUNT(*) FILTER (WHERE svl.stock_move_id IS NOT NULL) AS entries
                      FROM stock_valuation_layer svl
                      LEFT JOIN LATERAL (SELECT COALESCE(SUM(l.amount), 0) AS amount
                                           FROM stock_valuation_layer_gl_link l
                                          WHERE l.svl_id = svl.id AND l.account_type = 'inventory') linked ON TRUE
                     WHERE %(where)s AND svl.stock_landed_cost_id IS NOT NULL AND svl.account_move_id IS NOT NULL
                       AND svl.gl_valuation = 'real_time'
                     GROUP BY svl.account_move_id) g
             -- not zero at the currency's rounding, and at most one rounding per entry
             WHERE ROUND(g.gap / %(rounding)s::numeric) != 0
               AND ROUND(ABS(g.gap) / %(rounding)s::numeric) <= g.entries
             %(limit)s
        """, where=self._svl_where(filters, dated=False), rounding=filters.company_id.currency_id.rounding,
            limit=SQL("LIMIT %s", limit) if limit else SQL()))
        return self.env["account.move"].browse([row[0] for row in rows])

    @api.model
    def _landed_costs_without_sold_share(self, filters, limit=None):
        """Done landed costs of the filters (landed-cost date in the period, products) whose value entries do
        not carry the whole cost (warning ``landed_cost_sold_share``): validated before the install, after part
        of the goods had left, so the sold share was recorded in no value entry. Since the install, the
        module records it when the landed cost is validated (``stock.landed.cost.button_validate``)."""
        products = filters._gl_filter_product_ids()
        product_cond = SQL("al.product_id = ANY(%s)", products) if products is not None else SQL("TRUE")
        rows = self.env.execute_query(SQL("""
            WITH costs AS MATERIALIZED (
                SELECT al.cost_id, al.product_id, SUM(al.additional_landed_cost) AS amount
                  FROM stock_valuation_adjustment_lines al
                  JOIN stock_landed_cost lc ON lc.id = al.cost_id
                  -- receipts only: the module records the sold share of an incoming move's landed cost
                  JOIN stock_move sm ON sm.id = al.move_id
                  JOIN stock_location ls ON ls.id = sm.location_id
                  JOIN stock_location ld ON ld.id = sm.location_dest_id
                 WHERE lc.state = 'done' AND lc.company_id = %(company)s AND NOT %(src_valued)s AND %(dest_valued)s
                   AND %(in_range)s AND %(products)s
                 GROUP BY al.cost_id, al.product_id
            )
            SELECT c.cost_id
              FROM costs c
              LEFT JOIN LATERAL (
                    SELECT SUM(svl.value) AS amount FROM stock_valuation_layer svl
                     WHERE svl.stock_landed_cost_id = c.cost_id AND svl.product_id = c.product_id
                       AND svl.gl_origin = 'landed_cost') recorded ON TRUE
             WHERE ROUND((c.amount - COALESCE(recorded.amount, 0)) / %(rounding)s) != 0
             GROUP BY c.cost_id
             ORDER BY c.cost_id
             %(limit)s
        """, company=filters.company_id.id, in_range=filters._gl_date_sql(SQL("lc.date")), products=product_cond,
            src_valued=gl_sql.valued_usage("ls"), dest_valued=gl_sql.valued_usage("ld"),
            rounding=filters.company_id.currency_id.rounding, limit=SQL("LIMIT %s", limit) if limit else SQL()))
        return self.env["stock.landed.cost"].browse([row[0] for row in rows])

    @api.model
    def _has_history_not_posted(self, filters):
        """Whether value entries of the filters with a value are dated before the company's "Post Inventory Cost
        From" and were not posted (warning ``history``)."""
        post_from = filters.company_id.gl_post_cost_from
        if not post_from or (filters.date_from and filters.date_from >= post_from):
            return False
        return bool(self.env.execute_query(SQL("""
            SELECT 1 FROM stock_valuation_layer svl
             WHERE %s AND svl.posting_date < %s AND svl.gl_state = 'not_to_post' AND svl.value != 0
             LIMIT 1""", self._svl_where(filters), post_from)))

    @api.model
    def _has_unadjusted_products(self, filters):
        """Products of the filter whose "cost is adjusted" is false in the company."""
        Product = self.env["product.product"].sudo().with_company(filters.company_id).with_context(active_test=False)
        domain = [("gl_cost_adjustment_pending", "=", True)]
        products = filters._gl_filter_product_ids()
        if products is not None:
            domain.append(("id", "in", products))
        return bool(Product.search_count(domain, limit=1))

    @api.model
    def _has_wip_accounting(self, filters, accounts):
        """Whether posted journal entries of Odoo's WIP accounting (``mrp.account.wip.accounting``: an
        ``account.move`` with ``wip_production_ids``) of the period have items on ``accounts`` (warning
        ``wip_accounting``); False without ``mrp_account``."""
        if "wip_production_ids" not in self.env["account.move"]._fields or not accounts:
            return False
        return bool(self.env["account.move.line"].sudo().search_count(
            [*filters._gl_filter_domain(date_field="date"), ("parent_state", "=", "posted"),
             ("account_id", "in", sorted(accounts)), ("move_id.wip_production_ids", "!=", False)], limit=1))

    @api.model
    def _add_warnings(self, filters, rows, type_accounts):
        """Set ``warning_code`` and ``warning`` (its label, translated) on the ``rows`` of ``_get_matrix``: the
        first match per account type in the order of ``WARNINGS``, only where the difference is not zero."""
        currency = filters.company_id.currency_id
        svl_in = filters._gl_date_sql(SQL("svl.posting_date"))
        aml_in = filters._gl_date_sql(SQL("aml.date"))
        touches_range = SQL("(%s OR %s)", svl_in, aml_in)
        usage = defaultdict(int)
        for accounts in type_accounts.values():
            for account in accounts:
                usage[account] += 1
        Setup = self.env["stock.posting.setup"]
        # the checks that do not depend on the row run once per matrix, when a row first needs them
        filter_wide = {
            "history": lambda: self._has_history_not_posted(filters),
            "not_adjusted": lambda: self._has_unadjusted_products(filters),
            "odoo_switch_entry": lambda: bool(self._odoo_switch_entries(filters, limit=1)),
            "odoo_landed_cost_rounding": lambda: bool(self._odoo_landed_cost_rounding_entries(filters, limit=1)),
            "landed_cost_sold_share": lambda: bool(self._landed_costs_without_sold_share(filters, limit=1)),
        }
        found = {}

        def once(code):
            if code not in found:
                found[code] = filter_wide[code]()
            return found[code]

        def link_exists(accounts, condition):
            return self._link_exists(filters, accounts, condition)

        for row in rows:
            if currency.is_zero(row["difference"]):
                if row["gl_split"] is False:  # nothing to explain, but the G/L columns are partial
                    row["warning_code"] = "warehouse_not_split"
                    row["warning"] = self._warning_texts()["warehouse_not_split"][0]
                continue
            atype = row["account_type"]
            accounts = set().union(*type_accounts.values()) if atype == "total" else type_accounts[atype]
            setup_field = Setup._account_field(atype) if atype != "total" else None
            checks = [
                ("not_posted", lambda: not currency.is_zero(row["not_posted"])),
                ("history", lambda: once("history")),
                ("not_adjusted", lambda: once("not_adjusted")),
                ("draft_entries", lambda: link_exists(accounts, SQL(
                    "aml.parent_state != 'posted' AND %s", touches_range))),
                ("posting_date", lambda: link_exists(accounts, SQL(
                    "aml.parent_state = 'posted' AND NOT COALESCE(l.lock_date_moved, FALSE) AND %s != %s", svl_in,
                    aml_in))),
                ("lock_date", lambda: link_exists(accounts, SQL(
                    "aml.parent_state = 'posted' AND COALESCE(l.lock_date_moved, FALSE) AND %s != %s", svl_in,
                    aml_in))),
                ("odoo_switch_entry", lambda: once("odoo_switch_entry")),
                ("odoo_landed_cost_rounding", lambda: once("odoo_landed_cost_rounding")),
                ("landed_cost_sold_share", lambda: atype in ("overhead_applied", "cogs", "stock_output", "total")
                    and once("landed_cost_sold_share")),
                ("wip_accounting", lambda: self._has_wip_accounting(filters, accounts)),
                ("similar_accounts", lambda: atype != "total" and any(usage[a] > 1 for a in accounts)),
                ("setup_changed", lambda: setup_field and link_exists(None, SQL(
                    """aml.parent_state = 'posted' AND l.account_type = %s AND EXISTS (
                        SELECT 1 FROM stock_posting_setup s WHERE s.id = l.setup_id
                           AND s.%s IS NOT NULL AND s.%s != aml.account_id)""",
                    atype, SQL.identifier(setup_field), SQL.identifier(setup_field)))),
                ("direct_posting", lambda: not currency.is_zero(row["other_gl"])),
                ("warehouse_not_split", lambda: row["gl_split"] is False),
            ]
            for code, check in checks:
                if check():
                    row["warning_code"] = code
                    row["warning"] = self.env._(WARNINGS[code][0])
                    break
