from odoo import fields, models


class StockCostAdjustRun(models.Model):
    """One run of Adjust Cost – Item Entries (BC report 795 / codeunit 5895) and its result.

    A record only: the engine (``stock.cost.adjust.engine._adjust``) forwards late costs to outbound value
    entries as new adjustment entries and leaves one of these records per run: what it adjusted, the entries
    it created, the total forwarded and the G/L posting of the adjustments.
    """

    _name = "stock.cost.adjust.run"
    _description = "Adjust Cost – Item Entries Run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    trigger = fields.Selection(
        [("manual", "Manual"), ("scheduled", "Scheduled Action"), ("automatic", "Automatic")],
        required=True, readonly=True)
    state = fields.Selection([("done", "Adjusted"), ("nothing", "Nothing to Adjust")], readonly=True)
    product_count = fields.Integer("Products Adjusted", readonly=True)
    entry_count = fields.Integer("Entries Created", readonly=True)
    total_forwarded = fields.Monetary(readonly=True, currency_field="currency_id",
                                      help="Sum of the adjustment entries' values (company currency).")
    currency_id = fields.Many2one(related="company_id.currency_id")
    svl_ids = fields.Many2many("stock.valuation.layer", string="Adjustment Entries", readonly=True)
    product_ids = fields.Many2many("product.product", string="Products", readonly=True)
    post_run_id = fields.Many2one("stock.inventory.cost.post.run", "G/L Posting", readonly=True)
    note = fields.Text(readonly=True)
