from odoo import api, models

from ..wizards.stock_inventory_gl_reconciliation import WARNINGS


class ReportInventoryGlReconciliation(models.AbstractModel):
    """Values of the Inventory – G/L Reconciliation PDF: the matrix of each wizard and the warning texts."""

    _name = "report.stock_account_gl_reconciliation.report_invt_gl_recon"
    _description = "Inventory - G/L Reconciliation Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["stock.inventory.gl.reconciliation"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "stock.inventory.gl.reconciliation",
            "docs": wizards,
            "matrices": {wizard.id: wizard.get_matrix() for wizard in wizards},
            "warnings": WARNINGS,
        }
