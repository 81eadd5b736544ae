from odoo import api, models


class ReportCostPostTest(models.AbstractModel):
    """Values of the Post Invt. Cost to G/L – Test report (BC report 1003), one data source for QWeb."""

    _name = "report.stock_account_gl_reconciliation.report_cost_post_test"
    _description = "Post Inventory Cost to G/L - Test Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["stock.inventory.cost.post"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "stock.inventory.cost.post",
            "docs": wizards,
            "report_data": {wizard.id: wizard._get_test_report_data() for wizard in wizards},
        }
