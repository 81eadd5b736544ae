from odoo import _, models
from odoo.tools import SQL

from . import gl_sql


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves.filtered(lambda move: move.state == "done")._gl_create_transfer_entries()
        return moves

    def _gl_create_transfer_entries(self):
        """Transfer value entries (README, "Transfer value entries"; docs/transfer-value-entries.md): for each
        move line of these done moves between two valued locations of one company whose *places* (warehouse,
        inventory account: ``stock.posting.setup._gl_place``) differ, a pair of value entries: minus
        at the source, plus at the destination, the moved quantity (product UoM) on ``gl_location_quantity``
        and its value at Odoo's company cost (remaining value ÷ remaining quantity, per lot when valued by lot),
        company currency. Their own ``quantity`` is 0: Odoo's quantities, FIFO queue and average cost stay as
        Odoo computes them. Consigned stock (another owner) moves no value. Set-based: one read of the move
        lines, one of the costs, one INSERT of every leg (``stock.valuation.layer._gl_create_transfer_pairs``).
        Returns the created entries."""
        SVL = self.env["stock.valuation.layer"].sudo()
        if not self:
            return SVL
        self.env.flush_all()
        rows = self.env.execute_query_dict(SQL("""
            SELECT sm.id AS move_id, sm.company_id, ml.product_id, ml.quantity_product_uom AS quantity,
                   (timezone(COALESCE(NULLIF(cp.tz, ''), 'UTC'), timezone('UTC', sm.date)))::date AS posting_date,
                   CASE WHEN pt.lot_valuated THEN ml.lot_id END AS lot_id, pt.categ_id,
                   ml.location_id AS src, ml.location_dest_id AS dst, ls.warehouse_id AS src_wh,
                   ld.warehouse_id AS dst_wh
              FROM stock_move_line ml
              JOIN stock_move sm ON sm.id = ml.move_id
              JOIN res_company c ON c.id = sm.company_id
              JOIN res_partner cp ON cp.id = c.partner_id
              JOIN stock_location ls ON ls.id = ml.location_id
              JOIN stock_location ld ON ld.id = ml.location_dest_id
              JOIN product_product pp ON pp.id = ml.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE sm.id = ANY(%s) AND ml.quantity_product_uom > 0 AND pt.is_storable
               AND %s AND %s AND ls.company_id = ld.company_id AND ls.company_id = sm.company_id
               AND (ml.owner_id IS NULL OR ml.owner_id = c.partner_id)
             ORDER BY ml.id""", self.ids, gl_sql.valued_usage("ls"), gl_sql.valued_usage("ld")))
        Setup, cache, legs = self.env["stock.posting.setup"], {}, []
        Company, Location = self.env["res.company"], self.env["stock.location"]
        for row in rows:
            company = Company.browse(row["company_id"])
            places = [Setup._gl_place(company, row[wh], row[loc], row["categ_id"], cache)
                      for wh, loc in (("src_wh", "src"), ("dst_wh", "dst"))]
            if places[0] != places[1]:
                legs.append((row, places))
        if not legs:
            return SVL
        costs = {(company_id, product_id, lot_id): (value, quantity) for company_id, product_id, lot_id, value, quantity
                 in self.env.execute_query(SQL("""
                    SELECT svl.company_id, svl.product_id, CASE WHEN pt.lot_valuated THEN svl.lot_id END,
                           SUM(svl.value), SUM(svl.quantity)
                      FROM stock_valuation_layer svl
                      JOIN product_product pp ON pp.id = svl.product_id
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                     WHERE svl.product_id = ANY(%s) AND svl.company_id = ANY(%s)
                     GROUP BY 1, 2, 3""", list({row["product_id"] for row, _p in legs}),
                                    list({row["company_id"] for row, _p in legs})))}
        vals_list, descriptions = [], {}
        for row, ((src_wh, src_account), (dst_wh, dst_account)) in legs:
            if (row["src"], row["dst"]) not in descriptions:
                descriptions[row["src"], row["dst"]] = _(
                    "Transfer %(src)s → %(dst)s", src=Location.browse(row["src"]).display_name,
                    dst=Location.browse(row["dst"]).display_name)
            company = Company.browse(row["company_id"])
            product = self.env["product.product"].with_company(company).browse(row["product_id"])
            value, quantity = costs.get((row["company_id"], row["product_id"], row["lot_id"]), (0.0, 0.0))
            unit_cost = value / quantity if quantity > 0 else product.standard_price
            amount = company.currency_id.round(row["quantity"] * unit_cost)
            other_account = {"src": dst_account, "dst": src_account}
            for side, sign, warehouse in (("src", -1, src_wh), ("dst", 1, dst_wh)):
                vals_list.append({
                    "company_id": company.id, "product_id": product.id, "lot_id": row["lot_id"] or False,
                    "gl_transfer_move_id": row["move_id"], "quantity": 0, "remaining_qty": 0, "remaining_value": 0,
                    "posting_date": self.env.context.get("force_period_date") or row["posting_date"],
                    "unit_cost": unit_cost, "value": sign * amount, "gl_location_quantity": sign * row["quantity"],
                    "location_id": row[side], "warehouse_id": warehouse or False, "document_type": "transfer",
                    "entry_type": "direct_cost", "gl_origin": "transfer",
                    # the other place's inventory account; none when both places post to the same account
                    "gl_counterpart_account_id": other_account[side] if src_account != dst_account else False,
                    "description": descriptions[row["src"], row["dst"]],
                })
        return SVL._gl_create_transfer_pairs(vals_list)

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
