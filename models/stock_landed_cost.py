from odoo import models


class StockLandedCost(models.Model):
    _inherit = "stock.landed.cost"

    def button_validate(self):
        """Record the whole landed cost as value entries, and the sold share as a late cost to forward.

        Odoo creates a value entry only for the share still in stock; for automated categories it posts
        the sold share from inventory to stock output (and on to the expense account) in the same journal
        entry, for manual ones the sold share is recorded nowhere (SPEC §2). Here, for each adjustment
        line with goods already out, the sold share becomes an indirect-cost entry on the receipt
        (inventory / landed-cost account) with ``gl_forward_quantity`` = the quantity already consumed.

        * Manual categories: the product's "cost is adjusted" turns false; Adjust Cost – Item Entries
          forwards the share to the outbound entries that consumed the receipt, dated like them (BC L3).
        * Automated categories: Odoo's journal entry already holds the forwarding on the landed-cost date,
          so it is recorded at once, split over those outbound entries, and excluded from batch posting;
          the inventory ledger then projects the same amounts on each account type.

        Also stores each landed-cost entry's cost-line account as its counterpart.
        """
        pre = {cost.id: set(cost.stock_valuation_layer_ids.ids) for cost in self}
        res = super().button_validate()
        SVL = self.env["stock.valuation.layer"].sudo()
        for cost in self:
            cost = cost.with_company(cost.company_id)
            company = cost.company_id
            currency = company.currency_id
            new_layers = cost.stock_valuation_layer_ids.filtered(lambda l: l.id not in pre[cost.id]).sorted("id")
            lines = cost.valuation_adjustment_lines.filtered(lambda l: l.move_id)
            # Odoo creates the layers in adjustment-line order, skipping zero in-stock shares.
            layer_iter = iter(new_layers)
            source_vals = []
            for line in lines:
                move = line.move_id
                product = move.product_id.with_company(company)
                linked = move._get_stock_valuation_layer_ids()
                remaining_qty = sum(linked.mapped("remaining_qty"))
                move_qty = move.product_uom._compute_quantity(move.quantity, product.uom_id)
                in_stock_share = (remaining_qty / move_qty) * line.additional_landed_cost if move_qty else 0.0
                account = line.cost_line_id.account_id
                if not currency.is_zero(in_stock_share):
                    layer = next(layer_iter, None)
                    if layer and account:
                        layer.write({"gl_counterpart_account_id": account.id})
                sold_share = currency.round(line.additional_landed_cost - in_stock_share)
                if currency.is_zero(sold_share) or not move._is_in():
                    continue
                source_vals.append({
                    "unit_cost": 0, "quantity": 0, "remaining_qty": 0, "value": sold_share,
                    "stock_valuation_layer_id": linked[:1].id,
                    "product_id": product.id, "stock_landed_cost_id": cost.id, "company_id": company.id,
                    "description": "%s (sold share)" % cost.name, "posting_date": cost.date,
                    "gl_origin": "landed_cost", "gl_counterpart_account_id": account.id or False,
                    "gl_forward_quantity": move_qty - remaining_qty,
                })
            if not source_vals:
                continue
            sources = SVL.create(source_vals)
            real_time = sources.filtered(lambda s: s.product_id.with_company(company).valuation == "real_time")
            manual = sources - real_time
            if manual:  # BC's horizon rule tests the posting date of the entry whose cost changed
                manual.product_id._gl_flag_cost_not_adjusted(
                    company, min(manual.stock_valuation_layer_id.mapped("posting_date")))
            if real_time:
                self._gl_record_native_forwarding(cost, real_time)
        return res

    def _gl_record_native_forwarding(self, cost, sources):
        """Automated categories: Odoo's landed-cost journal entry moved the sold share out of inventory on
        the landed-cost date. Record that forwarding as adjustment entries of the outbound entries that
        consumed the receipt (same split as Adjust Cost), excluded from batch posting."""
        company = cost.company_id
        Run = self.env["stock.cost.adjust.run"].sudo()
        rows = [{"id": s.id, "inbound_id": s.stock_valuation_layer_id.id, "value": s.value,
                 "qty": s.gl_forward_quantity} for s in sources]
        plan = Run._gl_plan_forwarding(company, rows)
        # a source without recorded consumer (history before install) comes back once, unattached
        vals_list = [Run._gl_landed_cost_forwarding_vals(sources.browse(source_id), value, cost.date,
                                                         outbound_id or False)
                     for source_id, outbound_id, value in plan]
        self.env["stock.valuation.layer"].sudo().with_context(gl_cost_adjusting=True).create(vals_list)
