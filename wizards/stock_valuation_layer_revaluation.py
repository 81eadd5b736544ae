from odoo import models


class StockValuationLayerRevaluation(models.TransientModel):
    _inherit = "stock.valuation.layer.revaluation"

    def action_validate_revaluation(self):
        """Keep on the created value entry what the native posting needs and an SVL does not store: the
        counterpart account chosen in the wizard and its accounting date (``posting_plan.COUNTERPART_RULES``)."""
        self.ensure_one()
        ctx = {"gl_svl_origin": "revaluation", "gl_counterpart_account_id": self.account_id.id}
        if self.date:
            ctx["gl_posting_date"] = self.date
        return super(StockValuationLayerRevaluation, self.with_context(**ctx)).action_validate_revaluation()
