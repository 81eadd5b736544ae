from odoo import fields, models
from odoo.tools import float_compare

from . import cost_adjustment


class ProductProduct(models.Model):
    _inherit = "product.product"

    gl_cost_adjustment_pending = fields.Boolean(
        "Cost Adjustment Pending", company_dependent=True, copy=False,
        help="Technical: a late cost or a back-dated average-cost entry waits for Adjust Cost – Item Entries "
             "in this company.")
    cost_is_adjusted = fields.Boolean(
        "Cost is Adjusted", compute="_compute_cost_is_adjusted", search="_search_cost_is_adjusted",
        help="Business Central's 'Cost is Adjusted': false while a cost change of this product waits to be "
             "forwarded to its outbound entries by Adjust Cost – Item Entries (current company).")

    def _compute_cost_is_adjusted(self):
        for product in self:
            product.cost_is_adjusted = not product.gl_cost_adjustment_pending

    def _search_cost_is_adjusted(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        pending = (operator == "=") != bool(value)
        return [("gl_cost_adjustment_pending", "=", pending)]

    def _gl_flag_cost_not_adjusted(self, company, event_date):
        """Set "cost is adjusted" to false for ``self`` in ``company`` and, when the company's automatic
        cost adjustment covers ``event_date`` (BC: the change is dated no earlier than today minus the
        period), have Adjust Cost run for them before the transaction commits."""
        if not self:
            return
        self.sudo().with_company(company).write({"gl_cost_adjustment_pending": True})
        setting = company.gl_automatic_cost_adjustment
        start = cost_adjustment.horizon_start(fields.Date.context_today(self), setting)
        if start is not None and (not event_date or event_date < start):
            return
        data = self.env.cr.precommit.data.setdefault("gl_auto_adjust", {})
        if not data:
            self.env.cr.precommit.add(self.env["stock.cost.adjust.engine"].sudo()._run_automatic)
        data.setdefault(company.id, set()).update(self.ids)

    def _gl_adjust_before_valuing_stock(self):
        """Run Adjust Cost – Item Entries for the products of ``self`` in a manual category whose late costs
        wait to be forwarded (current company), before Odoo computes an entry from their stock value
        (``value_svl``): the sold share of a landed cost sits on the product until it is forwarded, and Odoo's
        automated valuation, which forwards it at once, would not count it. BC likewise requires adjusted
        costs before revaluing (Calculate Inventory Value)."""
        company = self.env.company
        pending = self.sudo().with_company(company).filtered(
            lambda product: product.gl_cost_adjustment_pending and product.valuation != "real_time")
        if pending:
            self.env["stock.cost.adjust.engine"].sudo()._adjust(company, pending, trigger="automatic")

    def _change_standard_price(self, new_price):
        # Tag the value entries of a standard price change (entry type revaluation, README "Value entries"). Odoo
        # computes the revaluation from the stock value: late costs are forwarded first.
        self._gl_adjust_before_valuing_stock()
        return super(ProductProduct, self.with_context(gl_svl_origin="price_change"))._change_standard_price(new_price)

    # A change of category or costing method empties the stock out of the old one and refills it in the new
    # one. Odoo's automated valuation intends stock input as the counterpart of both while the stock is
    # positive, and stock output while it is negative (``_svl_empty_stock_am``, ``_svl_replenish_stock_am``);
    # the value entries record it (README, differences: Odoo 18.0 itself misses its context key when it empties
    # the stock of an automated category and posts Dr stock valuation / Cr stock output instead).
    def _svl_empty_stock(self, description, product_category=None, product_template=None):
        # returns (svl vals list, original quantities, impacted products); the emptying takes the whole stock
        # value, so late costs are forwarded first
        self._gl_adjust_before_valuing_stock()
        res = super()._svl_empty_stock(description, product_category=product_category,
                                       product_template=product_template)
        for vals in res[0]:
            vals.setdefault("gl_origin", "category_switch")
            vals.setdefault("gl_counterpart_type", "stock_input" if vals.get("quantity", 0) < 0 else "stock_output")
        return res

    def _svl_replenish_stock(self, description, products_orig_quantity_svl):
        res = super()._svl_replenish_stock(description, products_orig_quantity_svl)
        for vals in res:
            vals.setdefault("gl_origin", "category_switch")
            vals.setdefault("gl_counterpart_type", "stock_input" if vals.get("quantity", 0) > 0 else "stock_output")
        return res

    # ------------------------------------------------------------------------------------------------
    # Applications (BC item application entries): which inbound layer each outbound one consumed
    # ------------------------------------------------------------------------------------------------
    def _run_fifo(self, quantity, company, lot=False):
        """Odoo's FIFO, recording which candidates it took from. The outbound layer does not exist yet:
        the takes wait in the cursor cache until ``stock.valuation.layer.create`` writes the layer, which
        then records them as ``stock.valuation.layer.application`` rows."""
        candidates = self._get_fifo_candidates(company, lot=lot)
        before = [(candidate, candidate.remaining_qty) for candidate in candidates]
        vals = super()._run_fifo(quantity, company, lot=lot)
        rounding = self.uom_id.rounding
        taken = [(candidate.id, qty - candidate.remaining_qty) for candidate, qty in before
                 if float_compare(qty - candidate.remaining_qty, 0.0, precision_rounding=rounding) > 0]
        if taken:
            key = (self.id, company.id, lot.id if lot else False)
            self.env["stock.valuation.layer"]._gl_pending_fifo().setdefault(key, []).append((quantity, taken))
        return vals

    def _run_fifo_vacuum(self, company=None):
        """Odoo's negative-stock vacuum, recording the applications it makes: each negative outbound
        layer (oldest first) took the quantity it regained from the candidates created after it."""
        company = company or self.env.company
        SVL = self.env["stock.valuation.layer"].sudo()
        negatives = SVL.search([("product_id", "in", self.ids), ("remaining_qty", "<", 0),
                                ("stock_move_id", "!=", False), ("company_id", "=", company.id)],
                               order="create_date, id")
        if not negatives:
            return super()._run_fifo_vacuum(company)
        candidates = SVL.search([("product_id", "in", self.ids), ("remaining_qty", ">", 0),
                                 ("company_id", "=", company.id)], order="create_date, id")
        neg_before = {layer: layer.remaining_qty for layer in negatives}
        cand_before = {layer: layer.remaining_qty for layer in candidates}
        res = super()._run_fifo_vacuum(company)
        budget = {c: cand_before[c] - c.remaining_qty for c in candidates}
        rows = []
        for layer in negatives:
            rounding = layer.product_id.uom_id.rounding
            need = layer.remaining_qty - neg_before[layer]
            for candidate in candidates:
                if float_compare(need, 0.0, precision_rounding=rounding) <= 0:
                    break
                if (candidate.product_id != layer.product_id or candidate.lot_id != layer.lot_id
                        or (candidate.create_date, candidate.id) <= (layer.create_date, layer.id)
                        or float_compare(budget[candidate], 0.0, precision_rounding=rounding) <= 0):
                    continue
                take = min(need, budget[candidate])
                budget[candidate] -= take
                need -= take
                rows.append((candidate.id, layer.id, take, layer.product_id.id, company.id))
        self.env["stock.valuation.layer.application"]._gl_record(rows)
        return res
