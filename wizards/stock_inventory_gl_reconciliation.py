from collections import defaultdict

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..models import gl_sql, posting_plan

COLUMNS = ["inventory", "not_posted", "posted", "invoicing", "other_gl", "gl_total", "difference"]

WARNINGS = {
    "not_posted": (
        "Post Cost to G/L",
        "Some value entries of this account type are not yet posted to the general ledger. Run Post Inventory "
        "Cost to G/L to reconcile the ledgers."),
    "history": (
        "History Not Posted",
        "Value entries of this period are dated before 'Post Inventory Cost From' (history from before the module "
        "was installed): they are in the inventory ledger but the module does not post them, so the general "
        "ledger holds them only as Odoo or your earlier bookkeeping posted them. Reconcile a period starting on "
        "or after that date, or move the date back to post that history."),
    "not_adjusted": (
        "Adjust Cost",
        "Some products of the filter have costs that are not adjusted yet (a landed cost after a delivery, a "
        "back-dated average-cost entry): their outbound entries do not carry the final cost. Run Adjust Cost – "
        "Item Entries, then Post Inventory Cost to G/L."),
    "draft_entries": (
        "Draft Entries",
        "Journal entries created from value entries were reset to draft or cancelled, so their amounts are not in "
        "the general ledger. Open them and post them again."),
    "posting_date": (
        "Posting Date",
        "A value entry and its journal entry fall on different sides of the period: the entry is in one period of "
        "the inventory ledger and in another of the general ledger. Over all dates the difference is zero."),
    "lock_date": (
        "Lock Date",
        "A lock date moved the posting of some value entries to the first open date, outside the period of the "
        "value entry. Over all dates the difference is zero."),
    "odoo_switch_entry": (
        "Category Change Entry",
        "Odoo's automated valuation posted the emptying of a category's stock (a product changing category or "
        "costing method) with Dr Stock Valuation / Cr Stock Output instead of Dr Stock Input / Cr Stock "
        "Valuation (an Odoo 18.0 defect), so the valuation account carries twice the stock that left. Open the "
        "journal entries and correct them with a journal entry."),
    "odoo_landed_cost_rounding": (
        "Landed Cost Rounding",
        "Odoo's automated valuation rounded the share of a landed cost already out apart from the share in stock "
        "(an Odoo 18.0 defect): both rounded up (or down), so the valuation account received 0.01 less (or more) "
        "than the value entries of the landed cost, and cost of goods sold the opposite. Open the journal entries "
        "and correct them with a journal entry."),
    "landed_cost_sold_share": (
        "Landed Cost Before Install",
        "Landed costs validated before the module was installed, after part of their goods had left: Odoo's value "
        "entries hold only the share that was still in stock. The share already sold is in the general ledger "
        "(automated categories: the landed-cost journal entry moved it to cost of goods sold) but in no value "
        "entry, so the landed-cost and cost of goods sold rows differ by it. Open the landed costs to check."),
    "similar_accounts": (
        "Similar Accounts",
        "One general ledger account is used by several account types, so its balance shows in several rows. Give "
        "each account type its own account in the posting setup or the product categories."),
    "setup_changed": (
        "Setup Changed",
        "Accounts were changed in the posting setup after value entries were posted with the old accounts. The "
        "old accounts still carry those amounts."),
    "direct_posting": (
        "Direct Posting",
        "Journal items were posted directly on this account type's accounts, bypassing the inventory ledger "
        "(manual entries, opening balances, other documents). Open them to check."),
}
WARNING_CODES = [("not_posted", "Post Cost to G/L"), ("history", "History Not Posted"), ("not_adjusted", "Adjust Cost"),
                 ("draft_entries", "Draft Entries"),
                 ("posting_date", "Posting Date"), ("lock_date", "Lock Date"),
                 ("odoo_switch_entry", "Category Change Entry"),
                 ("odoo_landed_cost_rounding", "Landed Cost Rounding"),
                 ("landed_cost_sold_share", "Landed Cost Before Install"),
                 ("similar_accounts", "Similar Accounts"), ("setup_changed", "Setup Changed"),
                 ("direct_posting", "Direct Posting")]


class StockInventoryGlReconciliation(models.TransientModel):
    """Inventory – G/L Reconciliation (BC page 5845 / codeunit 5845, adapted to Odoo, SPEC §6).

    For a period, compares the inventory ledger (value entries projected onto account types exactly as the
    posting plan posts them) with the general ledger (net change of each account type's accounts), row by
    account type, and explains each difference with a warning. All figures come from SQL aggregation.
    Amounts are signed (debit > 0) in company currency.
    """

    _name = "stock.inventory.gl.reconciliation"
    _description = "Inventory - G/L Reconciliation"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date()
    date_to = fields.Date(default=fields.Date.context_today)
    product_ids = fields.Many2many("product.product", string="Products", check_company=True)
    categ_ids = fields.Many2many("product.category", string="Product Categories")
    warehouse_ids = fields.Many2many("stock.warehouse", string="Warehouses", check_company=True)
    show_warnings = fields.Boolean(default=True)
    line_ids = fields.One2many("stock.inventory.gl.reconciliation.matrix", "wizard_id", "Matrix")
    has_filter = fields.Boolean(compute="_compute_has_filter")

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        for wizard in self:
            period = " - ".join(str(d) for d in (wizard.date_from, wizard.date_to) if d)
            wizard.display_name = _("Inventory - G/L Reconciliation") + (" (%s)" % period if period else "")

    @api.depends("product_ids", "categ_ids", "warehouse_ids")
    def _compute_has_filter(self):
        for wizard in self:
            wizard.has_filter = bool(wizard.product_ids or wizard.categ_ids or wizard.warehouse_ids)

    # ------------------------------------------------------------------------------------------------
    # Account sets
    # ------------------------------------------------------------------------------------------------
    def _get_type_accounts(self):
        """{account type: set of account ids} whose balance the row compares: every account the G/L links
        of that type used, every account of the posting setup for that type, and Odoo's own accounts for it
        (category valuation/input/output/expense/price-difference accounts, inventory and production
        location accounts)."""
        self.ensure_one()
        company = self.company_id
        accounts = defaultdict(set)
        # accounts the links used, except those a posting setup row mapped and no longer maps (BC: the
        # reconciliation follows the current setup; the 'setup_changed' warning explains the gap). The
        # distinct (type, account, setup) triples come from a skip scan over the link index: a handful of
        # index probes instead of a pass over millions of links.
        setup_account = SQL("CASE d.account_type %s END", SQL(" ").join(
            SQL("WHEN %s THEN s.%s", atype, SQL.identifier("%s_account_id" % atype))
            for atype in posting_plan.ACCOUNT_TYPE_KEYS))
        rows = self.env.execute_query(SQL("""
            WITH RECURSIVE d AS (
                (SELECT account_type, account_id, setup_id FROM stock_valuation_layer_gl_link
                  WHERE company_id = %(company)s
                  ORDER BY account_type, account_id, COALESCE(setup_id, 0) LIMIT 1)
                UNION ALL
                SELECT n.account_type, n.account_id, n.setup_id FROM d, LATERAL (
                    SELECT account_type, account_id, setup_id FROM stock_valuation_layer_gl_link l
                     WHERE l.company_id = %(company)s
                       AND (l.account_type, l.account_id, COALESCE(l.setup_id, 0))
                           > (d.account_type, d.account_id, COALESCE(d.setup_id, 0))
                     ORDER BY l.account_type, l.account_id, COALESCE(l.setup_id, 0) LIMIT 1) n
            )
            SELECT DISTINCT d.account_type, d.account_id
              FROM d LEFT JOIN stock_posting_setup s ON s.id = d.setup_id
             WHERE d.account_id IS NOT NULL AND (s.id IS NULL OR %(setup_account)s = d.account_id)
        """, company=company.id, setup_account=setup_account))
        for atype, account_id in rows:
            accounts[atype].add(account_id)
        Setup = self.env["stock.posting.setup"].with_context(active_test=False)
        for row in Setup.search([("company_id", "=", company.id)]):
            for atype in posting_plan.ACCOUNT_TYPE_KEYS:
                account = row[Setup._account_field(atype)]
                if account:
                    accounts[atype].add(account.id)
        for categ in self.env["product.category"].with_company(company).search([]):
            for atype, account in Setup._category_accounts(categ).items():
                accounts[atype].add(account.id)
        for loc in self.env["stock.location"].search([
                ("usage", "in", ("inventory", "production")), ("company_id", "in", (company.id, False))]):
            atype = "wip" if loc.usage == "production" else "inventory_adjustment"
            for account in (loc.valuation_in_account_id, loc.valuation_out_account_id):
                if account and company in account.company_ids:
                    accounts[atype].add(account.id)
        return {atype: accounts.get(atype, set()) for atype in posting_plan.ACCOUNT_TYPE_KEYS}

    # ------------------------------------------------------------------------------------------------
    # SQL pieces
    # ------------------------------------------------------------------------------------------------
    def _filtered_product_ids(self):
        """Products of the product/category filters (None when no such filter)."""
        if not (self.product_ids or self.categ_ids):
            return None
        domain = [("id", "in", self.product_ids.ids)] if self.product_ids else []
        if self.categ_ids:
            domain.append(("categ_id", "child_of", self.categ_ids.ids))
        return self.env["product.product"].with_context(active_test=False).search(domain).ids

    def _svl_where(self):
        """Value entries of the filters (company, posting-date range, products/categories, warehouses)."""
        return SQL("%s AND %s", self._svl_where_no_date(), self._in_range_sql(SQL("svl.posting_date")))

    def _aml_date_where(self, alias="aml"):
        conds = [SQL("%s.company_id = %s", SQL.identifier(alias), self.company_id.id)]
        if self.date_from:
            conds.append(SQL("%s.date >= %s", SQL.identifier(alias), self.date_from))
        if self.date_to:
            conds.append(SQL("%s.date <= %s", SQL.identifier(alias), self.date_to))
        return SQL(" AND ").join(conds)

    def _in_range_sql(self, expr):
        conds = [SQL("TRUE")]
        if self.date_from:
            conds.append(SQL("%s >= %s", expr, self.date_from))
        if self.date_to:
            conds.append(SQL("%s <= %s", expr, self.date_to))
        return SQL("(%s)", SQL(" AND ").join(conds))

    # ------------------------------------------------------------------------------------------------
    # Matrix
    # ------------------------------------------------------------------------------------------------
    def get_matrix(self):
        """The reconciliation matrix.

        :return: list of dicts, one per account type of ``posting_plan.ACCOUNT_TYPES`` then one with
            ``account_type = 'total'``, keys ``account_type``, ``inventory`` (value entries projected onto
            the type, posted or not), ``not_posted`` (part of it still queued), ``posted`` (linked journal
            items), ``invoicing`` (bill/invoice lines on the type's accounts), ``other_gl`` (every other
            journal item on them), ``gl_total`` (= posted + invoicing + other_gl, each account once),
            ``difference`` (= gl_total - inventory - invoicing), ``warning_code`` and ``warning`` (short
            label; False when Show warnings is off or nothing explains/needs explaining). Signed amounts in
            company currency, rounded to it.
        """
        self.ensure_one()
        self.env.flush_all()
        self._set_analytical_session()
        currency = self.company_id.currency_id
        type_accounts = self._get_type_accounts()
        all_accounts = sorted(set().union(*type_accounts.values()))
        products = self._filtered_product_ids()
        filtered = products is not None or bool(self.warehouse_ids)

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
        """, self._svl_where())):
            inventory["inventory"] += value or 0.0
            not_posted["inventory"] += queued or 0.0
            if ctype:
                inventory[ctype] -= (value or 0.0) + (expense or 0.0)
                not_posted[ctype] -= (queued or 0.0) + (expense_queued or 0.0)
                inventory["cogs"] += expense or 0.0
                not_posted["cogs"] += expense_queued or 0.0

        # (3) posted from inventory, (4) invoicing, (5) other G/L: one pass over the journal items of the
        # accounts, split by the gl_linked flag and the invoicing rule. With a product/category filter, the
        # posted side is the filtered value entries' share of the links; with a warehouse filter only the
        # posted side is known (journal items carry no warehouse).
        posted_by_account = defaultdict(float)
        invoicing_by_account, other_by_account = defaultdict(float), defaultdict(float)
        product_cond = SQL("aml.product_id = ANY(%s)", products) if products is not None else SQL("TRUE")
        if not self.warehouse_ids:
            # linked items: a plain sum per account (no join; the bulk of the rows)
            if not filtered:
                for account_id, amount in self.env.execute_query(SQL("""
                    SELECT aml.account_id, SUM(aml.balance)
                      FROM account_move_line aml
                     WHERE %s AND aml.parent_state = 'posted' AND aml.account_id = ANY(%s) AND aml.gl_linked
                     GROUP BY 1
                """, self._aml_date_where(), all_accounts)):
                    posted_by_account[account_id] += amount or 0.0
            # unlinked items (bills, invoices, manual entries): classified, through a partial index
            for account_id, is_invoicing, amount in self.env.execute_query(SQL("""
                SELECT aml.account_id, %s, SUM(aml.balance)
                  FROM account_move_line aml
                  JOIN account_journal aj ON aj.id = aml.journal_id
                  LEFT JOIN product_product pp ON pp.id = aml.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE %s AND aml.parent_state = 'posted' AND aml.account_id = ANY(%s) AND %s
                   AND (aml.gl_linked IS NULL OR aml.gl_linked = FALSE)
                 GROUP BY 1, 2
            """, self._invoicing_sql(), self._aml_date_where(), all_accounts, product_cond)):
                (invoicing_by_account if is_invoicing else other_by_account)[account_id] += amount or 0.0
        if filtered:
            for account_id, amount in self.env.execute_query(SQL("""
                SELECT aml.account_id, SUM(l.amount)
                  FROM stock_valuation_layer_gl_link l
                  JOIN account_move_line aml ON aml.id = l.move_line_id
                  JOIN stock_valuation_layer svl ON svl.id = l.svl_id
                 WHERE %s AND aml.parent_state = 'posted' AND aml.account_id = ANY(%s) AND %s
                 GROUP BY aml.account_id
            """, self._aml_date_where(), all_accounts, self._svl_where_no_date())):
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
            }
            rows.append(row)
        total = {"account_type": "total",
                 "inventory": sum(r["inventory"] for r in rows),
                 "not_posted": sum(r["not_posted"] for r in rows),
                 "posted": by_accounts(posted_by_account, all_accounts),
                 "invoicing": by_accounts(invoicing_by_account, all_accounts),
                 "other_gl": by_accounts(other_by_account, all_accounts)}
        rows.append(total)
        for row in rows:
            for key in ("inventory", "not_posted", "posted", "invoicing", "other_gl"):
                row[key] = currency.round(row[key]) + 0.0
            row["gl_total"] = currency.round(row["posted"] + row["invoicing"] + row["other_gl"]) + 0.0
            row["difference"] = currency.round(row["gl_total"] - row["inventory"] - row["invoicing"]) + 0.0
            row["warning_code"] = False
            row["warning"] = False
        if self.show_warnings:
            self._compute_warnings(rows, type_accounts)
        return rows

    @api.model
    def _invoicing_sql(self):
        """SQL truth value over aliases aml/aj/pt: the journal item is the invoice side of the stock flows (SPEC
        §6 column 4): a line of a customer invoice or a vendor bill for a storable product (Anglo-Saxon: on
        stock input; continental: on the expense account) or a COGS line (Anglo-Saxon interim lines, price
        differences). ``_invoicing_domain`` is the same rule as a domain."""
        return SQL("""(aj.type IN ('sale', 'purchase') AND (aml.display_type = 'cogs'
                       OR COALESCE(pt.is_storable, FALSE)))""")

    @api.model
    def _invoicing_domain(self):
        """``_invoicing_sql`` as a domain on journal items."""
        return ["&", ("journal_id.type", "in", ("sale", "purchase")),
                "|", ("display_type", "=", "cogs"), ("product_id.is_storable", "=", True)]

    @api.model
    def _set_analytical_session(self, parallel=True):
        """Transaction-local settings for the reconciliation's aggregations: no JIT (compiling costs more
        than these sub-second queries gain), enough work_mem to hash-aggregate instead of sorting on disk,
        and, when ``parallel`` is False, no parallel workers: the pivot sends its grouped reads four at a
        time, and on a small machine parallel workers per read then only compete for the same cores
        (measured on 2 cores: 2.9 s with, 2.2 s without)."""
        self.env.cr.execute(SQL("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"))
        self.env["stock.valuation.layer"]._gl_refresh_stale_statistics()
        if not parallel:
            self.env.cr.execute(SQL("SET LOCAL max_parallel_workers_per_gather = 0"))

    def _svl_where_no_date(self):
        """Value entries of the company, product/category and warehouse filters (alias svl)."""
        conds = [SQL("svl.company_id = %s", self.company_id.id)]
        products = self._filtered_product_ids()
        if products is not None:
            conds.append(SQL("svl.product_id = ANY(%s)", products))
        if self.warehouse_ids:
            conds.append(SQL("svl.warehouse_id = ANY(%s)", self.warehouse_ids.ids))
        return SQL(" AND ").join(conds)

    # ------------------------------------------------------------------------------------------------
    # Warnings
    # ------------------------------------------------------------------------------------------------
    def _link_exists(self, accounts, condition):
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
        """, self._svl_where_no_date(), account_cond, condition)))

    def _odoo_switch_entries(self, limit=None):
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
        """, self._svl_where_no_date(), self.company_id.currency_id.rounding,
            SQL("LIMIT %s", limit) if limit else SQL()))
        return self.env["account.move"].browse([row[0] for row in rows])

    def _odoo_landed_cost_rounding_entries(self, limit=None):
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
        """, where=self._svl_where_no_date(), rounding=self.company_id.currency_id.rounding,
            limit=SQL("LIMIT %s", limit) if limit else SQL()))
        return self.env["account.move"].browse([row[0] for row in rows])

    def _landed_costs_without_sold_share(self, limit=None):
        """Done landed costs of the filters (landed-cost date in the period, products) whose value entries do
        not carry the whole cost (warning ``landed_cost_sold_share``): validated before the install, after part
        of the goods had left, so the sold share was recorded in no value entry. Since the install, the
        module records it when the landed cost is validated (``stock.landed.cost.button_validate``)."""
        products = self._filtered_product_ids()
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
        """, company=self.company_id.id, in_range=self._in_range_sql(SQL("lc.date")), products=product_cond,
            src_valued=gl_sql.valued_usage("ls"), dest_valued=gl_sql.valued_usage("ld"),
            rounding=self.company_id.currency_id.rounding, limit=SQL("LIMIT %s", limit) if limit else SQL()))
        return self.env["stock.landed.cost"].browse([row[0] for row in rows])

    def _has_history_not_posted(self):
        """Whether value entries of the filters with a value are dated before the company's "Post Inventory Cost
        From" and were not posted (warning ``history``)."""
        post_from = self.company_id.gl_post_cost_from
        if not post_from or (self.date_from and self.date_from >= post_from):
            return False
        return bool(self.env.execute_query(SQL("""
            SELECT 1 FROM stock_valuation_layer svl
             WHERE %s AND svl.posting_date < %s AND svl.gl_state = 'not_to_post' AND svl.value != 0
             LIMIT 1""", self._svl_where(), post_from)))

    def _has_unadjusted_products(self):
        """Products of the filter whose "cost is adjusted" is false in the company."""
        Product = self.env["product.product"].sudo().with_company(self.company_id).with_context(active_test=False)
        domain = [("gl_cost_adjustment_pending", "=", True)]
        products = self._filtered_product_ids()
        if products is not None:
            domain.append(("id", "in", products))
        return bool(Product.search_count(domain, limit=1))

    def _compute_warnings(self, rows, type_accounts):
        """First match per account type (SPEC §6 order), only where the difference is not zero."""
        currency = self.company_id.currency_id
        svl_in = self._in_range_sql(SQL("svl.posting_date"))
        aml_in = self._in_range_sql(SQL("aml.date"))
        touches_range = SQL("(%s OR %s)", svl_in, aml_in)
        usage = defaultdict(int)
        for accounts in type_accounts.values():
            for account in accounts:
                usage[account] += 1
        Setup = self.env["stock.posting.setup"]
        # the checks that do not depend on the row run once per matrix, when a row first needs them
        filter_wide = {
            "history": self._has_history_not_posted,
            "not_adjusted": self._has_unadjusted_products,
            "odoo_switch_entry": lambda: bool(self._odoo_switch_entries(limit=1)),
            "odoo_landed_cost_rounding": lambda: bool(self._odoo_landed_cost_rounding_entries(limit=1)),
            "landed_cost_sold_share": lambda: bool(self._landed_costs_without_sold_share(limit=1)),
        }
        found = {}

        def once(code):
            if code not in found:
                found[code] = filter_wide[code]()
            return found[code]

        for row in rows:
            if currency.is_zero(row["difference"]):
                continue
            atype = row["account_type"]
            accounts = set().union(*type_accounts.values()) if atype == "total" else type_accounts[atype]
            setup_field = Setup._account_field(atype) if atype != "total" else None
            checks = [
                ("not_posted", lambda: not currency.is_zero(row["not_posted"])),
                ("history", lambda: once("history")),
                ("not_adjusted", lambda: once("not_adjusted")),
                ("draft_entries", lambda: self._link_exists(accounts, SQL(
                    "aml.parent_state != 'posted' AND %s", touches_range))),
                ("posting_date", lambda: self._link_exists(accounts, SQL(
                    "aml.parent_state = 'posted' AND NOT COALESCE(l.lock_date_moved, FALSE) AND %s != %s", svl_in, aml_in))),
                ("lock_date", lambda: self._link_exists(accounts, SQL(
                    "aml.parent_state = 'posted' AND COALESCE(l.lock_date_moved, FALSE) AND %s != %s", svl_in, aml_in))),
                ("odoo_switch_entry", lambda: once("odoo_switch_entry")),
                ("odoo_landed_cost_rounding", lambda: once("odoo_landed_cost_rounding")),
                ("landed_cost_sold_share", lambda: atype in ("overhead_applied", "cogs", "stock_output", "total")
                    and once("landed_cost_sold_share")),
                ("similar_accounts", lambda: atype != "total" and any(usage[a] > 1 for a in accounts)),
                ("setup_changed", lambda: setup_field and self._link_exists(None, SQL(
                    """aml.parent_state = 'posted' AND l.account_type = %s AND EXISTS (
                        SELECT 1 FROM stock_posting_setup s WHERE s.id = l.setup_id
                           AND s.%s IS NOT NULL AND s.%s != aml.account_id)""",
                    atype, SQL.identifier(setup_field), SQL.identifier(setup_field)))),
                ("direct_posting", lambda: not currency.is_zero(row["other_gl"])),
            ]
            for code, check in checks:
                if check():
                    row["warning_code"] = code
                    row["warning"] = WARNINGS[code][0]
                    break

    # ------------------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------------------
    def action_compute(self):
        """Compute the matrix into ``line_ids`` and show it."""
        self.ensure_one()
        self.line_ids.unlink()
        labels = dict(posting_plan.ACCOUNT_TYPES, total=_("Total"))
        self.line_ids = [(0, 0, dict(row, name=labels[row["account_type"]], sequence=index))
                         for index, row in enumerate(self.get_matrix())]
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "current", "name": _("Inventory - G/L Reconciliation")}

    def action_print(self):
        """The QWeb PDF of the matrix with every warning that fired."""
        self.ensure_one()
        return self.env.ref("stock_account_gl_reconciliation.action_report_inventory_gl_reconciliation").report_action(
            self, config=False)

    def _report_header_filters(self):
        self.ensure_one()
        parts = []
        if self.product_ids:
            parts.append(_("Products: %s", ", ".join(self.product_ids.mapped("display_name"))))
        if self.categ_ids:
            parts.append(_("Categories: %s", ", ".join(self.categ_ids.mapped("display_name"))))
        if self.warehouse_ids:
            parts.append(_("Warehouses: %s", ", ".join(self.warehouse_ids.mapped("display_name"))))
        return parts


class StockInventoryGlReconciliationMatrix(models.TransientModel):
    """One row of the on-screen matrix; every amount drills down to the records behind it."""

    _name = "stock.inventory.gl.reconciliation.matrix"
    _description = "Inventory - G/L Reconciliation Matrix Row"
    _order = "sequence"

    wizard_id = fields.Many2one("stock.inventory.gl.reconciliation", required=True, ondelete="cascade")
    sequence = fields.Integer()
    name = fields.Char("Account Type")
    account_type = fields.Char("Account Type Key")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    inventory = fields.Monetary("Inventory Ledger")
    not_posted = fields.Monetary("Not Posted")
    posted = fields.Monetary("Posted from Inventory")
    invoicing = fields.Monetary("Invoicing")
    other_gl = fields.Monetary("Other G/L")
    gl_total = fields.Monetary("G/L Total")
    difference = fields.Monetary("Difference")
    warning_code = fields.Selection(WARNING_CODES)
    warning = fields.Char("Warning")
    warning_help = fields.Text(compute="_compute_warning_help")

    def _compute_warning_help(self):
        for line in self:
            line.warning_help = WARNINGS[line.warning_code][1] if line.warning_code else False

    def _accounts(self):
        type_accounts = self.wizard_id._get_type_accounts()
        if self.account_type == "total":
            return sorted(set().union(*type_accounts.values()))
        return sorted(type_accounts[self.account_type])

    def _svl_domain(self):
        wizard = self.wizard_id
        domain = [("company_id", "=", wizard.company_id.id)]
        if wizard.date_from:
            domain.append(("posting_date", ">=", wizard.date_from))
        if wizard.date_to:
            domain.append(("posting_date", "<=", wizard.date_to))
        products = wizard._filtered_product_ids()
        if products is not None:
            domain.append(("product_id", "in", products))
        if wizard.warehouse_ids:
            domain.append(("warehouse_id", "in", wizard.warehouse_ids.ids))
        if self.account_type not in ("inventory", "total"):
            domain.append(("gl_counterpart_type", "=", self.account_type))
        return domain

    def _aml_domain(self):
        wizard = self.wizard_id
        domain = [("company_id", "=", wizard.company_id.id), ("account_id", "in", self._accounts())]
        if wizard.date_from:
            domain.append(("date", ">=", wizard.date_from))
        if wizard.date_to:
            domain.append(("date", "<=", wizard.date_to))
        return domain

    def _open(self, model, domain, name):
        return {"type": "ir.actions.act_window", "res_model": model, "view_mode": "list,form",
                "domain": domain, "name": "%s - %s" % (self.name, name), "context": {"create": False}}

    def action_open_inventory(self):
        self.ensure_one()
        return self._open("stock.valuation.layer", self._svl_domain(), _("Value Entries"))

    def action_open_not_posted(self):
        self.ensure_one()
        return self._open("stock.valuation.layer", self._svl_domain() + [("gl_state", "in", ("to_post", "partial"))],
                          _("Not Posted"))

    def action_open_posted(self):
        self.ensure_one()
        return self._open("account.move.line", self._aml_domain() + [
            ("parent_state", "=", "posted"), ("gl_linked", "=", True)], _("Posted from Inventory"))

    def action_open_invoicing(self):
        self.ensure_one()
        return self._open("account.move.line", self._aml_domain() + [
            ("parent_state", "=", "posted"), ("gl_linked", "=", False)] + self.wizard_id._invoicing_domain(),
            _("Invoicing"))

    def action_open_other_gl(self):
        self.ensure_one()
        return self._open("account.move.line", self._aml_domain() + [
            ("parent_state", "=", "posted"), ("gl_linked", "=", False), "!"] + self.wizard_id._invoicing_domain(),
            _("Other G/L"))

    def action_open_gl_total(self):
        self.ensure_one()
        return self._open("account.move.line", self._aml_domain() + [("parent_state", "=", "posted")], _("G/L Total"))

    def action_open_warning(self):
        """The warning's remedy: the posting wizard, the draft journal entries, or the journal items."""
        self.ensure_one()
        wizard = self.wizard_id
        if self.warning_code == "not_posted":
            return {"type": "ir.actions.act_window", "res_model": "stock.inventory.cost.post", "view_mode": "form",
                    "target": "new", "name": _("Post Inventory Cost to G/L"),
                    "context": {"default_company_id": wizard.company_id.id, "default_date_to": wizard.date_to}}
        if self.warning_code == "not_adjusted":
            return {"type": "ir.actions.act_window", "res_model": "stock.cost.adjust", "view_mode": "form",
                    "target": "new", "name": _("Adjust Cost – Item Entries"),
                    "context": {"default_company_id": wizard.company_id.id}}
        if self.warning_code == "draft_entries":
            moves = self.env["stock.valuation.layer.gl.link"].search([
                ("company_id", "=", wizard.company_id.id), ("move_line_id.parent_state", "!=", "posted"),
                ("move_line_id.account_id", "in", self._accounts())]).move_id
            return self._open("account.move", [("id", "in", moves.ids)], _("Draft Entries"))
        if self.warning_code == "direct_posting":
            return self.action_open_other_gl()
        if self.warning_code == "odoo_switch_entry":
            return self._open("account.move", [("id", "in", wizard._odoo_switch_entries().ids)],
                              _("Category Change Entries"))
        if self.warning_code == "history":
            return self._open("stock.valuation.layer", self._svl_domain() + [
                ("posting_date", "<", wizard.company_id.gl_post_cost_from), ("gl_state", "=", "not_to_post"),
                ("value", "!=", 0)], _("History Not Posted"))
        if self.warning_code == "landed_cost_sold_share":
            return self._open("stock.landed.cost", [("id", "in", wizard._landed_costs_without_sold_share().ids)],
                              _("Landed Costs"))
        if self.warning_code == "odoo_landed_cost_rounding":
            return self._open("account.move", [("id", "in", wizard._odoo_landed_cost_rounding_entries().ids)],
                              _("Landed Cost Entries"))
        return self.action_open_posted()
