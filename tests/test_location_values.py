"""The location invariant (transfer value entries) is pure arithmetic: these tests need no database."""
import unittest

from odoo.addons.stock_account_gl_reconciliation.models import cost_adjustment as ca

WH1, WH2, WH3 = (1, 110191), (2, 110192), (3, 110193)  # (warehouse id, inventory account id)


class TestLocationValues(unittest.TestCase):
    def test_sale_from_a_place_valued_by_a_receipt_elsewhere(self):
        """Receipts of 1 at 10.00 in WH1 and 1 at 12.00 in WH2; a sale from WH2 that Odoo's company-wide
        FIFO values at 10.00: WH1 holds 10.00 for its unit, WH2 2.00 for none. Odoo's cost of the remaining
        unit is 12.00: WH2 gives its 2.00 to WH1."""
        targets = ca.location_targets({WH1: 1.0, WH2: 0.0}, 12.0, 0.01)
        self.assertEqual(targets, {WH1: 12.0, WH2: 0.0})
        self.assertEqual(ca.rebalancing_transfers({WH1: 10.0, WH2: 2.0}, targets, 0.01), [(WH2, WH1, 2.0)])

    def test_rounding_residual_on_the_place_with_most_quantity(self):
        targets = ca.location_targets({WH1: 1.0, WH2: 2.0, WH3: 1.0}, 10.0, 0.01)
        self.assertEqual(targets, {WH1: 2.5, WH2: 5.0, WH3: 2.5})
        targets = ca.location_targets({WH1: 1.0, WH2: 1.0, WH3: 1.0}, 10.0, 0.01)
        self.assertEqual(targets, {WH1: 3.34, WH2: 3.33, WH3: 3.33})  # equal quantities: the smallest key
        self.assertEqual(round(sum(targets.values()), 2), 10.0)
        self.assertEqual(ca.location_targets({WH1: 0.0}, 5.0, 0.01), {})  # value with no quantity anywhere

    def test_transfers_reach_every_target_and_move_nothing_else(self):
        current = {WH1: 20.0, WH2: -10.0, WH3: 5.0}
        targets = {WH1: 0.0, WH2: 10.0, WH3: 5.0}
        transfers = ca.rebalancing_transfers(current, targets, 0.01)
        self.assertEqual(transfers, [(WH1, WH2, 20.0)])
        self.assertEqual(ca.rebalancing_transfers(targets, targets, 0.01), [])
        current = {WH1: 7.0, WH2: 3.0, WH3: 0.0}
        transfers = ca.rebalancing_transfers(current, {WH1: 0.0, WH2: 0.0, WH3: 10.0}, 0.01)
        self.assertEqual(transfers, [(WH1, WH3, 7.0), (WH2, WH3, 3.0)])
        with self.assertRaises(ValueError):
            ca.rebalancing_transfers({WH1: 10.0}, {WH1: 9.99}, 0.01)
