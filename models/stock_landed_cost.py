from odoo import models

from . import cost_adjustment


class StockLandedCost(models.Model):
    _inherit = "stock.landed.cost"

    def button_validate(self):
        """Record the whole landed cost as value entries, and the sold share as a late cost to forward.

        Odoo creates a value entry only for the share still in stock; for automated categories it posts
        the sold share from inventory to stock output (and on to the expense account) in the same journal
        entry, for manual ones the sold share is recorded nowhere (README, "Differences from Odoo and Business
        Central"). Here, for each adjustment line with goods already out, the sold share becomes an indirect-cost entry
        on the receipt (inventory / landed-cost account) with ``gl_forward_quantity`` = the quantity already consumed.

        * Manual categories: the product's "cost is adjusted" turns false; Adjust Cost – Item Entries
          forwards the share to the outbound entries that consumed the receipt, dated like them (as Business Central's
          Adjust Cost).
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
            # Odoo's new layers, per (stock move, lot) in adjustment-line order (one per line, or one per lot
            # of the line's move for products valued by lot; none when the share in stock is zero)
            queues = {}
            new_layers = cost.stock_valuation_layer_ids.filtered(lambda layer: layer.id not in pre[cost.id])
            for layer in new_layers.sorted("id"):
                queues.setdefault((layer.stock_move_id.id, layer.lot_id.id), []).append(layer)
            source_vals = []
            for line in cost.valuation_adjustment_lines.filtered(lambda line: line.move_id):
                account = line.cost_line_id.account_id
                for share in self._gl_landed_cost_shares(line):
                    queue = queues.get((line.move_id.id, share["lot"].id))
                    layer = queue.pop(0) if share["created"] and queue else None
                    if layer and account:
                        layer.sudo().write({"gl_counterpart_account_id": account.id})
                    if share["sold"] and line.move_id._is_in():
                        source_vals.append({
                            "unit_cost": 0, "quantity": 0, "remaining_qty": 0, "value": share["sold"],
                            "stock_valuation_layer_id": share["inbound"].id, "lot_id": share["lot"].id,
                            "product_id": line.move_id.product_id.id, "stock_landed_cost_id": cost.id,
                            "company_id": company.id, "description": "%s (sold share)" % cost.name,
                            "posting_date": cost.date, "gl_origin": "landed_cost",
                            "gl_counterpart_account_id": account.id or False,
                            "gl_forward_quantity": share["forward_qty"],
                        })
            if not source_vals:
                continue
            sources = SVL.create(source_vals)
            real_time = sources.filtered(lambda s: s.gl_valuation == "real_time")
            manual = sources - real_time
            if manual:  # BC's horizon rule tests the posting date of the entry whose cost changed
                manual.product_id._gl_flag_cost_not_adjusted(
                    company, min(manual.stock_valuation_layer_id.mapped("posting_date")))
            if real_time:
                self._gl_record_native_forwarding(cost, real_time)
        return res

    def _gl_landed_cost_shares(self, line):
        """How Odoo's ``button_validate`` split the landed cost of adjustment ``line``: one dict per value
        entry it created or would have created (one per lot for products valued by lot), with ``lot``,
        ``inbound`` (the receipt's layer of that lot), ``created`` (Odoo created a layer: the share in stock
        is not zero), ``sold`` (the line's cost minus what Odoo's layers carry, split over the lots in
        proportion to their quantity, as Odoo splits the share in stock, by cumulative rounding so that the
        whole cost is recorded to the cent) and ``forward_qty`` (the quantity consumed from ``inbound``,
        product UoM; the lot's whole quantity when Odoo's pro rata gives a share to a lot none of which was
        consumed)."""
        move = line.move_id
        currency = line.cost_id.company_id.currency_id
        product = move.product_id
        linked = move._get_stock_valuation_layer_ids()
        remaining_qty = sum(linked.mapped("remaining_qty"))
        move_qty = move.product_uom._compute_quantity(move.quantity, product.uom_id)
        in_stock = (remaining_qty / move_qty) * line.additional_landed_cost if move_qty else 0.0
        created = not currency.is_zero(in_stock)
        if not product.lot_valuated:
            inbound = linked.filtered(lambda layer: layer.quantity > 0)[:1] or linked[:1]
            carried = currency.round(in_stock) if created else 0.0
            return [{"lot": self.env["stock.lot"], "inbound": inbound, "created": created,
                     "sold": currency.round(line.additional_landed_cost - carried),
                     "forward_qty": move_qty - remaining_qty}]
        groups = list(move.move_line_ids.grouped("lot_id").items())
        parts = [sum(move_lines.mapped("quantity")) / move.quantity if move.quantity else 0.0
                 for _lot, move_lines in groups]
        carried = sum(currency.round(in_stock * part) for part in parts) if created else 0.0
        sold = cost_adjustment.allocate(currency.round(line.additional_landed_cost - carried), parts, sum(parts),
                                        currency.rounding)
        shares = []
        for (lot, _move_lines), lot_sold in zip(groups, sold, strict=False):
            inbound = linked.filtered(lambda layer: layer.lot_id == lot and layer.quantity > 0)[:1]
            consumed = inbound.quantity - inbound.remaining_qty
            shares.append({"lot": lot, "inbound": inbound, "created": created, "sold": lot_sold,
                           "forward_qty": consumed if consumed > 0 else inbound.quantity})
        return shares

    def _gl_record_native_forwarding(self, cost, sources):
        """Automated categories: Odoo's landed-cost journal entry moved the sold share out of inventory on
        the landed-cost date. Record that forwarding as adjustment entries of the outbound entries that
        consumed the receipt (same split as Adjust Cost), excluded from batch posting. When everything was
        already sold, Odoo's journal entry has no value entry of that product to be linked to: the sold
        share's entry (``sources``) takes it, so that its journal items are posted from inventory."""
        company = cost.company_id
        journal_entry = cost.account_move_id
        if journal_entry:
            linked_products = journal_entry.sudo().stock_valuation_layer_ids.product_id
            unlinked = sources.filtered(lambda s: s.product_id not in linked_products)
            if unlinked:
                unlinked.write({"account_move_id": journal_entry.id})
                self.env["stock.valuation.layer"].sudo()._gl_sync_native_postings(svl_ids=unlinked.ids)
        Engine = self.env["stock.cost.adjust.engine"].sudo()
        rows = [{"id": s.id, "inbound_id": s.stock_valuation_layer_id.id, "value": s.value,
                 "qty": s.gl_forward_quantity} for s in sources]
        plan = Engine._plan_forwarding(company, rows)
        # a source without recorded consumer (history before install) comes back once, unattached
        vals_list = [Engine._landed_cost_forwarding_vals(sources.browse(source_id), value, cost.date,
                                                        outbound_id or False)
                     for source_id, outbound_id, value in plan]
        self.env["stock.valuation.layer"].sudo().with_context(gl_cost_adjusting=True).create(vals_list)
