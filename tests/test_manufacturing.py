"""Manufacturing (``mrp_account`` installed): value entries of production orders, posted in batches, end with the
ledgers of Odoo's real-time valuation. ``dev/test`` runs this file in a second database with ``mrp_account``; in the
main database (no ``mrp``) it is skipped."""
import os
import unittest

from hypothesis import HealthCheck, given, settings

from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import get_db_name

from .common import FlowCase
from .flow_strategies import flows
from .flows import Buy, Close, Flow, FlowRefused, Invoice, Manufacture, Sell, Unbuild, compare, play

# generated manufacturing flows per run (fixed seed); GL_PARITY_MRP_EXAMPLES for a longer survey
EXAMPLES = int(os.environ.get("GL_PARITY_MRP_EXAMPLES") or 12)


@tagged("post_install", "-at_install")
class TestManufacturingParity(FlowCase):
    """Manufacturing orders played with automated categories (Odoo posts: the oracle) and with manual categories +
    Adjust Cost + Post Inventory Cost to G/L: the same balances, stock values, open interim items and a clean
    reconciliation. The categories' production account (``property_stock_account_production_cost_id``, account type
    WIP) is WIPPROD."""

    @classmethod
    def setUpClass(cls):
        if "mrp.production" not in Registry(get_db_name()):
            raise unittest.SkipTest("mrp_account is not installed in this database (dev/test runs it in a second one)")
        super().setUpClass()

    @classmethod
    def _make_category(cls, company, data, valuation, cost_method, name):
        categ = super()._make_category(company, data, valuation, cost_method, name)
        if "wip_account" not in cls.__dict__:
            cls.wip_account = cls.env["account.account"].with_company(company).create({
                "name": "Production WIP", "code": "WIPPROD", "account_type": "asset_current"})
        categ.with_company(company).property_stock_account_production_cost_id = cls.wip_account
        return categ

    def assert_flow(self, flow, balances, values):
        native = self.assert_parity(flow)
        self.assertEqual(native.balances, balances, flow.describe())
        self.assertEqual(native.values, values, flow.describe())
        return native

    def test_consumption_and_output_then_sale(self):
        """10 Sprockets bought at 10.00; an order makes 4 Chains of one Sprocket each (consumption 40.00 to WIP,
        output 40.00 from WIP); 3 Chains sold at 30.00 and invoiced."""
        for cost_method in ("fifo", "average"):
            flow = Flow(cost_method=cost_method, products=2, steps=(
                Buy(product=1, qty=10, price=10.0), Manufacture(product=0, qty=4), Sell(product=0, qty=3),
                Invoice(0), Close()))
            self.assert_flow(flow, {
                "121000": 90.0, "400000": -90.0, "600000": 30.0, "STOCKIN": -100.0, "STOCKVAL": 70.0,
            }, {("Chain", None): 10.0, ("Sprocket", None): 60.0})

    def test_byproduct_takes_its_cost_share(self):
        """5 Sprockets at 9.00 make 5 Chains and, as by-product, 5 Washers carrying 20 % of the cost (9.00); 2
        Chains sold."""
        for cost_method in ("fifo", "average"):
            flow = Flow(cost_method=cost_method, products=3, steps=(
                Buy(product=1, qty=5, price=9.0), Manufacture(product=0, qty=5, byproduct=20), Sell(product=0, qty=2),
                Invoice(0)))
            self.assert_flow(flow, {
                "121000": 60.0, "400000": -60.0, "600000": 14.4, "STOCKIN": -45.0, "STOCKVAL": 30.6,
            }, {("Chain", None): 21.6, ("Washer", None): 9.0})

    def test_unbuild_and_scrap_inside_an_order(self):
        """6 Sprockets at 10.00; an order scraps 1 Sprocket and makes 3 Chains; 1 Chain unbuilt (its Sprocket back
        in stock at its consumption cost)."""
        flow = Flow(products=2, steps=(
            Buy(product=1, qty=6, price=10.0), Manufacture(product=0, qty=3, scrap=1), Unbuild(0, 1), Close()))
        self.assert_flow(flow, {
            "STOCKIN": -60.0, "STOCKOUT": 10.0, "STOCKVAL": 50.0,
        }, {("Chain", None): 20.0, ("Sprocket", None): 30.0})

    def test_value_entries_of_an_order_post_through_wip(self):
        """In a manual category: the order's component entry is a consumption and its finished entry an output,
        both with the WIP account type as counterpart; posted per entry, the production account WIPPROD is debited
        40.00 by the consumption and credited 40.00 by the output."""
        from .flows import FlowRunner  # noqa: PLC0415 (flows imports Odoo test helpers lazily)
        flow = Flow(products=2, posting_method="per_entry", steps=(
            Buy(product=1, qty=10, price=10.0), Manufacture(product=0, qty=4)))
        runner = FlowRunner(self, flow, "manual_periodic").setup().run()
        entries = self.env["stock.valuation.layer"].search([
            ("product_id", "in", [p.id for p in runner.products]), ("document_type", "in", ("consumption", "output"))],
            order="id")
        self.assertEqual([(e.product_id.name, e.document_type, e.gl_counterpart_type, e.value) for e in entries],
                         [("Sprocket", "consumption", "wip", -40.0), ("Chain", "output", "wip", 40.0)])
        self._post_inventory_cost(posting_method="per_entry")
        wip_items = self.env["account.move.line"].search([("account_id", "=", self.wip_account.id)])
        self.assertEqual(sorted(wip_items.mapped("balance")), [-40.0, 40.0])
        self.assertEqual(set(entries.mapped("gl_state")), {"posted"})

    def test_generated_manufacturing_flows(self):
        """Generated flows with manufacturing orders and unbuilds among purchases, sales, returns, landed costs,
        counts and the rest (``flow_strategies.flows(manufacturing=True)``, fixed seed): the same ledgers natively
        and manually."""

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), print_blob=False)
        @given(flows(manufacturing=True))
        def check(flow):
            try:
                native, manual = play(self, flow)
            except FlowRefused:
                return
            diffs = compare(native, manual)
            self.assertFalse(diffs, "\n%s\n%s" % (flow.describe(), "\n".join(diffs)))

        check()
