from odoo import api, fields, models
from odoo.tools import SQL

from ..models import posting_plan


class StockInventoryGlReconciliationLine(models.Model):
    """Inventory – G/L Reconciliation as an analysis model (pivot, graph).

    One row per value entry and account type it projects onto (source ``inventory``: the amount the posting
    plan posts on that type, signed, debit > 0) and per posted journal item on an account of an account type
    (source ``gl``). Measures: inventory amount, G/L amount, invoicing amount (unlinked bill/invoice lines)
    and difference = G/L - inventory - invoicing, as in the matrix.
    """

    _name = "stock.inventory.gl.reconciliation.line"
    _description = "Inventory - G/L Reconciliation Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "stock.valuation.layer": ["company_id", "product_id", "categ_id", "warehouse_id", "posting_date", "value",
                                  "gl_counterpart_type"],
        "account.move.line": ["company_id", "account_id", "product_id", "date", "balance", "parent_state", "move_id"],
        "account.move": ["move_type", "state"],
        "stock.valuation.layer.gl.link": ["move_line_id", "svl_id", "account_type", "amount", "setup_id"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    account_type = fields.Selection(posting_plan.ACCOUNT_TYPES, readonly=True)
    account_id = fields.Many2one("account.account", "Account", readonly=True)
    product_id = fields.Many2one("product.product", "Product", readonly=True)
    categ_id = fields.Many2one("product.category", "Product Category", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", "Warehouse", readonly=True)
    date = fields.Date(readonly=True)
    source = fields.Selection([("inventory", "Inventory Ledger"), ("gl", "General Ledger")], readonly=True)
    svl_id = fields.Many2one("stock.valuation.layer", "Value Entry", readonly=True)
    move_line_id = fields.Many2one("account.move.line", "Journal Item", readonly=True)
    inventory_amount = fields.Monetary("Inventory Ledger", readonly=True)
    gl_amount = fields.Monetary("G/L", readonly=True)
    invoicing_amount = fields.Monetary("Invoicing", readonly=True)
    difference = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        return SQL("""
            WITH type_accounts(company_id, account_type, account_id) AS (%(type_accounts)s)
            SELECT row_number() OVER () AS id, u.*, u.gl_amount - u.inventory_amount - u.invoicing_amount AS difference
              FROM (
                SELECT svl.company_id, c.currency_id, 'inventory'::varchar AS account_type, NULL::int AS account_id,
                       svl.product_id, svl.categ_id, svl.warehouse_id, svl.posting_date AS date,
                       'inventory'::varchar AS source, svl.id AS svl_id, NULL::int AS move_line_id,
                       svl.value AS inventory_amount, 0::numeric AS gl_amount, 0::numeric AS invoicing_amount
                  FROM stock_valuation_layer svl JOIN res_company c ON c.id = svl.company_id
                 WHERE svl.company_id = ANY(%(companies)s)
                UNION ALL
                SELECT svl.company_id, c.currency_id, svl.gl_counterpart_type, NULL,
                       svl.product_id, svl.categ_id, svl.warehouse_id, svl.posting_date,
                       'inventory', svl.id, NULL, -svl.value, 0, 0
                  FROM stock_valuation_layer svl JOIN res_company c ON c.id = svl.company_id
                 WHERE svl.company_id = ANY(%(companies)s) AND svl.gl_counterpart_type IS NOT NULL
                UNION ALL
                SELECT aml.company_id, aml.company_currency_id, ta.account_type, aml.account_id,
                       aml.product_id, pt.categ_id, NULL, aml.date, 'gl', NULL, aml.id,
                       0, aml.balance,
                       CASE WHEN am.move_type != 'entry' AND NOT EXISTS (
                                SELECT 1 FROM stock_valuation_layer_gl_link l WHERE l.move_line_id = aml.id)
                            THEN aml.balance ELSE 0 END
                  FROM account_move_line aml
                  JOIN type_accounts ta ON ta.account_id = aml.account_id AND ta.company_id = aml.company_id
                  JOIN account_move am ON am.id = aml.move_id
                  LEFT JOIN product_product pp ON pp.id = aml.product_id
                  LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE aml.parent_state = 'posted'
              ) u
        """, type_accounts=self._type_accounts_values(), companies=self.env.companies.ids)

    @api.model
    def _type_accounts_values(self):
        rows = []
        Wizard = self.env["stock.inventory.gl.reconciliation"]
        for company in self.env.companies:
            for atype, accounts in Wizard.new({"company_id": company.id})._get_type_accounts().items():
                rows += [SQL("(%s, %s, %s)", company.id, atype, account) for account in sorted(accounts)]
        return SQL("VALUES %s", SQL(", ").join(rows)) if rows else SQL(
            "SELECT NULL::int, NULL::varchar, NULL::int WHERE FALSE")
