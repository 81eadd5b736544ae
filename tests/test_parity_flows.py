from odoo.tests import tagged

from .common import FlowCase
from .flows import Bill, Buy, Close, Flow, Invoice, LandedCost, ReturnDelivery, ReturnReceipt, Sell, Switch


@tagged("post_install", "-at_install")
class TestParityFlows(FlowCase):
    """Flows that once ended with other ledgers than Odoo's automated valuation (README, "Parity with Odoo"). Each is
    played with automated categories (Odoo posts: the oracle) and with manual categories + Adjust Cost – Item Entries +
    Post Inventory Cost to G/L; both must end with the same balances, stock values, open items of the interim accounts
    and a clean reconciliation, and the oracle's figures are pinned here."""

    def assert_flow(self, flow, balances, values, open_items=None):
        native = self.assert_parity(flow)
        self.assertEqual(native.balances, balances)
        self.assertEqual(native.values, values)
        if open_items is not None:
            self.assertEqual(native.open_items, open_items)

    def test_avco_bill_price_after_partial_sale(self):
        """AVCO, 10 received at 10, 4 sold, billed at 12, 3 more sold: Odoo expenses the sold units' price
        difference on the bill (8.00) and raises the average of the 6 in stock (+12.00); the module must not
        charge the sold share a second time (Odoo's running average is the default)."""
        flow = Flow(cost_method="average", steps=(
            Buy(qty=10, price=10.0), Sell(qty=4), Invoice(0), Bill(0, price_delta=2.0), Sell(qty=3), Invoice(1)))
        self.assert_flow(flow, {
            "121000": 210.0, "211000": -120.0, "400000": -210.0, "600000": 84.0, "STOCKVAL": 36.0,
        }, {("Chain", None): 36.0}, {})

    def test_negative_stock_invoiced_before_receipt(self):
        """3 delivered at 10 without stock and invoiced, then 5 received at 12 (Odoo's negative-stock correction
        -6.00 goes on to the expense account because the delivery is invoiced) and a landed cost of 10."""
        for cost_method in ("fifo", "average"):
            flow = Flow(cost_method=cost_method, steps=(
                Sell(qty=3), Invoice(0), Buy(qty=5, price=12.0), LandedCost((0,), 10.0)))
            self.assert_flow(flow, {
                "121000": 90.0, "400000": -90.0, "600000": 42.0, "OVHAPPL": -10.0, "STOCKIN": -60.0,
                "STOCKVAL": 28.0,
            }, {("Chain", None): 28.0}, {"STOCKIN": (0.0, -60.0)})

    def test_vendor_return_below_purchase_price(self):
        """10 at 10, 5 at 14 billed, 2 of the second receipt returned (valued at 10 by FIFO, at the average by
        AVCO) with the vendor credit note, 4 sold: Odoo moves (return value - purchase price) x quantity from
        stock input to expense beside the return."""
        flow = Flow(steps=(Buy(qty=10, price=10.0), Buy(qty=5, price=14.0), Bill(1),
                           ReturnReceipt(1, 2, credit=True), Sell(qty=4), Invoice(0)))
        self.assert_flow(flow, {
            "121000": 120.0, "211000": -42.0, "400000": -120.0, "600000": 32.0, "STOCKIN": -100.0,
            "STOCKVAL": 110.0,
        }, {("Chain", None): 110.0}, {"STOCKIN": (0.0, -100.0)})
        flow = Flow(cost_method="average", steps=flow.steps)
        self.assert_flow(flow, {
            "121000": 120.0, "211000": -42.0, "400000": -120.0, "600000": 40.0, "STOCKIN": -100.0,
            "STOCKVAL": 102.0,
        }, {("Chain", None): 102.0}, {"STOCKIN": (0.0, -100.0)})

    def test_landed_cost_on_lots(self):
        """Valuation by lot: one receipt of two lots (5 + 5), 4 sold, landed cost 6: every lot layer gets the
        landed-cost account, and each lot keeps Odoo's value (no sold share left without a lot)."""
        flow = Flow(tracking="lot", lot_valuated=True, steps=(
            Buy(qty=10, price=10.0, lots=2), Sell(qty=4), LandedCost((0,), 6.0)))
        self.assert_flow(flow, {
            "600000": 2.4, "OVHAPPL": -6.0, "STOCKIN": -100.0, "STOCKOUT": 40.0, "STOCKVAL": 63.6,
        }, {("Chain", "L1"): 11.8, ("Chain", "L2"): 51.8})
        # two receipts, the sold share of the second's landed cost is forwarded within its lot
        flow = Flow(tracking="lot", lot_valuated=True, steps=(
            Buy(qty=2, price=10.0), Buy(qty=4, price=12.0, lots=2), Sell(qty=4), LandedCost((1,), 6.0)))
        self.assert_flow(flow, {
            "600000": 3.0, "OVHAPPL": -6.0, "STOCKIN": -68.0, "STOCKOUT": 44.0, "STOCKVAL": 27.0,
        }, {("Chain", "L2"): 1.5, ("Chain", "L3"): 25.5})

    def test_category_switch_to_automated(self):
        """A product leaves a manual FIFO category for an automated average-cost one with stock on hand:
        the entries created before the switch (the empty-out included) post on the old category's
        accounts, whether they are posted after the switch or were posted before it."""
        steps = (Buy(qty=10, price=10.0), Sell(qty=3), Invoice(0), Switch())
        for flow in (Flow(switch_to="real_time", switch_cost_method="average", steps=steps),
                     Flow(switch_to="real_time", switch_cost_method="average",
                          steps=steps[:3] + (Close(),) + steps[3:])):
            self.assert_flow(flow, {
                "121000": 90.0, "400000": -90.0, "600000": 30.0, "STOCKIN": -30.0, "STOCKIN2": -70.0,
                "STOCKVAL2": 70.0,
            }, {("Chain", None): 70.0}, {"STOCKIN": (70.0, -100.0), "STOCKIN2": (0.0, -70.0)})

    def test_average_receipt_after_delivery_same_day(self):
        """AVCO, 10 at 10, 5 delivered, 10 at 20 on the same day: the delivery keeps Odoo's average (10), not
        the day's (BC's periodic average is an opt-in setting)."""
        flow = Flow(cost_method="average", steps=(Buy(qty=10, price=10.0), Sell(qty=5), Buy(qty=10, price=20.0)))
        self.assert_flow(flow, {"STOCKIN": -300.0, "STOCKOUT": 50.0, "STOCKVAL": 250.0}, {("Chain", None): 250.0})

    def test_average_customer_return_after_forwarded_landed_cost(self):
        """AVCO, 4 at 10, 2 sold and invoiced, landed cost 4 (2.00 sold share forwarded to COGS by Adjust Cost),
        then 1 returned by the customer: Odoo values the return at the delivery's 10."""
        flow = Flow(cost_method="average", steps=(
            Buy(qty=4, price=10.0), Sell(qty=2), Invoice(0), LandedCost((0,), 4.0), Close(), ReturnDelivery(0, 1)))
        self.assert_flow(flow, {
            "121000": 60.0, "400000": -60.0, "600000": 22.0, "OVHAPPL": -4.0, "STOCKIN": -40.0, "STOCKOUT": -10.0,
            "STOCKVAL": 32.0,
        }, {("Chain", None): 32.0})
