from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from . import posting_plan

# Odoo's own account for an account type on a product category (fields of stock_account, purchase_stock
# and mrp_account; those of modules not installed are skipped). Read by Suggest accounts and by the
# reconciliation's account sets.
CATEGORY_ACCOUNT_FIELDS = {
    "inventory": "property_stock_valuation_account_id",
    "stock_input": "property_stock_account_input_categ_id",
    "stock_output": "property_stock_account_output_categ_id",
    "cogs": "property_account_expense_categ_id",
    "purchase_variance": "property_account_creditor_price_difference_categ",
    "wip": "property_stock_account_production_cost_id",
}


class StockPostingSetup(models.Model):
    """Posting setup (BC's Inventory Posting Setup + General Posting Setup, adapted).

    One row per (company, optional warehouse, optional internal location, optional product category)
    holding one account per account type. Resolution (``_gl_best_row``): among the active rows that
    match an entry and set the account of the wanted type, the most specific wins (location >
    warehouse > company-wide, then category-specific > any category). With no such row, Odoo's own
    resolution applies unchanged.
    """

    _name = "stock.posting.setup"
    _description = "Inventory Posting Setup"
    _order = "company_id, warehouse_id, location_id, categ_id, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    warehouse_id = fields.Many2one("stock.warehouse", check_company=True, ondelete="restrict")
    location_id = fields.Many2one(
        "stock.location", check_company=True, ondelete="restrict",
        domain="[('usage', 'in', ('internal', 'transit'))]")
    categ_id = fields.Many2one("product.category", "Product Category", ondelete="restrict")
    inventory_account_id = fields.Many2one("account.account", check_company=True)
    stock_input_account_id = fields.Many2one("account.account", check_company=True)
    stock_output_account_id = fields.Many2one("account.account", check_company=True)
    cogs_account_id = fields.Many2one("account.account", "COGS Account", check_company=True)
    inventory_adjustment_account_id = fields.Many2one("account.account", check_company=True)
    purchase_variance_account_id = fields.Many2one("account.account", check_company=True)
    overhead_applied_account_id = fields.Many2one("account.account", check_company=True)
    wip_account_id = fields.Many2one("account.account", "WIP Account", check_company=True)
    used_count = fields.Integer("Posted Entries", compute="_compute_used_count")

    _sql_constraints = [
        ("unique_key", "unique NULLS NOT DISTINCT (company_id, warehouse_id, location_id, categ_id)",
         "There is already a posting setup row for this company, warehouse, location and category."),
    ]

    @api.model
    def _account_field(self, account_type):
        if account_type not in posting_plan.ACCOUNT_TYPE_KEYS:
            raise ValueError(account_type)
        return "%s_account_id" % account_type

    @api.depends("company_id", "warehouse_id", "location_id", "categ_id")
    def _compute_name(self):
        for row in self:
            parts = [row.location_id.complete_name or row.warehouse_id.name or _("All locations"),
                     row.categ_id.complete_name or _("All categories")]
            row.name = " / ".join(p for p in parts if p)

    def _compute_used_count(self):
        counts = dict(self.env["stock.valuation.layer.gl.link"]._read_group(
            [("setup_id", "in", self.ids)], ["setup_id"], ["svl_id:count_distinct"]))
        for row in self:
            row.used_count = counts.get(row, 0)

    @api.constrains("location_id", "warehouse_id")
    def _check_location_warehouse(self):
        for row in self:
            if row.location_id and row.warehouse_id and row.location_id.warehouse_id != row.warehouse_id:
                raise ValidationError(_(
                    "Location %(loc)s is not in warehouse %(wh)s (posting setup %(row)s).",
                    loc=row.location_id.display_name, wh=row.warehouse_id.display_name, row=row.display_name))

    def _gl_best_row(self, company, warehouse, location, categ, account_type):
        """The most specific row of ``self`` matching the entry that sets ``account_type``'s account
        (any row when ``account_type`` is None). Returns an empty recordset when none matches."""
        best, best_score = self.browse(), None
        fname = self._account_field(account_type) if account_type else None
        for row in self:
            if not row.active or row.company_id != company:
                continue
            if row.warehouse_id and row.warehouse_id != warehouse:
                continue
            if row.location_id and not (location and location.parent_path.startswith(row.location_id.parent_path)):
                continue
            if row.categ_id and not (categ and categ.parent_path.startswith(row.categ_id.parent_path)):
                continue
            if fname and not row[fname]:
                continue
            score = (len(row.location_id.parent_path or ""), bool(row.warehouse_id),
                     len(row.categ_id.parent_path or ""))
            if best_score is None or score > best_score:
                best, best_score = row, score
        return best

    @api.model
    def _gl_place(self, company, warehouse_id, location_id, categ_id, cache):
        """The *place* (README, "Transfer value entries") of a value entry of ``company`` in warehouse, location
        and product category of these ids (each may be False): ``(warehouse id or False, inventory account id)``,
        the account of the most specific posting setup row setting the inventory account, else the category's
        stock valuation account (Odoo's), False when neither has one. ``cache``: a dict kept by the caller (the
        company's rows read once, one resolution per key)."""
        key = ("place", company.id, warehouse_id or False, location_id or False, categ_id or False)
        if key not in cache:
            rows_key = ("setup_rows", company.id)
            if rows_key not in cache:
                cache[rows_key] = self.sudo().search([("company_id", "=", company.id)])
            categ = self.env["product.category"].browse(categ_id)
            best = cache[rows_key]._gl_best_row(company, self.env["stock.warehouse"].browse(warehouse_id),
                                                self.env["stock.location"].browse(location_id), categ, "inventory")
            cache[key] = (warehouse_id or False, best.inventory_account_id.id if best else
                          categ.with_company(company).property_stock_valuation_account_id.id)
        return cache[key]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        used = self.filtered("used_count")
        if used:
            raise UserError(_(
                "Posting setup %s was used by posted value entries and cannot be deleted: archive it instead.",
                ", ".join(used.mapped("display_name"))))

    @api.model
    def _category_accounts(self, categ):
        """{account type: account} Odoo itself uses for ``categ`` (in the environment's company)."""
        return {atype: categ[fname] for atype, fname in CATEGORY_ACCOUNT_FIELDS.items()
                if categ and fname in categ._fields and categ[fname]}

    @api.model
    def _get_type_accounts(self, company):
        """{account type: set of account ids} whose balance the reconciliation compares for ``company``, one
        key per account type of ``posting_plan.ACCOUNT_TYPE_KEYS``: every account the G/L links of that type
        used, every account of the posting setup for that type, and Odoo's own accounts for it (category
        valuation/input/output/expense/price-difference accounts, inventory and production location
        accounts)."""
        accounts = defaultdict(set)
        # accounts the links used, except those a posting setup row mapped and maps to another account now (BC: the
        # reconciliation follows the current setup; the 'setup_changed' warning explains the gap). The
        # distinct (type, account, setup) triples come from a skip scan over the link index: a handful of
        # index probes instead of a pass over millions of links.
        setup_account = SQL("CASE d.account_type %s END", SQL(" ").join(
            SQL("WHEN %s THEN s.%s", atype, SQL.identifier(self._account_field(atype)))
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
             WHERE d.account_id IS NOT NULL
               -- a row that set no account of the type left Odoo's own account
               AND (s.id IS NULL OR %(setup_account)s IS NULL OR %(setup_account)s = d.account_id)
        """, company=company.id, setup_account=setup_account))
        for atype, account_id in rows:
            accounts[atype].add(account_id)
        setup_rows = self.with_context(active_test=False).search([("company_id", "=", company.id)])
        for source in (setup_rows._gl_row_accounts(), self._gl_odoo_type_accounts(company)):
            for atype, ids in source.items():
                accounts[atype] |= ids
        return {atype: accounts.get(atype, set()) for atype in posting_plan.ACCOUNT_TYPE_KEYS}

    def _gl_row_accounts(self):
        """{account type: set of account ids} set by these posting setup rows."""
        accounts = defaultdict(set)
        for row in self:
            for atype in posting_plan.ACCOUNT_TYPE_KEYS:
                account = row[self._account_field(atype)]
                if account:
                    accounts[atype].add(account.id)
        return accounts

    @api.model
    def _gl_odoo_type_accounts(self, company):
        """{account type: set of account ids} of Odoo's own resolution in ``company``: the product categories'
        accounts (``CATEGORY_ACCOUNT_FIELDS``), the inventory (adjustment) and production (WIP) locations' and the
        company's WIP account (Odoo's WIP accounting)."""
        accounts = defaultdict(set)
        for categ in self.env["product.category"].with_company(company).search([]):
            for atype, account in self._category_accounts(categ).items():
                accounts[atype].add(account.id)
        for loc in self.env["stock.location"].search([
                ("usage", "in", ("inventory", "production")), ("company_id", "in", (company.id, False))]):
            atype = "wip" if loc.usage == "production" else "inventory_adjustment"
            for account in (loc.valuation_in_account_id, loc.valuation_out_account_id):
                if account and company in account.company_ids:
                    accounts[atype].add(account.id)
        # the WIP account of Odoo's WIP accounting (mrp_account's wizard; the field is stock_account's)
        if company.account_production_wip_account_id:
            accounts["wip"].add(company.account_production_wip_account_id.id)
        return accounts

    @api.model
    def _gl_warehouse_accounts(self, company, warehouses):
        """{account type: set of account ids} for the account types whose general ledger can be split to
        ``warehouses`` (BC greys out the G/L columns of a location filter otherwise): each of the warehouses has
        an active posting setup row of its own (no location, no category) setting the type's account, and no
        account of those warehouses' rows (their locations' rows included) is used elsewhere: by another row,
        a product category, a location, or a G/L link of a value entry outside the warehouses. The types
        missing from the result cannot be split."""
        rows = self.sudo().with_context(active_test=False).search([("company_id", "=", company.id)])
        inside = rows.filtered(lambda row: (row.warehouse_id or row.location_id.warehouse_id) in warehouses)
        used_elsewhere = set().union(*(rows - inside)._gl_row_accounts().values(),
                                     *self._gl_odoo_type_accounts(company).values())
        own_accounts = inside._gl_row_accounts()
        result = {}
        for atype in posting_plan.ACCOUNT_TYPE_KEYS:
            fname = self._account_field(atype)
            own = own_accounts.get(atype, set())
            covered = all(inside.filtered(lambda row, wh=warehouse: row.active and row.warehouse_id == wh
                                          and not row.location_id and not row.categ_id and row[fname])
                          for warehouse in warehouses)
            if not (own and covered) or own & used_elsewhere:
                continue
            if not self.env.execute_query(SQL("""
                    SELECT 1 FROM stock_valuation_layer_gl_link l JOIN stock_valuation_layer svl ON svl.id = l.svl_id
                     WHERE l.company_id = %s AND l.account_type = %s AND l.account_id = ANY(%s)
                       AND (svl.warehouse_id IS NULL OR svl.warehouse_id != ALL(%s))
                     LIMIT 1""", company.id, atype, sorted(own), warehouses.ids)):
                result[atype] = own
        return result

    def action_suggest_accounts(self):
        """Fill the empty accounts of this row with the accounts Odoo posts to today (``stock.move``'s
        ``_get_src_account`` / ``_get_dest_account``, mrp_account's production account), so that saving the row
        changes nothing in the postings: the category's (or the default category's) stock valuation, input,
        output, expense and price difference accounts; for work in process the production location's account,
        else the category's production account, else stock output; for inventory adjustments the inventory-loss
        location's account when it has one for both directions. Overhead applied stays empty: Odoo posts a landed
        cost on the account of each of its cost lines, which no row can name. Inventory adjustments stay empty too
        when the loss location has no account (Odoo then posts increases on stock input and decreases on stock
        output).

        :return: a notification naming the account types left empty and why
        """
        left_empty = {}
        for row in self:
            categ = row.categ_id or self.env.ref("product.product_category_all", raise_if_not_found=False)
            categ = categ.with_company(row.company_id) if categ else categ
            company = row.company_id
            locations = {usage: self.env["stock.location"].search([
                ("usage", "=", usage), ("scrap_location", "=", False),
                ("company_id", "in", [company.id, False])], order="company_id", limit=1)
                for usage in ("inventory", "production")}
            suggestions = self._category_accounts(categ)
            loss = locations["inventory"]
            suggestions.update(
                wip=locations["production"].valuation_in_account_id or suggestions.get("wip")
                or suggestions.get("stock_output"),
                inventory_adjustment=loss.valuation_in_account_id if loss.valuation_in_account_id and (
                    loss.valuation_out_account_id in (loss.valuation_in_account_id, self.env["account.account"]))
                else False,
            )
            vals = {}
            for atype, account in suggestions.items():
                fname = self._account_field(atype)
                if not row[fname] and account:
                    vals[fname] = account.id
            row.write(vals)
            if not row.overhead_applied_account_id:
                left_empty["overhead_applied"] = _("landed costs post on the account of each of their cost lines")
            if not row.inventory_adjustment_account_id:
                left_empty["inventory_adjustment"] = _(
                    "the inventory-loss location has no account of its own: Odoo posts increases on Stock Input and "
                    "decreases on Stock Output")
        labels = self.env["stock.valuation.layer.gl.link"]._account_type_labels()
        message = _("Accounts filled with those Odoo posts to today.")
        if left_empty:
            message += " " + _("Left empty, so that Odoo's own account keeps applying: %s.", "; ".join(
                "%s (%s)" % (labels[atype], reason) for atype, reason in left_empty.items()))
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "title": _("Suggest Accounts"), "message": message, "type": "info", "sticky": bool(left_empty),
            "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}
