from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    gl_post_cost_from = fields.Date(
        "Post Inventory Cost From",
        help="Value entries of manual-valuation categories dated before this date are 'not to post': "
             "years of history are not suddenly posted. Set at install to the install date.")
    gl_interim_accounting = fields.Boolean(
        "Interim Accounts for Manual Categories", default=True,
        help="Anglo-Saxon companies: vendor bills of storable products in manual-valuation categories post "
             "on Stock Input and customer invoices get COGS lines, exactly as for automated categories, so "
             "that Post Inventory Cost to G/L clears the interim accounts.")
    gl_lock_date_policy = fields.Selection(
        [("move", "Post on the first open date"), ("error", "Stop with an error")],
        "Locked Posting Dates", default="move", required=True,
        help="What Post Inventory Cost to G/L does with a value entry dated inside a lock date.")

    def write(self, vals):
        res = super().write(vals)
        if "gl_post_cost_from" in vals:
            # entries not yet posted move in or out of the queue with the new date
            self.env["stock.valuation.layer"].sudo().search([
                ("company_id", "in", self.ids), ("gl_state", "in", ("to_post", "not_to_post")),
                ("account_move_id", "=", False),
            ])._gl_fill_value_entry_fields()
        return res
