from odoo import api, fields, models
from odoo.tools import SQL

from ..models import posting_plan


class StockInventoryGlReconciliationLineMixin(models.AbstractModel):
    """Fields and branch queries shared by the reconciliation analysis and its two branches."""

    _name = "stock.inventory.gl.reconciliation.line.mixin"
    _description = "Inventory - G/L Reconciliation Analysis (fields)"
    _order = "date desc"
    _depends = {
        "stock.valuation.layer": ["company_id", "product_id", "categ_id", "warehouse_id", "posting_date", "value",
                                  "gl_counterpart_type", "gl_expense_amount", "gl_state", "cost_posted_to_gl"],
        "account.move.line": ["company_id", "account_id", "product_id", "date", "balance", "parent_state", "move_id",
                              "gl_linked", "journal_id", "display_type"],
        "account.move": ["state"],
        "account.journal": ["type"],
        "stock.valuation.layer.gl.link": ["move_line_id", "svl_id", "account_type", "amount", "setup_id"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    account_type = fields.Selection(posting_plan.ACCOUNT_TYPES, readonly=True)
    account_id = fields.Many2one("account.account", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    date = fields.Date(readonly=True)
    source = fields.Selection([("inventory", "Inventory Ledger"), ("gl", "General Ledger")], readonly=True)
    svl_id = fields.Many2one("stock.valuation.layer", "Value Entry", readonly=True)
    move_line_id = fields.Many2one("account.move.line", "Journal Item", readonly=True)
    document = fields.Char(related="svl_id.gl_document")
    gl_state = fields.Selection(related="svl_id.gl_state")
    inventory_amount = fields.Monetary("Inventory Ledger", readonly=True)
    not_posted_amount = fields.Monetary(
        "Not Posted", readonly=True,
        help="The part of the inventory ledger amount still waiting for Post Inventory Cost to G/L.")
    gl_amount = fields.Monetary("G/L", readonly=True)
    invoicing_amount = fields.Monetary("Invoicing", readonly=True)
    difference = fields.Monetary(readonly=True)

    def action_open_value_entry(self):
        """A value-entry row opens its value entry (G/L status, General Ledger tab); a journal-item row its
        journal entry."""
        self.ensure_one()
        if self.svl_id:
            return self.svl_id.action_open_value_entry()
        return dict(self.move_line_id.move_id.get_formview_action(), target="current")

    def _inventory_branch_sql(self):
        """Value-entry rows: each value entry on the inventory type (+value) and on its counterpart type, and
        its expense transfer, if any, on the COGS type and its counterpart type; the part not posted yet as the
        matrix counts it (value - cost posted to G/L while queued; the expense transfer until the first posting)."""
        return SQL("""
            SELECT -(svl.id * 16 + side.slot) AS id, svl.company_id, cur.currency_id, side.account_type,
                   NULL::int AS account_id, svl.product_id, svl.categ_id, svl.warehouse_id, svl.posting_date AS date,
                   'inventory'::varchar AS source, svl.id AS svl_id, NULL::int AS move_line_id,
                   side.amount AS inventory_amount, side.queued AS not_posted_amount, 0::numeric AS gl_amount,
                   0::numeric AS invoicing_amount, -side.amount AS difference
              FROM stock_valuation_layer svl
              JOIN (SELECT id, currency_id FROM res_company) cur ON cur.id = svl.company_id
              CROSS JOIN LATERAL (SELECT CASE WHEN svl.gl_state IN ('to_post', 'partial')
                                              THEN svl.value - COALESCE(svl.cost_posted_to_gl, 0) ELSE 0 END AS value,
                                         CASE WHEN svl.gl_state = 'to_post'
                                              THEN COALESCE(svl.gl_expense_amount, 0) ELSE 0 END AS expense) q
              CROSS JOIN LATERAL (VALUES (0, 'inventory'::varchar, svl.value, q.value),
                                         (8, svl.gl_counterpart_type, -svl.value, -q.value),
                                         (4, 'cogs'::varchar, svl.gl_expense_amount, q.expense),
                                         (12, svl.gl_counterpart_type, -svl.gl_expense_amount, -q.expense))
                                   AS side(slot, account_type, amount, queued)
             WHERE svl.company_id = ANY(%(companies)s) AND side.account_type IS NOT NULL
               AND (side.slot IN (0, 8) OR COALESCE(side.amount, 0) != 0)
        """, companies=self.env.companies.ids)

    def _gl_branch_sql(self):
        """Journal-item rows: each posted item on an account of an account type (once per type)."""
        type_index = SQL("CASE ta.account_type %s END", SQL(" ").join(
            SQL("WHEN %s THEN %s", atype, index) for index, atype in enumerate(posting_plan.ACCOUNT_TYPE_KEYS)))
        return SQL("""
            WITH type_accounts(company_id, account_type, account_id) AS (%(type_accounts)s)
            SELECT aml.id * 16 + %(type_index)s AS id, aml.company_id, aml.company_currency_id AS currency_id,
                   ta.account_type, aml.account_id, aml.product_id, pt.categ_id, NULL::int AS warehouse_id,
                   aml.date, 'gl'::varchar AS source, NULL::int AS svl_id, aml.id AS move_line_id,
                   0::numeric AS inventory_amount, 0::numeric AS not_posted_amount, aml.balance AS gl_amount,
                   inv.amount AS invoicing_amount,
                   aml.balance - inv.amount AS difference
              FROM account_move_line aml
              JOIN type_accounts ta ON ta.account_id = aml.account_id AND ta.company_id = aml.company_id
              LEFT JOIN product_product pp ON pp.id = aml.product_id
              LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
              CROSS JOIN LATERAL (SELECT CASE WHEN aml.gl_linked THEN 0 ELSE (
                    -- only items not fed by value entries are classified (bills, invoices, manual entries)
                    SELECT CASE WHEN %(invoicing)s THEN aml.balance ELSE 0 END
                      FROM account_journal aj WHERE aj.id = aml.journal_id) END AS amount) inv
             WHERE aml.parent_state = 'posted' AND aml.company_id = ANY(%(companies)s)
        """, type_accounts=self._type_accounts_values(), companies=self.env.companies.ids, type_index=type_index,
             invoicing=self.env["stock.inventory.gl.reconciliation.engine"]._invoicing_sql())

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        # An analytical read over millions of rows: PostgreSQL's JIT compilation costs more than it saves
        # here (measured: 1.5 s of 2.6 s), hash aggregation needs more than the default work_mem, and the
        # web pivot sends these reads concurrently (see stock.valuation.layer._gl_set_session).
        self.env["stock.valuation.layer"]._gl_set_session("analytical", parallel=False)
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    @api.model
    def _type_accounts_values(self):
        """VALUES of (company, account type, account), once per cursor and set of companies: every grouped
        read of the pivot builds this query again."""
        self.env.flush_all()
        fingerprint = self.env.execute_query(SQL("""
            SELECT (SELECT max(id) FROM stock_valuation_layer_gl_link),
                   (SELECT max(write_date) FROM stock_posting_setup),
                   (SELECT max(write_date) FROM product_category),
                   (SELECT max(write_date) FROM stock_location WHERE usage IN ('inventory', 'production'))
        """))[0]
        key = ("stock_account_gl_reconciliation.type_accounts", tuple(self.env.companies.ids), fingerprint)
        cache = self.env.cr.cache
        if key not in cache:
            rows = []
            Setup = self.env["stock.posting.setup"]
            for company in self.env.companies:
                type_accounts = Setup._get_type_accounts(company)
                for atype, accounts in type_accounts.items():
                    rows += [(company.id, atype, account) for account in sorted(accounts)]
            cache[key] = rows
        rows = cache[key]
        if not rows:
            return SQL("SELECT NULL::int, NULL::varchar, NULL::int WHERE FALSE")
        return SQL("VALUES %s", SQL(", ").join(SQL("(%s, %s, %s)", *row) for row in rows))


class StockInventoryGlReconciliationLineInventory(models.Model):
    """The value-entry branch of the analysis, as its own SQL view (grouped reads run per branch)."""

    _name = "stock.inventory.gl.reconciliation.line.inventory"
    _inherit = "stock.inventory.gl.reconciliation.line.mixin"
    _description = "Inventory - G/L Reconciliation Analysis (inventory ledger)"
    _auto = False

    @property
    def _table_query(self):
        return self._inventory_branch_sql()


class StockInventoryGlReconciliationLineGl(models.Model):
    """The journal-item branch of the analysis, as its own SQL view."""

    _name = "stock.inventory.gl.reconciliation.line.gl"
    _inherit = "stock.inventory.gl.reconciliation.line.mixin"
    _description = "Inventory - G/L Reconciliation Analysis (general ledger)"
    _auto = False

    @property
    def _table_query(self):
        return self._gl_branch_sql()


class StockInventoryGlReconciliationLine(models.Model):
    """Inventory – G/L Reconciliation as an analysis model (pivot, graph, list).

    One row per value entry and account type it projects onto (source ``inventory``: the amount the posting
    plan posts on that type, signed, debit > 0) and per posted journal item on an account of an account type
    (source ``gl``). Measures: inventory amount, G/L amount, invoicing amount (unlinked bill/invoice lines)
    and difference = G/L - inventory - invoicing, as in the matrix.

    Grouped reads (pivot, graph) are answered by grouping each branch with Odoo's own ``_read_group`` and
    adding the groups up: PostgreSQL cannot push a GROUP BY into a UNION ALL, so this reads each table once
    with the aggregation next to it instead of materialising millions of union rows.
    """

    _name = "stock.inventory.gl.reconciliation.line"
    _inherit = "stock.inventory.gl.reconciliation.line.mixin"
    _description = "Inventory - G/L Reconciliation Analysis"
    _auto = False
    _BRANCHES = ("stock.inventory.gl.reconciliation.line.inventory", "stock.inventory.gl.reconciliation.line.gl")

    @property
    def _table_query(self):
        return SQL("(%s) UNION ALL (%s)", self._inventory_branch_sql(), self._gl_branch_sql())

    # grouped reads pushed down to the base tables: view field -> (value-entry field, journal-item field)
    _PUSHDOWN_FIELDS = {
        "company_id": ("company_id", "company_id"),
        "date": ("posting_date", "date"),
        "product_id": ("product_id", "product_id"),
        "warehouse_id": ("warehouse_id", None),
        "account_id": (None, "account_id"),
    }
    _PUSHDOWN_AGGREGATES = {"inventory_amount:sum", "gl_amount:sum", "invoicing_amount:sum", "difference:sum",
                            "__count"}

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        self.env["stock.valuation.layer"]._gl_set_session("analytical", parallel=False)
        # read_group() passes the groupby specs as order: the only order handled by the fast paths
        default_order = not order or [term.strip() for term in order.split(",")] == list(groupby)
        if having or offset or limit or not default_order:
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        totals = self._read_group_pushdown(domain, groupby, aggregates)
        if totals is None:
            totals = self._read_group_per_branch(domain, groupby, aggregates)
            if totals is None:
                return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

        def sort_key(key):
            # empty groups (False, None, empty recordsets) last, then by name or value
            return tuple((not value, (value.display_name or "") if isinstance(value, models.BaseModel)
                          else str(value)) for value in key)
        # sums of floats from two branches: drop binary noise (no "-0.00"); counts stay integers
        return [tuple(key) + tuple(round(v, 6) + 0.0 if isinstance(v, float) else v for v in totals[key])
                for key in sorted(totals, key=sort_key)]

    @api.model
    def _read_group_per_branch(self, domain, groupby, aggregates):
        """Group each branch view with Odoo's ``_read_group`` and add the groups up (sums and counts)."""
        if not all(agg == "__count" or agg.endswith(":sum") for agg in aggregates):
            return None
        n_keys = len(groupby)
        totals = {}
        for branch in self._BRANCHES:
            for row in self.env[branch]._read_group(domain, groupby, aggregates):
                key = row[:n_keys]
                values = [0.0 if value is None else value for value in row[n_keys:]]
                totals[key] = [a + b for a, b in zip(totals[key], values, strict=False)] if key in totals else values
        return totals

    @api.model
    def _read_group_pushdown(self, domain, groupby, aggregates):
        """Answer a grouped read from the base tables: value entries grouped by counterpart type and journal
        items grouped by account (with Odoo's ``_read_group`` on those models), expanded into account-type
        rows here. Handles conjunctions of simple conditions on the fields of ``_PUSHDOWN_FIELDS`` plus
        ``account_type`` / ``source``, group-bys on those, and sums/counts; returns None otherwise."""
        parsed = self._pushdown_parse(domain, groupby, aggregates)
        if parsed is None:
            return None
        specs, row_filters, leaves = parsed
        return self._pushdown_totals(self._pushdown_rows(specs, leaves), specs, row_filters, aggregates)

    @api.model
    def _pushdown_parse(self, domain, groupby, aggregates):
        """``(specs, row_filters, leaves)`` of a grouped read ``_read_group_pushdown`` can answer, else None:
        ``specs`` [(groupby spec, field, granularity)], ``row_filters`` the conditions on ``account_type`` /
        ``source`` (applied to the expanded rows), ``leaves`` the other conditions translated to the value
        entries (``inventory``) and the journal items (``gl``)."""
        if not set(aggregates) <= self._PUSHDOWN_AGGREGATES:
            return None
        specs = []
        for spec in groupby:
            fname, _sep, granularity = spec.partition(":")
            if fname not in self._PUSHDOWN_FIELDS and fname not in ("account_type", "source"):
                return None
            specs.append((spec, fname, granularity))
        row_filters, leaves = [], {"inventory": [], "gl": []}
        for leaf in domain:
            if not isinstance(leaf, list | tuple) or len(leaf) != 3:
                return None  # operators ('|', '!') and special leaves: not handled here
            fname, operator, value = leaf
            if fname in ("account_type", "source"):
                if operator not in ("=", "!=", "in", "not in"):
                    return None
                row_filters.append((fname, operator, value))
                continue
            if fname not in self._PUSHDOWN_FIELDS:
                return None
            svl_field, aml_field = self._PUSHDOWN_FIELDS[fname]
            if svl_field is None or aml_field is None:
                return None
            leaves["inventory"].append((svl_field, operator, value))
            leaves["gl"].append((aml_field, operator, value))
        return specs, row_filters, leaves

    @api.model
    def _pushdown_rows(self, specs, leaves):
        """The account-type rows (dicts) of ``_read_group_pushdown``: per group of value entries one row on the
        inventory type and one on the counterpart type; per group of journal items one row per account type of
        its account."""

        def base_groupby(index):
            result = []
            for _spec, fname, granularity in specs:
                base = self._PUSHDOWN_FIELDS.get(fname, (None, None))[index]
                if base:
                    result.append("%s:%s" % (base, granularity) if granularity else base)
            return result

        companies = self.env.companies
        rows = []
        # value entries: one row on the inventory type and one on the counterpart type, and their expense transfer
        # (gl_expense_amount) from the counterpart type to COGS, as the matrix and the SQL view count them
        svl_groupby = base_groupby(0)
        SVL = self.env["stock.valuation.layer"].sudo()
        svl_domain = leaves["inventory"] + [("company_id", "in", companies.ids)]
        for expense, domain, aggregate in ((False, svl_domain, "value:sum"),
                                           (True, svl_domain + [("gl_expense_amount", "!=", 0)],
                                            "gl_expense_amount:sum")):
            for group in SVL._read_group(domain, ["gl_counterpart_type"] + svl_groupby, [aggregate, "__count"]):
                ctype, values = group[0], dict(zip(svl_groupby, group[1:-2], strict=False))
                amount, count = group[-2] or 0.0, group[-1]
                sides = (("cogs", amount), (ctype, -amount)) if expense else (("inventory", amount), (ctype, -amount))
                for atype, side_amount in sides:
                    if atype:
                        rows.append(dict(values, account_type=atype, source="inventory", inventory_amount=side_amount,
                                         gl_amount=0.0, invoicing_amount=0.0, difference=-side_amount,
                                         __count=count))
        # journal items on the accounts of each account type (an account of several types: once per type)
        Engine = self.env["stock.inventory.gl.reconciliation.engine"]
        aml_groupby = [spec for spec in base_groupby(1) if spec != "account_id"]  # always grouped first
        AML = self.env["account.move.line"].sudo()
        for company in companies:
            type_accounts = self.env["stock.posting.setup"]._get_type_accounts(company)
            types_of = {}
            for atype, accounts in type_accounts.items():
                for account in accounts:
                    types_of.setdefault(account, []).append(atype)
            if not types_of:
                continue
            base_domain = leaves["gl"] + [("company_id", "=", company.id), ("parent_state", "=", "posted"),
                                          ("account_id", "in", list(types_of))]
            invoicing = {tuple(g[:-1]): g[-1] for g in AML._read_group(
                base_domain + [("gl_linked", "!=", True)] + Engine._invoicing_domain(),
                ["account_id"] + aml_groupby, ["balance:sum"])}
            for group in AML._read_group(base_domain, ["account_id"] + aml_groupby, ["balance:sum", "__count"]):
                account, balance, count = group[0], group[-2] or 0.0, group[-1]
                inv = invoicing.get(tuple(group[:-2]), 0.0) or 0.0
                values = dict(zip(aml_groupby, group[1:-2], strict=False))
                for atype in types_of[account.id]:
                    rows.append(dict(values, account_type=atype, source="gl", account_id=account.with_env(self.env),
                                     inventory_amount=0.0, gl_amount=balance, invoicing_amount=inv,
                                     difference=balance - inv, __count=count))
        return rows

    @api.model
    def _pushdown_totals(self, rows, specs, row_filters, aggregates):
        """Sum the ``rows`` of ``_pushdown_rows`` that pass ``row_filters`` into ``{group key: [aggregates]}``."""

        def keep(row):
            for fname, operator, value in row_filters:
                values = value if isinstance(value, list | tuple) else [value]
                inside = row[fname] in values
                if inside != (operator in ("=", "in")):
                    return False
            return True

        empty = {"account_id": self.env["account.account"], "warehouse_id": self.env["stock.warehouse"]}
        totals = {}
        for row in rows:
            if not keep(row):
                continue
            key = []
            for _spec, fname, granularity in specs:
                if fname in ("account_type", "source"):
                    key.append(row[fname])
                    continue
                base = self._PUSHDOWN_FIELDS[fname][0 if row["source"] == "inventory" else 1]
                base_spec = ("%s:%s" % (base, granularity) if granularity else base) if base else None
                value = row.get(base_spec) if base_spec else empty.get(fname, False)
                if fname == "account_id" and row["source"] == "gl":
                    value = row["account_id"]
                if isinstance(value, models.BaseModel):
                    value = value.with_env(self.env)
                key.append(value)
            key = tuple(key)
            values = [row[agg if agg == "__count" else agg.split(":")[0]] for agg in aggregates]
            totals[key] = [a + b for a, b in zip(totals[key], values, strict=False)] if key in totals else values
        return totals
