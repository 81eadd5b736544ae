from odoo import api, models


class ReportInventoryGlReconciliation(models.AbstractModel):
    """Values of the Inventory – G/L Reconciliation PDF: the matrix of each wizard (the engine's computation,
    as on screen) and the warning texts in the report's language."""

    _name = "report.stock_account_gl_reconciliation.report_invt_gl_recon"
    _description = "Inventory - G/L Reconciliation Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["stock.inventory.gl.reconciliation"].browse(docids)
        Engine = self.env["stock.inventory.gl.reconciliation.engine"]
        return {
            "doc_ids": docids,
            "doc_model": "stock.inventory.gl.reconciliation",
            "docs": wizards,
            "matrices": {wizard.id: Engine._get_matrix(wizard, wizard.show_warnings) for wizard in wizards},
            "warnings": Engine._warning_texts(),
        }
