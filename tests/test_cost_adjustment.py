"""Adjust Cost – Item Entries with Business Central's worked examples
run through Odoo's own flows, plus negative stock, partial deliveries, applications and scheduled runs."""
import unittest
from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.stock_account_gl_reconciliation.models import cost_adjustment as ca

from .common import GlReconciliationCommon


class TestCostAdjustmentArithmetic(unittest.TestCase):
    """The pure arithmetic, no database."""

    def test_allocate_adds_up_exactly(self):
        # 6.67 over 3 + 3 units: cumulative rounding gives -3.33 / -3.34, never -3.33 twice
        self.assertEqual(ca.allocate(-6.67, [3, 3], 6, 0.01), [-3.33, -3.34])
        shares = ca.allocate(10.0, [1, 1, 1], 3, 0.01)
        self.assertEqual(shares, [3.33, 3.34, 3.33])
        self.assertEqual(round(sum(shares), 2), 10.0)
        # quantities beyond the total get nothing
        self.assertEqual(ca.allocate(4.0, [2, 2, 5], 4, 0.01), [2.0, 2.0, 0.0])

    def _l5(self):
        E = ca.AverageEntry
        return [
            E(1, date(2023, 1, 1), "in", 1, 20.0), E(2, date(2023, 1, 1), "in", 1, 40.0),
            E(3, date(2023, 1, 1), "out", -1, -20.0), E(4, date(2023, 2, 1), "out", -1, -40.0),
            E(5, date(2023, 2, 2), "in", 1, 100.0), E(6, date(2023, 2, 3), "out", -1, -100.0),
        ]

    def test_l5_average_day_and_month(self):
        self.assertEqual(ca.average_cost_targets(self._l5(), "day", 0.01), {3: -30.0, 4: -30.0, 6: -100.0})
        self.assertEqual(ca.average_cost_targets(self._l5(), "month", 0.01), {3: -30.0, 4: -65.0, 6: -65.0})

    def test_l5_recalculation_after_backdated_increase(self):
        E = ca.AverageEntry
        entries = [E(1, date(2020, 1, 1), "in", 1, 10.0), E(2, date(2020, 1, 2), "in", 1, 20.0),
                   E(3, date(2020, 2, 15), "out", -1, -15.0), E(4, date(2020, 2, 16), "out", -1, -15.0),
                   E(5, date(2020, 1, 3), "in", 1, 21.0)]
        self.assertEqual(ca.average_cost_targets(entries, "day", 0.01), {3: -17.0, 4: -17.0})

    def test_quantity_zero_means_value_zero(self):
        E = ca.AverageEntry
        entries = [E(1, date(2020, 1, 1), "in", 3, 10.0), E(2, date(2020, 1, 5), "out", -1, -3.33),
                   E(3, date(2020, 1, 5), "out", -1, -3.33), E(4, date(2020, 1, 5), "out", -1, -3.33)]
        targets = ca.average_cost_targets(entries, "day", 0.01)
        self.assertEqual(targets, {2: -3.33, 3: -3.33, 4: -3.34})

    def test_horizon(self):
        today = date(2026, 3, 31)
        self.assertEqual(ca.horizon_start(today, "day"), date(2026, 3, 30))
        self.assertEqual(ca.horizon_start(today, "week"), date(2026, 3, 24))
        self.assertEqual(ca.horizon_start(today, "month"), date(2026, 2, 28))
        self.assertEqual(ca.horizon_start(today, "quarter"), date(2025, 12, 31))
        self.assertEqual(ca.horizon_start(today, "year"), date(2025, 3, 31))
        self.assertIsNone(ca.horizon_start(today, "always"))
        self.assertEqual(ca.horizon_start(today, "never"), date.max)


@tagged("post_install", "-at_install")
class TestCostAdjustment(GlReconciliationCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.avco_categ = cls._make_category(cls.company, cls.company_data, "manual_periodic", "average", "Manual AVCO")
        cls.rt_categ = cls._make_category(cls.company, cls.company_data, "real_time", "fifo", "Automated FIFO")
        cls.accounts = dict(cls.company_data, overhead=cls.overhead_account)

    def _product(self, name, categ=None, price=0.0):
        return self._make_product(name, categ or self.manual_categ, self.company, standard_price=price)

    def _svl(self, move):
        return move.stock_valuation_layer_ids.filtered(lambda s: s.quantity)

    def _carried(self, svl):
        """Value an outbound entry carries: its own plus every adjustment applied to it."""
        adjustments = self.env["stock.valuation.layer"].search([("applies_to_id", "=", svl.id)])
        return round(svl.value + sum(adjustments.mapped("value")), 2)

    def _stock(self, product):
        layers = self.env["stock.valuation.layer"].search([("product_id", "=", product.id)])
        return round(sum(layers.mapped("quantity")), 4), round(sum(layers.mapped("value")), 2)

    def _codes(self, lines):
        return {(line.account_id.with_company(self.company).code, round(line.balance, 2)) for line in lines}

    # ------------------------------------------------------------------------------------------------
    def test_l3_late_landed_cost_after_sale(self):
        """Purchase 1 @ 10 (01-01), sale (01-15), posted; landed cost 2.00 on 02-10 after the sale.
        Adjust Cost creates -2.00 dated like the sale; after posting, the sale's cost side carries 12.00."""
        product = self._product("L3 chain")
        receipt = self._receive(product, 1, 10.0, date=date(2026, 1, 1))
        delivery = self._deliver(product, 1, date=date(2026, 1, 15))
        out_svl = self._svl(delivery)
        self.assertEqual(self._svl(receipt).gl_consumed_by_ids.mapped(lambda a: (a.outbound_svl_id, a.quantity)),
                         [(out_svl, 1.0)])
        self._post_inventory_cost(posting_method="per_entry")
        self.assertTrue(product.cost_is_adjusted)

        self._landed_cost(self._picking_for(receipt), 2.0, cost_date=date(2026, 2, 10))
        source = self.env["stock.valuation.layer"].search([("product_id", "=", product.id),
                                                           ("gl_forward_quantity", ">", 0)])
        self.assertEqual((source.value, source.gl_forward_quantity, source.posting_date, source.entry_type),
                         (2.0, 1.0, date(2026, 2, 10), "indirect_cost"))
        product.invalidate_recordset()
        self.assertFalse(product.cost_is_adjusted)
        self.assertEqual(self.env["product.product"].search([("cost_is_adjusted", "=", False),
                                                             ("id", "=", product.id)]), product)

        run = self._adjust_cost()
        self.assertEqual((run.state, run.product_count, run.entry_count, run.total_forwarded), ("done", 1, 1, -2.0))
        adjustment = run.svl_ids
        self.assertEqual((adjustment.value, adjustment.posting_date, adjustment.applies_to_id, adjustment.is_adjustment,
                          adjustment.entry_type, adjustment.gl_cost_source_id, adjustment.document_type,
                          adjustment.gl_counterpart_type, adjustment.gl_state),
                         (-2.0, date(2026, 1, 15), out_svl, True, "indirect_cost", source, "sale", "cogs", "to_post"))
        product.invalidate_recordset()
        self.assertTrue(product.cost_is_adjusted)
        self.assertEqual(self._carried(out_svl), -12.0)
        # each entry names its document: the adjustment the delivery it adjusts, the sold share its landed cost
        self.assertEqual((adjustment.gl_document, adjustment.applies_to_id.display_name),
                         (delivery.reference, "%s - %s" % (delivery.reference, product.display_name)))
        self.assertEqual(source.gl_document, receipt.reference)

        post = self._post_inventory_cost(posting_method="per_entry")
        moves = post.move_ids
        self.assertEqual(len(moves), 2)
        by_date = {m.date: m for m in moves}
        stock_val = self.accounts["default_account_stock_valuation"].code
        self.assertEqual(self._codes(by_date[date(2026, 2, 10)].line_ids), {(stock_val, 2.0), ("OVHAPPL", -2.0)})
        expense = self.accounts["default_account_expense"].code
        self.assertEqual(self._codes(by_date[date(2026, 1, 15)].line_ids), {(stock_val, -2.0), (expense, 2.0)})
        # COGS side of the sale: 10.00 on stock output (the delivery) + 2.00 on cost of goods sold
        cost_side = sum((out_svl | adjustment).gl_link_ids.filtered(
            lambda link: link.account_type != "inventory").mapped("amount"))
        self.assertEqual(round(cost_side, 2), 12.0)
        self.assertEqual(self._stock(product), (0.0, 0.0))
        # running both again creates and posts nothing
        self.assertEqual(self._adjust_cost().state, "nothing")
        self.assertFalse(self._post_inventory_cost(posting_method="per_entry"))

    def test_l3_adjust_with_post_to_gl(self):
        """Post to G/L on the wizard posts the adjustment at once, per entry, on the sale's date."""
        product = self._product("L3 post")
        receipt = self._receive(product, 1, 10.0, date=date(2026, 1, 1))
        self._deliver(product, 1, date=date(2026, 1, 15))
        self._landed_cost(self._picking_for(receipt), 2.0, cost_date=date(2026, 2, 10))
        run = self._adjust_cost(post_to_gl=True)
        self.assertEqual(run.svl_ids.gl_state, "posted")
        self.assertEqual(run.post_run_id.move_ids.date, date(2026, 1, 15))
        self.assertEqual(run.post_run_id.posting_method, "per_entry")

    def test_filters_are_exclusive(self):
        wizard = self.env["stock.cost.adjust"].create({"product_ids": [(6, 0, self.product.ids)],
                                                       "categ_ids": [(6, 0, self.manual_categ.ids)]})
        with self.assertRaisesRegex(UserError, "not both"):
            wizard.action_adjust()

    def _l5_flows(self, product):
        self._receive(product, 1, 20.0, date=date(2023, 1, 1))
        self._receive(product, 1, 40.0, date=date(2023, 1, 1))
        d3 = self._deliver(product, 1, date=date(2023, 1, 1))
        d4 = self._deliver(product, 1, date=date(2023, 2, 1))
        self._receive(product, 1, 100.0, date=date(2023, 2, 2))
        d6 = self._deliver(product, 1, date=date(2023, 2, 3))
        return [self._svl(d) for d in (d3, d4, d6)]

    def test_l5_average_cost_period_day(self):
        """Average Cost Period Day: -30 / -30 / -100. Odoo's running average already gives these values: the
        product is never flagged and Adjust Cost creates nothing."""
        self.company.gl_average_cost_period = "day"
        product = self._product("L5 day", self.avco_categ)
        outs = self._l5_flows(product)
        self.assertTrue(product.cost_is_adjusted)
        run = self._adjust_cost(product_ids=product)
        self.assertEqual(run.state, "nothing")
        self.assertEqual([self._carried(s) for s in outs], [-30.0, -30.0, -100.0])
        self.assertEqual(self._stock(product), (0.0, 0.0))

    def test_l5_average_cost_period_month(self):
        """Average Cost Period Month: -30 / -65 / -65 (February: (30 + 100) / 2). The February receipt after the
        February sale flags the product; the adjustment moves 35.00 between the two sales, dated like
        them, and the product ends at quantity 0 and value 0."""
        self.company.gl_average_cost_period = "month"
        product = self._product("L5 month", self.avco_categ)
        outs = self._l5_flows(product)
        product.invalidate_recordset()
        self.assertFalse(product.cost_is_adjusted)
        run = self._adjust_cost()
        self.assertEqual((run.state, run.entry_count, run.total_forwarded), ("done", 2, 0.0))
        self.assertEqual(sorted((s.posting_date, s.value) for s in run.svl_ids),
                         [(date(2023, 2, 1), -35.0), (date(2023, 2, 3), 35.0)])
        self.assertEqual([self._carried(s) for s in outs], [-30.0, -65.0, -65.0])
        self.assertEqual(self._stock(product), (0.0, 0.0))
        self.assertEqual(self._adjust_cost(product_ids=product).state, "nothing")

    def test_l6_costing_methods(self):
        """Three increases of 1 on 01-01 at 10, 20, 30; decreases on 02-01, 03-01, 04-01. FIFO
        -10/-20/-30, average -20/-20/-20; quantity 0 and value 0 at the end for both."""
        for categ, expected in ((self.manual_categ, [-10.0, -20.0, -30.0]), (self.avco_categ, [-20.0, -20.0, -20.0])):
            product = self._product("L6 %s" % categ.name, categ)
            for cost in (10.0, 20.0, 30.0):
                self._receive(product, 1, cost, date=date(2026, 1, 1))
            outs = [self._svl(self._deliver(product, 1, date=date(2026, month, 1))) for month in (2, 3, 4)]
            self.assertEqual(self._adjust_cost(product_ids=product).state, "nothing")
            self.assertEqual([self._carried(s) for s in outs], expected)
            self.assertEqual(self._stock(product), (0.0, 0.0))

    def test_l6_average_decreases_after_late_cost(self):
        """Average cost, a landed cost of 6.00 on the first receipt after all three decreases: every
        decrease of January's average gets +2.00 more cost, and quantity 0 still means value 0."""
        self.company.gl_average_cost_period = "month"
        product = self._product("L6 late", self.avco_categ)
        r1 = self._receive(product, 1, 10.0, date=date(2026, 1, 1))
        self._receive(product, 1, 20.0, date=date(2026, 1, 1))
        self._receive(product, 1, 30.0, date=date(2026, 1, 1))
        outs = [self._svl(self._deliver(product, 1, date=date(2026, month, 1))) for month in (2, 3, 4)]
        self._landed_cost(self._picking_for(r1), 6.0, cost_date=date(2026, 5, 1))
        run = self._adjust_cost()
        self.assertEqual(run.total_forwarded, -6.0)
        self.assertEqual([self._carried(s) for s in outs], [-22.0, -22.0, -22.0])
        self.assertEqual(sorted(run.svl_ids.mapped("posting_date")), [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4,
                                                                                                               1)])
        self.assertEqual(self._stock(product), (0.0, 0.0))

    def test_l9_adjustment_dated_first_open_date(self):
        """Sale on 09-05, posting allowed from 09-10: the adjustment for the sale is dated 09-10
        and posts there; an adjustment for a sale dated after the lock keeps its date."""
        product = self._product("L9")
        receipt = self._receive(product, 2, 10.0, date=date(2026, 9, 1))
        first = self._svl(self._deliver(product, 1, date=date(2026, 9, 5)))
        second = self._svl(self._deliver(product, 1, date=date(2026, 9, 12)))
        self._post_inventory_cost(posting_method="per_entry")
        self.company.sudo().fiscalyear_lock_date = date(2026, 9, 9)
        self._landed_cost(self._picking_for(receipt), 4.0, cost_date=date(2026, 9, 20))
        run = self._adjust_cost(post_to_gl=True)
        by_out = {s.applies_to_id: s for s in run.svl_ids}
        self.assertEqual((by_out[first].posting_date, by_out[first].value), (date(2026, 9, 10), -2.0))
        self.assertEqual((by_out[second].posting_date, by_out[second].value), (date(2026, 9, 12), -2.0))
        self.assertEqual(sorted(run.post_run_id.move_ids.mapped("date")), [date(2026, 9, 10), date(2026, 9, 12)])

    def test_negative_stock_later_covered(self):
        """A sale of 5 with no stock is valued at the estimate (10.00); the receipt of 5 @ 12 later runs
        Odoo's vacuum: its correction is an adjustment of the sale, dated like it, with the application
        recorded. Adjust Cost has nothing left to do; the sale's cost side ends at 60.00."""
        product = self._product("Negative", price=10.0)
        delivery = self._deliver(product, 5, date=date(2026, 3, 10))
        out_svl = self._svl(delivery)
        self.assertEqual((out_svl.value, out_svl.remaining_qty), (-50.0, -5.0))
        receipt = self._receive(product, 5, 12.0, date=date(2026, 3, 20))
        correction = self.env["stock.valuation.layer"].search([("applies_to_id", "=", out_svl.id)])
        self.assertEqual((correction.value, correction.is_adjustment, correction.posting_date),
                         (-10.0, True, date(2026, 3, 10)))
        self.assertEqual(out_svl.gl_consumed_from_ids.mapped(lambda a: (a.inbound_svl_id, a.quantity)),
                         [(self._svl(receipt), 5.0)])
        self.assertEqual(self._adjust_cost(product_ids=product).state, "nothing")
        self.assertEqual(self._carried(out_svl), -60.0)
        self._post_inventory_cost(posting_method="per_entry")
        cost_side = sum((out_svl | correction).gl_link_ids.filtered(
            lambda link: link.account_type != "inventory").mapped("amount"))
        self.assertEqual(round(cost_side, 2), 60.0)
        self.assertEqual(self._stock(product), (0.0, 0.0))

    def test_landed_cost_after_partial_delivery(self):
        """Receipt 9 @ 7, deliveries of 3 and 3, landed cost 10.00 with 3 still in stock: Odoo adds 3.33 to
        the stock, the sold share 6.67 is split -3.33 / -3.34 over the two deliveries (adding up exactly);
        the last 3 leave at 8.11 each natively and the receipt nets to zero."""
        product = self._product("Partial")
        receipt = self._receive(product, 9, 7.0, date=date(2026, 4, 1))
        d1 = self._svl(self._deliver(product, 3, date=date(2026, 4, 2)))
        d2 = self._svl(self._deliver(product, 3, date=date(2026, 4, 3)))
        self._landed_cost(self._picking_for(receipt), 10.0, cost_date=date(2026, 4, 10))
        run = self._adjust_cost()
        self.assertEqual(sorted((s.applies_to_id.id, s.posting_date, s.value) for s in run.svl_ids),
                         [(d1.id, date(2026, 4, 2), -3.33), (d2.id, date(2026, 4, 3), -3.34)])
        d3 = self._svl(self._deliver(product, 3, date=date(2026, 4, 20)))
        self.assertEqual(d3.value, -24.33)
        self.assertEqual(self._stock(product), (0.0, 0.0))
        self.assertEqual(self._adjust_cost().state, "nothing")

    def test_real_time_landed_cost_forwarding_recorded_at_once(self):
        """Automated category: Odoo's landed-cost entry already moved the sold share out of inventory, so
        the forwarding is recorded at once per delivery, excluded from posting, and nothing waits."""
        product = self._product("Automated", self.rt_categ)
        receipt = self._receive(product, 4, 10.0, date=date(2026, 5, 1))
        d1 = self._svl(self._deliver(product, 1, date=date(2026, 5, 2)))
        d2 = self._svl(self._deliver(product, 3, date=date(2026, 5, 3)))
        self._landed_cost(self._picking_for(receipt), 8.0, cost_date=date(2026, 5, 5))
        forwarded = self.env["stock.valuation.layer"].search([("applies_to_id", "in", (d1 | d2).ids)])
        self.assertEqual(sorted((s.applies_to_id.id, s.value, s.gl_state) for s in forwarded),
                         [(d1.id, -2.0, "not_to_post"), (d2.id, -6.0, "not_to_post")])
        product.invalidate_recordset()
        self.assertTrue(product.cost_is_adjusted)
        self.assertEqual(self._adjust_cost(product_ids=product).state, "nothing")

    def test_applications_replay_matches_live(self):
        """The install-time replay (set-based) rebuilds exactly the applications written live, including
        negative stock covered later and a customer return consumed again."""
        product = self._product("Replay", price=5.0)
        other = self._product("Replay AVCO", self.avco_categ, price=5.0)
        wh = self.warehouse
        customers = self.env.ref("stock.stock_location_customers")
        for prod in (product, other):
            self._receive(prod, 4, 6.0)
            self._deliver(prod, 6)  # 2 short
            self._receive(prod, 5, 7.0)  # vacuum covers 2
            self._deliver(prod, 2)
            self._move(prod, customers, wh.lot_stock_id, 1, price_unit=7.0)  # return
            self._deliver(prod, 3)
        App = self.env["stock.valuation.layer.application"]
        domain = [("product_id", "in", (product | other).ids)]
        live = sorted(App.search(domain).mapped(lambda a: (a.inbound_svl_id.id, a.outbound_svl_id.id, a.quantity)))
        self.assertEqual(len(live), 10)
        App._gl_rebuild(self.company.ids)
        replay = sorted(App.search(domain).mapped(lambda a: (a.inbound_svl_id.id, a.outbound_svl_id.id, a.quantity)))
        self.assertEqual(replay, live)
        for layer in self.env["stock.valuation.layer"].search(domain + [("quantity", ">", 0)]):
            self.assertEqual(layer.quantity - sum(layer.gl_consumed_by_ids.mapped("quantity")), layer.remaining_qty)

    def test_automatic_cost_adjustment_horizon(self):
        """With Automatic Cost Adjustment = Month, a late cost on a receipt of the last month is
        forwarded before the transaction commits; with Day, it waits for the batch job."""
        today = date.today()
        self.company.gl_automatic_cost_adjustment = "month"
        product = self._product("Auto")
        receipt = self._receive(product, 1, 10.0, date=today)
        self._deliver(product, 1, date=today)
        self._landed_cost(self._picking_for(receipt), 2.0, cost_date=today)
        self.env.cr.precommit.run()
        run = self.env["stock.cost.adjust.run"].search([("product_ids", "in", product.ids)])
        self.assertEqual((run.trigger, run.total_forwarded), ("automatic", -2.0))
        product.invalidate_recordset()
        self.assertTrue(product.cost_is_adjusted)

        self.company.gl_automatic_cost_adjustment = "day"
        old = self._product("Auto old")
        receipt = self._receive(old, 1, 10.0, date=date(2020, 1, 10))
        self._deliver(old, 1, date=date(2020, 1, 15))
        self._landed_cost(self._picking_for(receipt), 2.0, cost_date=today)
        self.env.cr.precommit.run()
        old.invalidate_recordset()
        self.assertFalse(old.cost_is_adjusted)
        self.assertFalse(self.env["stock.cost.adjust.run"].search([("product_ids", "in", old.ids)]))

    def test_scheduled_actions(self):
        """The two scheduled actions: Adjust Cost adjusts every flagged product (and posts with Automatic
        Cost Posting), Post Inventory Cost to G/L posts the queue with the company's method; both leave a
        run record and a second call finds nothing."""
        self.company.write({"gl_automatic_cost_posting": "scheduled", "gl_scheduled_posting_method": "per_entry"})
        product = self._product("Cron")
        receipt = self._receive(product, 2, 10.0, date=date(2026, 6, 1))
        self._deliver(product, 2, date=date(2026, 6, 2))
        self._landed_cost(self._picking_for(receipt), 4.0, cost_date=date(2026, 6, 5))
        Run = self.env["stock.cost.adjust.run"]
        AdjustEngine, PostEngine = self.env["stock.cost.adjust.engine"], self.env["stock.inventory.cost.post.engine"]
        AdjustEngine._cron_adjust_cost()
        adjust_run = Run.search([("company_id", "=", self.company.id), ("trigger", "=", "scheduled")])
        self.assertEqual((adjust_run.total_forwarded, adjust_run.svl_ids.gl_state), (-4.0, "posted"))
        PostRun = self.env["stock.inventory.cost.post.run"]
        before = PostRun.search_count([])
        PostEngine._cron_post_inventory_cost()
        post_run = PostRun.search([], order="id desc", limit=1)
        self.assertEqual(PostRun.search_count([]), before + 1)
        self.assertEqual((post_run.posting_method, post_run.state), ("per_entry", "done"))
        self.assertEqual(len(post_run.move_ids), 3)  # receipt, delivery, landed cost sold share
        queue = self.env["stock.valuation.layer"].search([("product_id", "=", product.id),
                                                          ("gl_state", "in", ("to_post", "partial"))])
        self.assertFalse(queue)
        AdjustEngine._cron_adjust_cost()
        PostEngine._cron_post_inventory_cost()
        self.assertEqual(Run.search_count([("company_id", "=", self.company.id), ("trigger", "=", "scheduled")]), 1)
        self.assertEqual(PostRun.search_count([]), before + 1)

    def test_reconciliation_warns_costs_not_adjusted(self):
        """A difference on an account type while a product of the filter waits for cost adjustment gets the
        "Adjust Cost" warning (the catalogue's order: after "not posted"); once adjusted, the next cause shows."""
        product = self._product("Recon")
        receipt = self._receive(product, 1, 10.0, date=date(2026, 7, 1))
        self._deliver(product, 1, date=date(2026, 7, 2))
        self._landed_cost(self._picking_for(receipt), 2.0, cost_date=date(2026, 7, 5))
        self._post_inventory_cost()
        manual = self.env["account.move"].create({
            "move_type": "entry", "journal_id": self.company_data["default_journal_misc"].id, "date": date(2026, 7, 6),
            "line_ids": [
                (0, 0, {"account_id": self.company_data["default_account_stock_valuation"].id, "balance": 50.0}),
                (0, 0, {"account_id": self.company_data["default_account_revenue"].id, "balance": -50.0}),
            ]})
        manual.action_post()
        wizard = self.env["stock.inventory.gl.reconciliation"].create({"company_id": self.company.id})
        inv = {r["account_type"]: r for r in wizard.get_matrix()}["inventory"]
        self.assertEqual((inv["difference"], inv["warning_code"]), (50.0, "not_adjusted"))
        self._adjust_cost(post_to_gl=True)
        inv = {r["account_type"]: r for r in wizard.get_matrix()}["inventory"]
        self.assertEqual((inv["difference"], inv["warning_code"]), (50.0, "direct_posting"))
