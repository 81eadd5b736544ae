import logging

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestConcurrentPosting(TransactionCase):
    """Two posting transactions on two cursors never post the same value entry twice.

    Unlike the other tests, this one needs committed data that two separate database transactions can
    see; it commits a small receipt in the main company of the (throwaway) test database.
    """

    def _env(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        return api.Environment(cr, admin.id, {"allowed_company_ids": [env.ref("base.main_company").id]})

    def _setup_committed_receipt(self):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            company = env.company
            env.user.sudo().groups_id |= env.ref("account.group_account_manager") | env.ref("stock.group_stock_manager")
            company.gl_post_cost_from = False
            categ = env["product.category"].create({"name": "Concurrency FIFO"})
            categ.write({"property_valuation": "manual_periodic", "property_cost_method": "fifo"})
            product = env["product.product"].create({"name": "Concurrency", "is_storable": True, "categ_id": categ.id})
            wh = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
            move = env["stock.move"].create({
                "name": "concurrency", "product_id": product.id, "product_uom_qty": 3, "price_unit": 4.0,
                "product_uom": product.uom_id.id, "location_id": env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": wh.lot_stock_id.id, "company_id": company.id})
            move._action_confirm()
            move.quantity = 3
            move.picked = True
            move._action_done()
            svl = move.stock_valuation_layer_ids
            self.assertEqual(svl.gl_state, "to_post")
            # other connections must see the data
            cr.commit()  # pylint: disable=invalid-commit
            return company.id, product.id, svl.id

    def _run(self, env, company_id, product_id):
        wizard = env["stock.inventory.cost.post"].create({
            "company_id": company_id, "product_ids": [(6, 0, [product_id])], "posting_method": "per_entry"})
        return env["stock.inventory.cost.post.run"].browse(wizard.action_run().get("res_id") or [])

    def test_two_cursors(self):
        company_id, product_id, svl_id = self._setup_committed_receipt()
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            # B takes its snapshot now, before A posts and commits
            self.assertEqual(env_b["stock.valuation.layer"].browse(svl_id).gl_state, "to_post")
            run_a = self._run(env_a, company_id, product_id)
            self.assertEqual(len(run_a.move_ids), 1)
            # 1. while A is running (not committed), B is refused at once and posts nothing
            with self.assertRaisesRegex(UserError, "Another Post Inventory Cost to G/L run is in progress"):
                self._run(env_b, company_id, product_id)
            cr_b.rollback()
            # 2. B starts again with a snapshot taken before A commits: after A's commit, B's row lock on the
            #    value entry A has just posted fails with a serialization error (Odoo retries the request on
            #    a fresh snapshot), instead of posting it a second time
            self.assertEqual(env_b["stock.valuation.layer"].browse(svl_id).gl_state, "to_post")
            cr_a.commit()
            # logged as one line with the count, not as Odoo's ERROR "bad query" with every id of the statement
            with self.assertRaises(psycopg2.errors.SerializationFailure), self.assertNoLogs("odoo.sql_db", "ERROR"), \
                    self.assertLogs("odoo.addons.stock_account_gl_reconciliation", logging.INFO) as logs:
                self._run(env_b, company_id, product_id)
            self.assertIn("1 value entries changed by a concurrent transaction: retried on a fresh snapshot",
                          "\n".join(logs.output))
            cr_b.rollback()
            # 3. the retry sees A's watermark: nothing new is posted
            self.assertFalse(self._run(env_b, company_id, product_id))
            cr_b.commit()
            svl = env_b["stock.valuation.layer"].browse(svl_id)
            self.assertEqual((svl.gl_state, svl.cost_posted_to_gl), ("posted", 12.0))
            self.assertEqual(env_b["account.move"].search_count([("line_ids.gl_link_ids.svl_id", "=", svl_id)]), 1)
        finally:
            cr_a.close()
            cr_b.close()

    def test_number_taken_by_another_transaction(self):
        """A journal entry number taken by a transaction committed after the posting run's snapshot (a
        real-time delivery posted in the same journal) is not reused: Odoo numbers the run's entries one by
        one instead, with its own retry."""
        company_id, product_id, svl_id = self._setup_committed_receipt()
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            svl_b = env_b["stock.valuation.layer"].browse(svl_id)
            journal_id = svl_b.product_id.categ_id.property_stock_journal.id
            posting_date = svl_b.posting_date  # B's snapshot is taken here
            accounts = env_a["product.product"].browse(product_id).product_tmpl_id.get_product_accounts()
            other = env_a["account.move"].create({
                "journal_id": journal_id, "date": posting_date, "line_ids": [
                    (0, 0, {"name": "other", "account_id": accounts["stock_valuation"].id, "balance": 1.0}),
                    (0, 0, {"name": "other", "account_id": accounts["stock_input"].id, "balance": -1.0})]})
            other.action_post()
            cr_a.commit()
            run = self._run(env_b, company_id, product_id)
            cr_b.commit()
            self.assertEqual(run.state, "done")
            self.assertEqual(run.move_ids.state, "posted")
            self.assertEqual(run.move_ids.sequence_prefix, other.sequence_prefix)
            self.assertEqual(run.move_ids.sequence_number, other.sequence_number + 1)
        finally:
            cr_a.close()
            cr_b.close()


@tagged("post_install", "-at_install")
class TestConcurrentAdjustment(TransactionCase):
    """Two Adjust Cost runs (two Odoo workers running the scheduled action, or a user and the scheduler)
    never create the same adjustment twice. Commits an average-cost scenario in the main company."""

    def _env(self, cr):
        return TestConcurrentPosting._env(self, cr)

    def _setup_committed_average(self):
        from datetime import date
        with self.registry.cursor() as cr:
            env = self._env(cr)
            company = env.company
            env.user.sudo().groups_id |= env.ref("account.group_account_manager") | env.ref("stock.group_stock_manager")
            company.write({"gl_post_cost_from": False, "gl_average_cost_period": "month"})
            categ = env["product.category"].create({"name": "Concurrency AVCO"})
            categ.write({"property_valuation": "manual_periodic", "property_cost_method": "average"})
            product = env["product.product"].create({"name": "Concurrency AVCO", "is_storable": True,
                                                     "categ_id": categ.id})
            wh = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
            suppliers, customers = env.ref("stock.stock_location_suppliers"), env.ref("stock.stock_location_customers")
            for day, src, dest, qty, price in ((1, suppliers, wh.lot_stock_id, 2, 10.0),
                                               (2, wh.lot_stock_id, customers, 1, None),
                                               (3, suppliers, wh.lot_stock_id, 1, 40.0)):
                vals = {"name": "avco", "product_id": product.id, "product_uom_qty": qty,
                        "product_uom": product.uom_id.id, "location_id": src.id, "location_dest_id": dest.id,
                        "company_id": company.id}
                if price:
                    vals["price_unit"] = price
                move = env["stock.move"].with_context(force_period_date=date(2026, 8, day)).create(vals)
                move._action_confirm()
                move.quantity = qty
                move.picked = True
                move._action_done()
            self.assertFalse(product.with_company(company).cost_is_adjusted)
            # other connections must see the data
            cr.commit()  # pylint: disable=invalid-commit
            return company.id, product.id

    def _adjust(self, env, company_id, product_id):
        wizard = env["stock.cost.adjust"].create({"company_id": company_id, "product_ids": [(6, 0, [product_id])]})
        return env["stock.cost.adjust.run"].browse(wizard.action_adjust()["res_id"])

    def test_two_cursors(self):
        company_id, product_id = self._setup_committed_average()
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            self.assertFalse(env_b["product.product"].browse(product_id).with_company(company_id).cost_is_adjusted)
            run_a = self._adjust(env_a, company_id, product_id)
            # month average (20 + 40) / 3 = 20: the delivery valued at 10 gets -10
            self.assertEqual((run_a.entry_count, run_a.total_forwarded), (1, -10.0))
            with self.assertRaisesRegex(UserError, "Another Adjust Cost"):
                self._adjust(env_b, company_id, product_id)
            cr_b.rollback()
            self.assertFalse(env_b["product.product"].browse(product_id).with_company(company_id).cost_is_adjusted)
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._adjust(env_b, company_id, product_id)
            cr_b.rollback()
            run_b = self._adjust(env_b, company_id, product_id)
            self.assertEqual(run_b.state, "nothing")
            cr_b.commit()
            self.assertEqual(env_b["stock.valuation.layer"].search_count(
                [("product_id", "=", product_id), ("is_adjustment", "=", True)]), 1)
        finally:
            cr_a.close()
            cr_b.close()
