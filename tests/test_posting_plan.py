"""The posting plan is pure Python: these tests need no database and pin its arithmetic."""
import unittest
from datetime import date

from odoo.tools import SQL

from odoo.addons.stock_account_gl_reconciliation.models import gl_sql
from odoo.addons.stock_account_gl_reconciliation.models import posting_plan as pp

D1, D2 = date(2026, 1, 15), date(2026, 1, 16)
ACC = {"inventory": 2130, "stock_output": 5100, "stock_input": 2140, "overhead_applied": 7890}


def entry(svl_id, amount, ctype="stock_output", posting_date=D1, accounts=None, **kw):
    return pp.PlanEntry(svl_id=svl_id, company_id=1, posting_date=posting_date, amount=amount, journal_id=9,
                        counterpart_type=ctype, accounts=accounts or ACC, categ_id=3, warehouse_id=1, location_id=8,
                        **kw)


class TestPostingPlan(unittest.TestCase):

    def test_matrix_follows_spec(self):
        self.assertEqual(pp.counterpart_account_type("purchase", "direct_cost"), "stock_input")
        self.assertEqual(pp.counterpart_account_type("purchase", "indirect_cost"), "overhead_applied")
        self.assertEqual(pp.counterpart_account_type("sale", "direct_cost"), "stock_output")
        self.assertEqual(pp.counterpart_account_type("negative_adjmt", "direct_cost"), "inventory_adjustment")
        self.assertEqual(pp.counterpart_account_type("consumption", "direct_cost"), "wip")
        self.assertEqual(pp.counterpart_account_type("sale", "revaluation"), "inventory_adjustment")
        self.assertEqual(pp.counterpart_account_type("purchase", "variance"), "purchase_variance")
        self.assertEqual(pp.counterpart_account_type("positive_adjmt", "direct_cost", "category_switch"), "stock_input")
        self.assertEqual(pp.counterpart_account_type("sale", "indirect_cost", "landed_cost_out"), "cogs")

    def test_sql_matrix_is_the_same_rules(self):
        sql = gl_sql.counterpart_account_type(SQL("d"), SQL("e"), SQL("o"))
        self.assertEqual(sql.code.count("WHEN"), len(pp.COUNTERPART_RULES))
        self.assertIn("WHEN e IN %s AND d IN %s THEN %s", sql.code)
        self.assertIn((("indirect_cost",), ("purchase",), "overhead_applied"),
                      [tuple(sql.params[i:i + 3]) for i in range(len(sql.params) - 2)])

    def test_chunks_of_whole_posting_dates(self):
        counts = [(D1, 3), (D2, 3), (date(2026, 1, 17), 1), (date(2026, 1, 18), 5)]
        self.assertEqual(pp.posting_date_ranges(counts, 4), [(D1, D1), (D2, date(2026, 1, 17)),
                                                             (date(2026, 1, 18), date(2026, 1, 18))])
        # the dates up to the first open date stay one chunk (they all move to that date)
        self.assertEqual(pp.posting_date_ranges(counts, 4, first_open_date=D2),
                         [(D1, D2), (date(2026, 1, 17), date(2026, 1, 17)), (date(2026, 1, 18), date(2026, 1, 18))])
        self.assertEqual(pp.posting_date_ranges([], 4), [])

    def test_entry_posts_a_balanced_pair(self):
        lines = pp.plan_entry_lines(entry(1, -80.0))
        self.assertEqual([(line.account_id, line.account_type, line.amount) for line in lines],
                         [(2130, "inventory", -80.0), (5100, "stock_output", 80.0)])
        self.assertEqual(pp.plan_entry_lines(entry(1, 0.004)), [])

    def test_per_entry_one_move_per_value_entry(self):
        moves = pp.plan_moves([entry(1, -80.0), entry(2, -20.0)], "per_entry")
        self.assertEqual(len(moves), 2)
        self.assertEqual([len(m.lines) for m in moves], [2, 2])

    def test_per_posting_group_bc_d2(self):
        """Two sales on 01-15 (-80, -20) -> Inventory -100 / COGS +100, 4 links; a return (+10)
        stays on separate lines (never netted); a sale on 01-16 is another journal entry."""
        moves = pp.plan_moves([entry(1, -80.0), entry(2, -20.0), entry(3, 10.0), entry(4, -5.0, posting_date=D2)],
                              "per_posting_group")
        self.assertEqual(len(moves), 2)
        first = moves[0]
        self.assertEqual(sorted((line.account_type, line.amount) for line in first.lines),
                         [("inventory", -100.0), ("inventory", 10.0), ("stock_output", -10.0), ("stock_output", 100.0)])
        inv = next(line for line in first.lines if line.account_type == "inventory" and line.amount < 0)
        self.assertEqual(inv.contributions, {1: -80.0, 2: -20.0})
        self.assertEqual(sum(len(line.contributions) for line in first.lines), 6)
        self.assertEqual(pp.totals_per_account_type(moves), {"inventory": -95.0, "stock_output": 95.0})

    def test_grouping_key_keeps_analytic_and_warehouse_apart(self):
        moves = pp.plan_moves([entry(1, -1.0), entry(2, -1.0, analytic_distribution={"7": 100}),
                               pp.PlanEntry(3, 1, D1, -1.0, 9, "stock_output", ACC, 3, 2, 9)], "per_posting_group")
        self.assertEqual(len(moves), 1)
        self.assertEqual(len(moves[0].lines), 6)

    def test_rounding_half_up_to_the_cent(self):
        self.assertEqual(pp.round_money(0.125, 0.01), 0.13)
        self.assertEqual(pp.round_money(-2.675, 0.01), -2.68)
        moves = pp.plan_moves([entry(i, 0.1) for i in range(1, 4)], "per_posting_group")
        self.assertEqual(moves[0].lines[0].amount, 0.3)

    def test_expense_transfer_posts_a_second_pair(self):
        """A vendor return valued 8.00 below its purchase price: the entry's pair, then COGS -8 / stock input
        +8 (Odoo's purchase_stock entry beside the return); per posting group, nothing is netted."""
        accounts = dict(ACC, cogs=6000)
        ret = entry(1, -20.0, "stock_input", accounts=accounts, expense_amount=-8.0, quantity=-2.0)
        lines = pp.plan_entry_lines(ret)
        self.assertEqual([(line.account_type, line.amount, line.quantity) for line in lines],
                         [("inventory", -20.0, -2.0), ("stock_input", 20.0, -2.0), ("cogs", -8.0, 0.0),
                          ("stock_input", 8.0, 0.0)])
        self.assertEqual(pp.totals_per_account_type(pp.plan_moves([ret])),
                         {"inventory": -20.0, "stock_input": 28.0, "cogs": -8.0})
        # an entry with nothing left to post but its expense transfer still posts the transfer
        self.assertEqual(len(pp.plan_entry_lines(entry(2, 0.0, "stock_output", accounts=accounts, expense_amount=6.0))),
                         2)

    def test_interim_lines_stay_per_stock_move(self):
        """Per posting group, lines of the detail types (reconcilable interim accounts) are summed per stock
        move and keep product and quantity; the inventory side is summed as before."""
        detail = frozenset(["stock_input"])
        moves = pp.plan_moves([
            entry(1, 70.0, "stock_input", move_id=11, product_id=5, quantity=10.0, detail_types=detail),
            entry(2, 16.0, "stock_input", move_id=12, product_id=5, quantity=2.0, detail_types=detail),
            entry(3, 10.0, "stock_input", move_id=12, product_id=5, quantity=1.0, detail_types=detail),
        ], "per_posting_group")
        lines = moves[0].lines
        self.assertEqual(sorted((line.account_type, line.amount, line.move_id, line.product_id, line.quantity)
                                for line in lines),
                         [("inventory", 96.0, False, False, 0.0),
                          ("stock_input", -70.0, 11, 5, 10.0), ("stock_input", -26.0, 12, 5, 3.0)])
        self.assertEqual(next(line for line in lines if line.move_id == 12).contributions, {2: -16.0, 3: -10.0})

    def test_foreign_purchase_lines_keep_their_currency(self):
        """A receipt of 7 bought at 16.00 EUR (56.00, rate 2) and the bill's price difference of -10.50 (no
        amount in EUR; its 21.00 EUR on a zero-balance line), as purchase_stock writes them: per posting
        group one stock input line per value entry in EUR, the inventory side summed in company currency."""
        detail, eur = frozenset(["stock_input"]), 7
        moves = pp.plan_moves([
            entry(1, 56.0, "stock_input", move_id=11, product_id=5, quantity=7.0, detail_types=detail,
                  currency_id=eur, amount_currency=-112.0),
            entry(2, -10.5, "stock_input", move_id=11, product_id=5, detail_types=detail, currency_id=eur,
                  currency_difference=21.0),
            entry(3, 8.0, "stock_input", move_id=11, product_id=5, quantity=1.0, currency_id=eur,
                  amount_currency=-16.0),
        ], "per_posting_group")
        lines = moves[0].lines
        self.assertEqual(sorted((line.account_type, line.amount, line.currency_id, line.amount_currency,
                                 tuple(line.contributions))
                                for line in lines),
                         [("inventory", -10.5, False, 0.0, (2,)), ("inventory", 64.0, False, 0.0, (1, 3)),
                          ("stock_input", -56.0, eur, -112.0, (1,)), ("stock_input", -8.0, False, 0.0, (3,)),
                          ("stock_input", 0.0, eur, 21.0, (2,)), ("stock_input", 10.5, eur, 0.0, (2,))])
        self.assertEqual(pp.totals_per_account_type(moves), {"inventory": 53.5, "stock_input": -53.5})
