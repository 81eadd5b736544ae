from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import GlReconciliationCommon


@tagged("post_install", "-at_install")
class TestValuationReports(GlReconciliationCommon):
    """Inventory Valuation (BC 1001, worked example D5), Cost Spec. (BC 5801) and Cost Shares Breakdown
    (BC 5848, sales) computed from value entries."""

    def _report(self, report_type, date_from, date_to, **filters):
        report = self.env["stock.inventory.valuation.report"].create(dict(
            report_type=report_type, company_id=self.company.id, date_from=date_from, date_to=date_to, **filters))
        report._create_lines()
        return report

    @staticmethod
    def _row(line, *columns):
        return tuple(round(line[column], 2) for column in columns)

    def _d5(self):
        """D5: purchase 10 @ 7.00 on 01-01, sale 4 on 01-15 (FIFO)."""
        receipt = self._receive(self.product, 10, 7.0, date=date(2026, 1, 1))
        self._deliver(self.product, 4, date=date(2026, 1, 15))
        return receipt

    def test_d5_inventory_valuation(self):
        self._d5()
        # an internal move to another location of the warehouse: Odoo values no transfer, totals unchanged
        shelf = self.env["stock.location"].create({"name": "Shelf", "usage": "internal",
                                                   "location_id": self.warehouse.lot_stock_id.id})
        self._move(self.product, self.warehouse.lot_stock_id, shelf, 2, date=date(2026, 1, 20))
        columns = ("start_qty", "start_value", "increase_qty", "increase_value", "decrease_qty", "decrease_value",
                   "end_qty", "end_value", "cost_posted_to_gl")
        report = self._report("valuation", date(2026, 1, 10), date(2026, 1, 31))
        self.assertEqual(report.line_ids.product_id, self.product)
        self.assertEqual(self._row(report.line_ids, *columns), (10, 70, 0, 0, 4, 28, 6, 42, 0))
        self._post_inventory_cost()
        report = self._report("valuation", date(2026, 1, 10), date(2026, 1, 31))
        self.assertEqual(self._row(report.line_ids, *columns), (10, 70, 0, 0, 4, 28, 6, 42, 42))
        # the whole month: the purchase is an increase
        report = self._report("valuation", date(2026, 1, 1), date(2026, 1, 31))
        self.assertEqual(self._row(report.line_ids, *columns), (0, 0, 10, 70, 4, 28, 6, 42, 42))
        # other filters: another warehouse or category has nothing; a period without entries and all-zero
        # start is skipped like BC skips all-zero items
        other = self.env["product.category"].create({"name": "Other"})
        self.assertFalse(self._report("valuation", date(2026, 1, 1), date(2026, 1, 31), categ_ids=other.ids).line_ids)
        self.assertEqual(len(self._report("valuation", date(2026, 1, 1), date(2026, 1, 31),
                                          categ_ids=self.manual_categ.ids).line_ids), 1)
        with self.assertRaisesRegex(UserError, "after the ending date"):
            self._report("valuation", date(2026, 2, 1), date(2026, 1, 31))
        # the PDF renders with the numbers
        html = self.env["ir.actions.report"]._render_qweb_html(
            "stock_account_gl_reconciliation.report_inventory_valuation", report.ids)[0].decode()
        self.assertIn("Chain", html)
        self.assertIn("42.00", html)
        self.assertEqual(report._grand_total()["end_value"], 42.0)  # the PDF's last row

    def test_cost_spec_and_cost_shares(self):
        receipt = self._d5()
        # a landed cost of 10 on the receipt after the sale: Odoo adds the remaining share (6) to the receipt,
        # Adjust Cost forwards the sold share (4) to the sale as indirect cost
        self._landed_cost(receipt.picking_id or self._picking_for(receipt), 10.0, cost_date=date(2026, 1, 20))
        self._adjust_cost()
        spec = self._report("cost_spec", False, date(2026, 1, 31))
        rows = {line.entry_type: self._row(line, "end_qty", "end_value") for line in spec.line_ids}
        self.assertEqual(rows, {"direct_cost": (6, 42), "indirect_cost": (0, 6)})
        # before the sale and the landed cost: the whole receipt remains
        spec = self._report("cost_spec", False, date(2026, 1, 12))
        self.assertEqual({line.entry_type: self._row(line, "end_qty", "end_value") for line in spec.line_ids},
                         {"direct_cost": (10, 70)})
        shares = self._report("cost_shares", date(2026, 1, 1), date(2026, 1, 31))
        self.assertEqual({line.entry_type: self._row(line, "decrease_qty", "decrease_value")
                          for line in shares.line_ids},
                         {"direct_cost": (4, 28), "indirect_cost": (0, 4)})
        # the action opens the lines of this report with the report's own list
        action = shares.action_open_lines()
        self.assertEqual((action["res_model"], action["domain"]), ("stock.inventory.valuation.line", [("report_id", "=",
                                                                                                       shares.id)]))

    def test_landed_cost_between_deliveries(self):
        """10 received at 7.00 on 01-01, 3 delivered on 01-10, a landed cost of 10.00 on 01-15 (7.00 on the 7 left,
        3.00 sold), 2 more delivered on 01-20 at 8.00 (7.00 + 1.00 of landed cost each). On 01-31 the 5 left are
        worth 40.00: Cost Spec. gives 35.00 direct and 5.00 indirect cost, the value of Inventory Valuation and of
        the general ledger, in a manual category (before and after Adjust Cost) and in an automated one; Cost Shares
        counts 2.00 of the second delivery and the 3.00 forwarded to the first as indirect cost."""
        automated = self._make_category(self.company, self.company_data, "real_time", "fifo", "Automated")
        for categ in (self.manual_categ, automated):
            product = self._make_product("Frame %s" % categ.name, categ, self.company)
            receipt = self._receive(product, 10, 7.0, date=date(2026, 1, 1))
            self._deliver(product, 3, date=date(2026, 1, 10))
            self._landed_cost(receipt.picking_id or self._picking_for(receipt), 10.0, cost_date=date(2026, 1, 15))
            self.assertEqual(self._deliver(product, 2, date=date(2026, 1, 20)).stock_valuation_layer_ids.value, -16.0)
            for adjusted in (False, True):
                if adjusted:
                    self._adjust_cost(product_ids=product)
                spec = self._report("cost_spec", False, date(2026, 1, 31), product_ids=product.ids)
                valuation = self._report("valuation", False, date(2026, 1, 31), product_ids=product.ids)
                rows = {line.entry_type: self._row(line, "end_qty", "end_value") for line in spec.line_ids}
                # before Adjust Cost the manual category's sold share (3.00) is still in inventory
                unforwarded = 3.0 if categ == self.manual_categ and not adjusted else 0.0
                self.assertEqual(rows, {"direct_cost": (5, 35.0), "indirect_cost": (0, 5.0 + unforwarded)},
                                 categ.name)
                self.assertEqual(sum(spec.line_ids.mapped("end_value")), valuation.line_ids.end_value)
                self.assertEqual(valuation.line_ids.end_value, product.with_company(self.company).value_svl)
            shares = self._report("cost_shares", date(2026, 1, 1), date(2026, 1, 31), product_ids=product.ids)
            self.assertEqual({line.entry_type: self._row(line, "decrease_qty", "decrease_value")
                              for line in shares.line_ids},
                             {"direct_cost": (5, 35.0), "indirect_cost": (0, 5.0)}, categ.name)
        self._post_inventory_cost()
        inventory = self.company_data["default_account_stock_valuation"]
        self.assertEqual(self._balances(self.company, inventory), {inventory.code: 80.0})
