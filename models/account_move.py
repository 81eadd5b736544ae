from odoo import _, models, fields


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # Journal entries of Odoo's real-time valuation (and any other entry linked to value entries
        # through ``stock_valuation_layer_ids``) count as posted: link them to their value entries.
        svls = posted.sudo().stock_valuation_layer_ids
        if svls:
            self.env["stock.valuation.layer"].sudo()._gl_sync_native_postings(svl_ids=svls.ids)
        return posted


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    gl_link_ids = fields.One2many("stock.valuation.layer.gl.link", "move_line_id", "Value Entry Links", readonly=True)

    def _eligible_for_cogs(self):
        """Storable products of manual-valuation categories get Anglo-Saxon interim accounting (bills on
        Stock Input, COGS lines on invoices) like automated ones when the company posts their cost with
        this module (``gl_interim_accounting``), so both modes end with the same balances."""
        eligible = super()._eligible_for_cogs()
        if eligible or not self.product_id.is_storable:
            return eligible
        company = self.move_id.company_id or self.company_id
        return (self.product_id.with_company(company).valuation == "manual_periodic"
                and company.gl_interim_accounting)

    def action_open_value_entries(self):
        """Drill down: the value entries that fed these journal items (G/L links)."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Value Entries"),
            "res_model": "stock.valuation.layer",
            "view_mode": "list,form",
            "domain": [("id", "in", self.gl_link_ids.svl_id.ids)],
            "context": {"create": False},
        }
