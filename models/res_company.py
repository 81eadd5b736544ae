from datetime import timedelta

from odoo import fields, models

from . import cost_adjustment


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
    gl_automatic_cost_adjustment = fields.Selection(
        cost_adjustment.AUTOMATIC_ADJUSTMENT, "Automatic Cost Adjustment", default="never", required=True,
        help="Adjust costs as soon as a late cost arrives (landed cost after a delivery, back-dated average "
             "cost entry), when the entry it changes is dated no earlier than today minus this period "
             "(Business Central's horizon rule). Older changes wait for Adjust Cost – Item Entries.")
    gl_average_cost_period = fields.Selection(
        cost_adjustment.AVERAGE_COST_PERIODS, "Average Cost Period", default="transaction", required=True,
        help="Average-cost products. Per Transaction (default): Odoo's running average; Adjust Cost only "
             "forwards the sold share of late costs, so every figure equals Odoo's automated valuation. Day, "
             "Week, Month: Business Central's periodic average; once costs are adjusted, every outbound "
             "entry of the period carries the period's weighted average cost.")
    gl_automatic_cost_posting = fields.Selection(
        [("never", "Never"), ("scheduled", "With each scheduled run")],
        "Automatic Cost Posting (Manual Categories)", default="never", required=True,
        help="With each scheduled run, the 'Post Inventory Cost to G/L' scheduled action posts the queued "
             "value entries of manual-valuation categories, and Adjust Cost posts its adjustments.")
    gl_scheduled_posting_method = fields.Selection(
        [("per_posting_group", "Per Posting Group"), ("per_entry", "Per Entry")],
        "Scheduled Posting Method", default="per_posting_group", required=True)

    def write(self, vals):
        res = super().write(vals)
        if "gl_post_cost_from" in vals:
            # entries with nothing in the general ledger move in or out of the queue with the new date (one UPDATE
            # per company: the history can hold millions of entries)
            self.env["stock.valuation.layer"].sudo()._gl_fill_value_entry_fields(
                all_records=True, companies=self.sudo(), states=("to_post", "not_to_post"))
        return res

    def _gl_open_date(self, date, journal=None):
        """(first open date, violated lock dates): ``date`` itself when no lock date covers it, else the day
        after the latest lock date it violates (BC: Allow Posting From). Follows ``_get_violated_lock_dates``
        (without a journal: fiscal year and hard lock dates)."""
        self.ensure_one()
        violated = self._get_violated_lock_dates(date, False, journal)
        return (max(lock for lock, _name in violated) + timedelta(days=1) if violated else date), violated

    def _gl_first_open_date(self, date, cache=None):
        """``date``, or the first open date after the lock dates that cover it (adjustment entries)."""
        cache = {} if cache is None else cache
        key = (self.id, date)
        if key not in cache:
            cache[key] = self._gl_open_date(date)[0]
        return cache[key]
