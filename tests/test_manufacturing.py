"""Manufacturing (``mrp_account`` installed): value entries of production orders, posted in batches, end with the
ledgers of Odoo's real-time valuation. ``dev/test`` runs this file in a second database with ``mrp_account``; in the
main database (no ``mrp``) it is skipped."""
import os
import unittest
from datetime import timedelta

from hypothesis import HealthCheck, given, settings

from odoo import Command, fields
from odoo.modules.registry import Registry
from odoo.tests import tagged
from odoo.tests.common import get_db_name

from .common import FlowCase, GlReconciliationCommon
from .flow_strategies import flows
from .flows import Buy, Close, Flow, FlowRefused, Invoice, LandedCost, Manufacture, Sell, Unbuild, compare, play

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
        for cost_method in ("fifo", "average"):
            flow = Flow(cost_method=cost_method, products=2, steps=(
                Buy(product=1, qty=6, price=10.0), Manufacture(product=0, qty=3, scrap=1), Unbuild(0, 1), Close()))
            self.assert_flow(flow, {
                "STOCKIN": -60.0, "STOCKOUT": 10.0, "STOCKVAL": 50.0,
            }, {("Chain", None): 20.0, ("Sprocket", None): 30.0})

    def test_landed_cost_after_the_order(self):
        """10 Sprockets at 10.00; an order makes 4 Chains, 3 sold; then a landed cost of 10.00 on the Sprockets'
        receipt: 6.00 stays with the 6 Sprockets in stock, Odoo sends the 4.00 consumed to the expense account. The
        manual run carries those 4.00 through WIP to the Chains (1.00 in stock, 3.00 to cost of goods sold), the
        documented difference the harness rewrites as Odoo posts it."""
        for cost_method in ("fifo", "average"):
            flow = Flow(cost_method=cost_method, products=2, steps=(
                Buy(product=1, qty=10, price=10.0), Manufacture(product=0, qty=4), Sell(product=0, qty=3),
                LandedCost(receipts=(0,), amount=10.0), Close()))
            native, manual = play(self, flow)
            self.assertEqual(compare(native, manual), [], flow.describe())
            self.assertEqual(manual.normalised, ["late_cost_through_production"])
            self.assertEqual(native.balances, {
                "STOCKIN": -100.0, "STOCKOUT": 30.0, "STOCKVAL": 76.0, "600000": 4.0, "OVHAPPL": -10.0})
            self.assertEqual(native.values, {("Chain", None): 10.0, ("Sprocket", None): 66.0})

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


@tagged("post_install", "-at_install")
class TestMultiLevelCostAdjustment(GlReconciliationCommon):
    """BC's multi-level Adjust Cost in manual categories: a late cost on a component reaches the orders that consumed
    it, their output entries, and through those the finished products' outbound entries, level after level."""

    @classmethod
    def setUpClass(cls):
        if "mrp.production" not in Registry(get_db_name()):
            raise unittest.SkipTest("mrp_account is not installed in this database (dev/test runs it in a second one)")
        super().setUpClass()
        cls.wip_account = cls.env["account.account"].with_company(cls.company).create({
            "name": "Production WIP", "code": "WIPPROD", "account_type": "asset_current"})

    def _manufacture(self, finished, component, qty, byproduct=None, share=0.0):
        """A done manufacturing order of ``qty`` ``finished`` from one ``component`` each (and one ``byproduct``
        each carrying ``share`` percent of the cost)."""
        bom = self.env["mrp.bom"].create({
            "product_tmpl_id": finished.product_tmpl_id.id, "product_qty": 1, "company_id": self.company.id,
            "bom_line_ids": [Command.create({"product_id": component.id, "product_qty": 1})],
            "byproduct_ids": [Command.create({"product_id": byproduct.id, "product_qty": 1, "cost_share": share})]
            if byproduct else []})
        production = self.env["mrp.production"].create({
            "product_id": finished.id, "product_qty": qty, "bom_id": bom.id, "company_id": self.company.id,
            "picking_type_id": self.warehouse.manu_type_id.id})
        production.action_confirm()
        production.action_assign()
        production.qty_producing = qty
        production._set_qty_producing()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        return production

    def _two_levels(self, cost_method):
        """10 Bolts received at 10.00; an order makes 6 Brackets of 6 Bolts, a second one 4 Tables of 4 Brackets; 2
        Bolts, 1 Bracket and 3 Tables sold; then a landed cost of 20.00 on the Bolts' receipt."""
        categ = self._make_category(self.company, self.company_data, "manual_periodic", cost_method, "Made")
        categ.with_company(self.company).property_stock_account_production_cost_id = self.wip_account
        bolt, bracket, table = (self._make_product(name, categ, self.company, standard_price=10.0)
                                for name in ("Bolt", "Bracket", "Table"))
        receipt = self._receive(bolt, 10, 10.0)
        picking = self._picking_for(receipt)
        productions = self._manufacture(bracket, bolt, 6) | self._manufacture(table, bracket, 4)
        for product, qty in ((bolt, 2), (bracket, 1), (table, 3)):
            self._deliver(product, qty)
        self._landed_cost(picking, 20.0)
        return bolt | bracket | table, productions

    def _assert_two_levels(self, cost_method):
        products, productions = self._two_levels(cost_method)
        table = products[2]
        run = self._adjust_cost()
        SVL = self.env["stock.valuation.layer"]
        adjustments = SVL.search([("product_id", "in", products.ids), ("gl_origin", "=", "cost_adjustment")],
                                 order="id")
        # level 1: the sold share of the landed cost (16.00 for 8 Bolts) on the order (6) and the sale (2); level 2:
        # the order's output, 2.00 in stock (1 Bracket left) and 10.00 consumed, forwarded to the second order (4)
        # and the sale (1); level 3: the Tables' output, 2.00 in stock, 6.00 to the sale of 3
        self.assertEqual(
            [(a.product_id.name, a.document_type, a.gl_counterpart_type, a.value, a.gl_forward_quantity)
             for a in adjustments],
            [("Bolt", "consumption", "wip", -12.0, 0.0), ("Bolt", "sale", "cogs", -4.0, 0.0),
             ("Bracket", "output", "wip", 2.0, 0.0), ("Bracket", "output", "wip", 10.0, 5.0),
             ("Bracket", "consumption", "wip", -8.0, 0.0), ("Bracket", "sale", "cogs", -2.0, 0.0),
             ("Table", "output", "wip", 2.0, 0.0), ("Table", "output", "wip", 6.0, 3.0),
             ("Table", "sale", "cogs", -6.0, 0.0)])
        self.assertEqual(run.entry_count, 9)
        self.assertEqual(set(adjustments.mapped("posting_date")), {fields.Date.context_today(adjustments)})
        self.assertFalse(products.filtered("gl_cost_adjustment_pending"))
        # inventory keeps the unsold share: 2 Bolts 20.00 + 4.00, 1 Bracket 10.00 + 2.00, 1 Table 10.00 + 2.00
        values = {p.name: p.with_company(self.company).value_svl for p in products}
        self.assertEqual(values, {"Bolt": 24.0, "Bracket": 12.0, "Table": 12.0})
        if cost_method == "average":
            self.assertEqual([p.with_company(self.company).standard_price for p in products], [12.0, 12.0, 12.0])
        # new sales take the adjusted cost: the last Table at 12.00
        self.assertEqual(self._deliver(table, 1).stock_valuation_layer_ids.value, -12.0)
        self.assertEqual(self._adjust_cost().entry_count, 0, "a second run creates nothing")
        self._post_inventory_cost()
        # COGS carries the landed cost's consumed share (4.00 + 2.00 + 6.00), the production account nets to zero
        self.assertEqual(self._balances(self.company), {
            "STOCKIN": -100.0, "STOCKVAL": 36.0, "STOCKOUT": 72.0, "600000": 12.0, "OVHAPPL": -20.0})
        self.assertFalse(productions.move_raw_ids.stock_valuation_layer_ids.filtered(lambda s: s.gl_state == "to_post"))

    def test_byproduct_takes_its_cost_share_of_a_late_cost(self):
        """5 Bolts at 10.00 make 5 Brackets and 5 Washers (by-product, 20 % of the cost: 2.00 each, Brackets 8.00);
        2 Brackets and 1 Washer sold; then a landed cost of 10.00 on the Bolts: the order's output receives 8.00 on
        the Brackets (4.80 in stock, 3.20 to the sale) and 2.00 on the Washers (1.60 in stock, 0.40 to the sale)."""
        categ = self._make_category(self.company, self.company_data, "manual_periodic", "fifo", "Made")
        bolt, bracket, washer = (self._make_product(name, categ, self.company, standard_price=10.0)
                                 for name in ("Bolt", "Bracket", "Washer"))
        receipt = self._receive(bolt, 5, 10.0)
        self._manufacture(bracket, bolt, 5, byproduct=washer, share=20.0)
        self._deliver(bracket, 2)
        self._deliver(washer, 1)
        self._landed_cost(self._picking_for(receipt), 10.0)
        self._adjust_cost()
        products = bolt | bracket | washer
        adjustments = self.env["stock.valuation.layer"].search(
            [("product_id", "in", products.ids), ("gl_origin", "=", "cost_adjustment")], order="id")
        self.assertEqual([(a.product_id.name, a.document_type, a.value) for a in adjustments], [
            ("Bolt", "consumption", -10.0), ("Bracket", "output", 4.8), ("Bracket", "output", 3.2),
            ("Washer", "output", 1.6), ("Washer", "output", 0.4), ("Bracket", "sale", -3.2), ("Washer", "sale", -0.4)])
        self.assertEqual({p.name: p.with_company(self.company).value_svl for p in products},
                         {"Bolt": 0.0, "Bracket": 28.8, "Washer": 9.6})

    def test_landed_cost_reaches_two_levels_fifo(self):
        self._assert_two_levels("fifo")

    def test_landed_cost_reaches_two_levels_average(self):
        self._assert_two_levels("average")


@tagged("post_install", "-at_install")
class TestInventoryValuationWip(GlReconciliationCommon):
    """Inventory Valuation - WIP (BC 5802) against Odoo 18's WIP accounting wizard (``mrp.account.wip.accounting``),
    and the reconciliation's WIP row reading the entries that wizard posts."""

    @classmethod
    def setUpClass(cls):
        if "mrp.production" not in Registry(get_db_name()):
            raise unittest.SkipTest("mrp_account is not installed in this database (dev/test runs it in a second one)")
        super().setUpClass()
        Account = cls.env["account.account"].with_company(cls.company)
        cls.company.account_production_wip_account_id = Account.create({
            "name": "WIP", "code": "WIPORD", "account_type": "asset_current"})
        cls.company.account_production_wip_overhead_account_id = Account.create({
            "name": "Overhead Absorbed", "code": "OVHABS", "account_type": "expense"})

    def test_order_half_consumed_against_odoo_wip_accounting(self):
        """An order for 4 Tables of 1 Bolt each (Bolts at 10.00) with one operation on a work center at 60.00 an hour:
        2 Bolts picked and 30 minutes logged by the report date. Odoo's WIP wizard values the components at 20.00 and
        the overhead at 30.00; the report gives the same, no output, WIP 50.00; a later order, done before, and
        another company's are left out."""
        bolt = self._make_product("Bolt", self.manual_categ, self.company, standard_price=10.0)
        table = self._make_product("Table", self.manual_categ, self.company)
        self._receive(bolt, 10, 10.0)
        workcenter = self.env["mrp.workcenter"].create({"name": "Assembly", "costs_hour": 60.0,
                                                        "company_id": self.company.id})
        bom = self.env["mrp.bom"].create({
            "product_tmpl_id": table.product_tmpl_id.id, "product_qty": 1, "company_id": self.company.id,
            "bom_line_ids": [Command.create({"product_id": bolt.id, "product_qty": 1})],
            "operation_ids": [Command.create({"name": "Assemble", "workcenter_id": workcenter.id,
                                              "time_cycle_manual": 60})]})

        def order(qty):
            production = self.env["mrp.production"].create({
                "product_id": table.id, "product_qty": qty, "bom_id": bom.id, "company_id": self.company.id,
                "picking_type_id": self.warehouse.manu_type_id.id})
            production.action_confirm()
            production.action_assign()
            return production

        production = order(4)
        production.move_raw_ids.move_line_ids.quantity = 2
        production.move_raw_ids.picked = True
        now = fields.Datetime.now()
        self.env["mrp.workcenter.productivity"].create({
            "workorder_id": production.workorder_ids.id, "workcenter_id": workcenter.id, "company_id": self.company.id,
            "loss_id": self.env["mrp.workcenter.productivity.loss"].search([("loss_type", "=", "productive")],
                                                                           limit=1).id,
            "date_start": now - timedelta(minutes=45), "date_end": now - timedelta(minutes=15)})
        order(1)  # confirmed, nothing picked: an all-zero line, left out
        today = fields.Date.context_today(production)
        wizard = self.env["mrp.account.wip.accounting"].with_context(
            active_ids=production.ids, active_model="mrp.production").create(
                {"date": today, "reversal_date": today + timedelta(days=1)})
        odoo = {line.label: line.credit for line in wizard.line_ids if line.credit}
        self.assertEqual(odoo, {"WIP - Component Value": 20.0, "WIP - Overhead": 30.0})
        report = self.env["stock.inventory.valuation.report"].create({
            "report_type": "wip", "company_id": self.company.id, "date_to": today})
        lines = report._create_lines()
        self.assertEqual([(line.production_name, line.product_id, line.component_value, line.capacity_value,
                           line.output_value, line.wip_value) for line in lines],
                         [(production.name, table, 20.0, 30.0, 0.0, 50.0)])
        self.assertEqual(lines.action_open_production()["res_id"], production.id)
        self.assertEqual(report.action_open_lines()["views"][0][0],
                         self.env.ref("stock_account_gl_reconciliation.stock_inventory_valuation_line_wip_list").id)
        report.action_print()
        html = self.env["ir.actions.report"]._render_qweb_html(
            "stock_account_gl_reconciliation.action_report_inventory_valuation", report.ids)[0].decode()
        self.assertIn(production.name, html)
        self.assertIn("WIP Value", html)
        # the day before, nothing was picked or logged yet
        report.date_to = today - timedelta(days=1)
        self.assertFalse(report._create_lines())
        # the reconciliation's WIP row reads the wizard's entry (Dr WIP 50.00) and explains it
        wizard.confirm()
        matrix = self.env["stock.inventory.gl.reconciliation"].create({
            "company_id": self.company.id, "date_from": today, "date_to": today}).get_matrix()
        wip = next(row for row in matrix if row["account_type"] == "wip")
        self.assertEqual((wip["other_gl"], wip["difference"], wip["warning_code"]), (50.0, 50.0, "wip_accounting"))
