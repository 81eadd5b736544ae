from odoo import models


class StockLandedCost(models.Model):
    _inherit = "stock.landed.cost"

    def button_validate(self):
        """Record the whole landed cost as value entries for manual-valuation products.

        Odoo creates a value entry only for the share still in stock; for automated categories it posts
        the sold share from inventory to stock output in the same journal entry, for manual ones the sold
        share is recorded nowhere (SPEC §2). Here, for each adjustment line of a manual product with
        goods already out, two value-only entries are added: the sold share as indirect cost on the
        receipt (inventory / landed-cost account) and its forwarding to the outbound side
        (``landed_cost_out``, ``is_adjustment``: inventory / COGS, where Odoo posts it). Net stock value is unchanged.
        Also stores each landed-cost entry's cost-line account as its counterpart. For automated products
        Odoo's own journal entry already holds the sold share: the pair is recorded (excluded from batch
        posting) so the inventory ledger projects the same amounts on each account type.
        """
        pre = {cost.id: set(cost.stock_valuation_layer_ids.ids) for cost in self}
        res = super().button_validate()
        SVL = self.env["stock.valuation.layer"].sudo()
        for cost in self:
            cost = cost.with_company(cost.company_id)
            currency = cost.company_id.currency_id
            new_layers = cost.stock_valuation_layer_ids.filtered(lambda l: l.id not in pre[cost.id]).sorted("id")
            lines = cost.valuation_adjustment_lines.filtered(lambda l: l.move_id)
            # Odoo creates the layers in adjustment-line order, skipping zero in-stock shares.
            layer_iter = iter(new_layers)
            extra_vals = []
            for line in lines:
                move = line.move_id
                product = move.product_id.with_company(cost.company_id)
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
                common = {
                    "unit_cost": 0, "quantity": 0, "remaining_qty": 0,
                    "stock_valuation_layer_id": linked[:1].id, "stock_move_id": move.id,
                    "product_id": product.id, "stock_landed_cost_id": cost.id, "company_id": cost.company_id.id,
                    "description": "%s (sold share)" % cost.name, "posting_date": cost.date,
                }
                extra_vals.append(dict(common, value=sold_share, gl_origin="landed_cost",
                                       gl_counterpart_account_id=account.id or False))
                extra_vals.append(dict(common, value=-sold_share, gl_origin="landed_cost_out",
                                       document_type="sale", is_adjustment=True))
            if extra_vals:
                SVL.create(extra_vals)
        return res
