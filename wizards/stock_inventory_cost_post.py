from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..models.stock_inventory_cost_post_engine import PostingRequest


class StockInventoryCostPost(models.TransientModel):
    """Post Inventory Cost to G/L (BC report 1002) and its test report (BC report 1003): the parameters and
    the buttons. The work is done by ``stock.inventory.cost.post.engine``, which the scheduled action and
    Adjust Cost call too."""

    _name = "stock.inventory.cost.post"
    _inherit = "stock.gl.filter.mixin"
    _description = "Post Inventory Cost to G/L"
    _check_company_auto = True

    date_from = fields.Date("Posting Date From")
    date_to = fields.Date("Posting Date To")
    posting_method = fields.Selection(
        [("per_posting_group", "Per Posting Group"), ("per_entry", "Per Entry")],
        required=True, default="per_posting_group")
    reference = fields.Char(
        "Document Reference",
        help="Reference of the journal entries when posting per posting group (default: next number of "
             "the 'Inventory Cost Posting' sequence). Not allowed per entry: each entry keeps its own.")
    journal_id = fields.Many2one(
        "account.journal", check_company=True, domain="[('type', '=', 'general')]",
        help="Journal of the created entries; empty = each category's stock journal.")
    post = fields.Boolean(default=True, help="Unchecked: preview only, nothing is written.")
    show_only_warnings = fields.Boolean()
    waiting_count = fields.Integer("Entries Waiting", compute="_compute_waiting",
                                   help="Value entries of these filters whose cost is not (fully) posted yet.")
    waiting_amount = fields.Monetary("Amount Waiting", compute="_compute_waiting",
                                     help="Cost of those entries not yet in the general ledger.")
    waiting_oldest = fields.Date("Oldest Posting Date", compute="_compute_waiting")
    background = fields.Boolean(compute="_compute_waiting",
                                help="So many entries wait that the run goes on in the background.")

    @api.depends("company_id", "date_from", "date_to", "product_ids", "categ_ids", "posting_method")
    def _compute_waiting(self):
        """What waits for posting under the filters (``stock.inventory.cost.post.engine._queue_summary``)."""
        engine = self.env["stock.inventory.cost.post.engine"]
        threshold = engine._background_threshold()
        for wizard in self:
            if not wizard.company_id or (wizard.date_from and wizard.date_to and wizard.date_from > wizard.date_to):
                wizard.update({"waiting_count": 0, "waiting_amount": 0.0, "waiting_oldest": False,
                               "background": False})
                continue
            count, amount, oldest = engine._queue_summary(wizard._posting_request())
            wizard.update({"waiting_count": count, "waiting_amount": amount, "waiting_oldest": oldest,
                           "background": count >= threshold})

    @api.onchange("posting_method")
    def _onchange_posting_method(self):
        if self.posting_method == "per_entry":
            self.reference = False

    def _posting_request(self):
        """This wizard's parameters as the engine's ``PostingRequest``."""
        self.ensure_one()
        return PostingRequest(
            company=self.company_id, posting_method=self.posting_method, date_from=self.date_from or None,
            date_to=self.date_to or None, products=self.product_ids, categories=self.categ_ids,
            journal=self.journal_id, reference=self.reference or "")

    def action_run(self):
        """Post (or, with Post unchecked, preview) inventory cost to G/L.

        :return: the run record's form action when posting (a notification when nothing waits for posting); from
            ``_background_threshold`` entries waiting, the run is queued (state "Queued") and posted in the background
            by the scheduled action, its form showing the progress; the test report action when previewing
        :raise AccessError: for users outside Accounting ▸ Administrator
        :raise UserError: reference given per entry, dates inverted, another run in progress, or a locked
            posting date with the "Stop with an error" policy (nothing is posted in every case)
        """
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_manager"):
            raise AccessError(_("Only accounting administrators can post inventory cost to the general ledger."))
        engine = self.env["stock.inventory.cost.post.engine"]
        request = self._posting_request()
        engine._check_request(request)
        if not self.post:
            return self.action_print_test_report()
        if self.background:
            # a request would outlive the HTTP worker (limit_time_real): the scheduled action posts it in chunks
            run = engine._queue_run(request, self.waiting_count)
        else:
            run = engine._post(request)
        if not run:
            return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                "title": _("Nothing to post"), "type": "info", "sticky": False,
                "message": _("No value entry of these filters waits for posting: their cost is in the general "
                             "ledger already."),
            }}
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.inventory.cost.post.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }

    def _get_test_report_data(self):
        """Data of the test report for this wizard's parameters (``stock.inventory.cost.post.engine.
        _test_report_data``); nothing is written."""
        self.ensure_one()
        return self.env["stock.inventory.cost.post.engine"]._test_report_data(self._posting_request())

    def action_print_test_report(self):
        """Print the test report (QWeb PDF); nothing is written."""
        self.ensure_one()
        # internal layout: no need to ask for the company document layout first
        return self.env.ref("stock_account_gl_reconciliation.action_report_cost_post_test").report_action(self,
                                                                                                          config=False)
