from odoo import models
from odoo.tools import SQL


class StockMove(models.Model):
    _inherit = "stock.move"

    def _get_all_related_aml(self):
        """Odoo's journal items of these stock moves (their own journal entries, and for purchases the bill
        lines of the order line) plus the journal items that Post Inventory Cost to G/L posted for their
        value entries with the product (manual categories: per entry, and the interim lines of postings per
        posting group), so that Odoo's interim reconciliation finds both."""
        lines = super()._get_all_related_aml()
        return lines | self._gl_posted_items()

    def _gl_posted_items(self, account_type=None):
        """Journal items with a product that Post Inventory Cost to G/L posted for the value entries of these
        stock moves (directly, as price differences or landed costs of them, or as adjustments of them),
        optionally only those of ``account_type``."""
        if not self.ids:
            return self.env["account.move.line"]
        self.env.flush_all()
        rows = self.env.execute_query(SQL("""
            WITH own AS (
                SELECT id FROM stock_valuation_layer WHERE stock_move_id = ANY(%(moves)s)
            ), svl AS (
                SELECT id FROM own
                 UNION SELECT child.id FROM stock_valuation_layer child
                                           JOIN own ON own.id = child.stock_valuation_layer_id
                 UNION SELECT adj.id FROM stock_valuation_layer adj JOIN own ON own.id = adj.applies_to_id
            )
            SELECT DISTINCT l.move_line_id
              FROM svl JOIN stock_valuation_layer_gl_link l ON l.svl_id = svl.id
              JOIN account_move_line aml ON aml.id = l.move_line_id
             WHERE l.run_id IS NOT NULL AND aml.product_id IS NOT NULL AND %(type)s
        """, moves=self.ids, type=SQL("l.account_type = %s", account_type) if account_type else SQL("TRUE")))
        return self.env["account.move.line"].browse([row[0] for row in rows])
