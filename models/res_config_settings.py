from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    gl_post_cost_from = fields.Date(related="company_id.gl_post_cost_from", readonly=False)
    gl_interim_accounting = fields.Boolean(related="company_id.gl_interim_accounting", readonly=False)
    gl_lock_date_policy = fields.Selection(related="company_id.gl_lock_date_policy", readonly=False)
    gl_automatic_cost_adjustment = fields.Selection(related="company_id.gl_automatic_cost_adjustment",
                                                    readonly=False)
    gl_average_cost_period = fields.Selection(related="company_id.gl_average_cost_period", readonly=False)
    gl_automatic_cost_posting = fields.Selection(related="company_id.gl_automatic_cost_posting", readonly=False)
    gl_scheduled_posting_method = fields.Selection(related="company_id.gl_scheduled_posting_method",
                                                   readonly=False)
