from odoo import api, fields, models
from odoo.tools import SQL

from . import posting_plan


class StockInventoryCostPostRun(models.Model):
    """A persisted Post Inventory Cost to G/L run (BC report 1002's register): who, when, parameters,
    created journal entries, posted value entries, totals per account type (signed, company currency)
    and the skipped entries with their reasons."""

    _name = "stock.inventory.cost.post.run"
    _description = "Post Inventory Cost to G/L Run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char("Reference", required=True, readonly=True)
    state = fields.Selection([("queued", "Queued"), ("running", "In Progress"), ("done", "Posted"),
                              ("nothing", "Nothing Posted")], required=True, readonly=True,
                             help="Queued / In Progress: a large run the scheduled action posts in the background, "
                                  "chunk by chunk.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", "Run by", readonly=True, default=lambda self: self.env.user)
    date_from = fields.Date(readonly=True)
    date_to = fields.Date(readonly=True)
    posting_method = fields.Selection(
        [("per_posting_group", "Per Posting Group"), ("per_entry", "Per Entry")], readonly=True)
    product_ids = fields.Many2many("product.product", string="Products", readonly=True)
    categ_ids = fields.Many2many("product.category", string="Product Categories", readonly=True)
    journal_id = fields.Many2one("account.journal", readonly=True,
                                 help="Journal of the created entries; empty = each category's stock journal.")
    to_post_count = fields.Integer("Entries to Post", readonly=True,
                                   help="A background run: the value entries waiting when it was started.")
    progress = fields.Float(compute="_compute_progress", help="Posted entries of a background run, in percent.")
    move_ids = fields.Many2many("account.move", string="Journal Entries", readonly=True)
    svl_ids = fields.Many2many(
        "stock.valuation.layer", string="Posted Value Entries", compute="_compute_svl_ids",
        help="The value entries this run posted (those with a G/L link of the run).")
    skipped_line_ids = fields.One2many("stock.inventory.cost.post.run.skipped", "run_id", "Skipped Entries",
                                       readonly=True)
    note = fields.Text("Notes", readonly=True, help="Lock-date moves and other remarks of the run.")
    move_count = fields.Integer(compute="_compute_counts")
    svl_count = fields.Integer("Posted Entries", readonly=True,
                               help="Number of value entries posted by the run, counted at posting.")
    skipped_count = fields.Integer(compute="_compute_counts")
    total_inventory = fields.Monetary("Inventory", readonly=True)
    total_stock_input = fields.Monetary("Stock Input (Invt. Accrual Interim)", readonly=True)
    total_stock_output = fields.Monetary("Stock Output (COGS Interim)", readonly=True)
    total_cogs = fields.Monetary("COGS", readonly=True)
    total_inventory_adjustment = fields.Monetary("Inventory Adjustment", readonly=True)
    total_purchase_variance = fields.Monetary("Purchase Variance", readonly=True)
    total_overhead_applied = fields.Monetary("Overhead Applied", readonly=True)
    total_wip = fields.Monetary("WIP Inventory", readonly=True)

    @api.depends("svl_count", "to_post_count", "skipped_line_ids")
    def _compute_progress(self):
        for run in self:
            handled = run.svl_count + len(run.skipped_line_ids)
            run.progress = min(100.0, 100.0 * handled / run.to_post_count) if run.to_post_count else 0.0

    def _compute_counts(self):
        for run in self:
            run.move_count = len(run.move_ids)
            run.skipped_count = len(run.skipped_line_ids)

    def _compute_svl_ids(self):
        """Value entries with an inventory G/L link of the run, one grouped query for all runs (no relation
        table of its own: posting writes one row less per value entry)."""
        rows = dict(self.env.execute_query(SQL("""
            SELECT run_id, array_agg(DISTINCT svl_id) FROM stock_valuation_layer_gl_link
             WHERE run_id = ANY(%s) AND account_type = 'inventory' GROUP BY run_id""", self.ids)))
        for run in self:
            run.svl_ids = self.env["stock.valuation.layer"].browse(rows.get(run.id, []))

    def _totals(self):
        """[(account type key, label, amount)] for the report."""
        self.ensure_one()
        labels = self.env["stock.valuation.layer.gl.link"]._account_type_labels()
        return [(key, labels[key], self["total_%s" % key]) for key in posting_plan.ACCOUNT_TYPE_KEYS]

    def action_open_moves(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "name": self.name, "res_model": "account.move",
                "views": [(self.env.ref("account.view_move_tree").id, "list"), (False, "form")],
                "domain": [("id", "in", self.move_ids.ids)]}

    def action_open_svls(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "name": self.name, "res_model": "stock.valuation.layer",
                "view_mode": "list,form", "domain": [("gl_link_ids.run_id", "=", self.id)]}


class StockInventoryCostPostRunSkipped(models.Model):
    _name = "stock.inventory.cost.post.run.skipped"
    _description = "Skipped Value Entry"
    _order = "id"

    run_id = fields.Many2one("stock.inventory.cost.post.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    svl_id = fields.Many2one("stock.valuation.layer", "Value Entry", required=True, ondelete="cascade")
    product_id = fields.Many2one(related="svl_id.product_id")
    posting_date = fields.Date(related="svl_id.posting_date")
    value = fields.Monetary(related="svl_id.value", currency_field="currency_id")
    currency_id = fields.Many2one(related="svl_id.currency_id")
    code = fields.Char()
    reason = fields.Text(required=True)
