"""A ledger no one can corrupt: the G/L bookkeeping of value entries is written only by the module's jobs, old
history stays out of the queue, and hostile input never stops a run."""
from datetime import date

from freezegun import freeze_time

from odoo import Command, api
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.stock_account_gl_reconciliation.hooks import KEEP_PREFIX, uninstall_hook

from .common import GlReconciliationCommon


@tagged("post_install", "-at_install")
class TestLedgerIntegrity(GlReconciliationCommon):

    def _rpc(self, user, model, method, *args):
        """Call ``method`` as the web client's JSON-RPC does (``/web/dataset/call_kw`` -> ``api.call_kw``)."""
        return api.call_kw(self.env[model].with_user(user), method, list(args), {})

    def _purchase(self, product, qty, price, bill_price=None):
        """Purchase order received in full, billed at ``bill_price`` when given: (order, receipt)."""
        order = self.env["purchase.order"].create({
            "partner_id": self.partner_a.id, "company_id": self.company.id,
            "order_line": [Command.create({"product_id": product.id, "product_qty": qty, "price_unit": price,
                                           "taxes_id": False})]})
        order.button_confirm()
        receipt = order.picking_ids
        receipt.move_ids.quantity = qty
        receipt.move_ids.picked = True
        receipt.button_validate()
        if bill_price is not None:
            bill = self.env["account.move"].browse(order.action_create_invoice()["res_id"])
            bill.invoice_date = bill.date
            bill.invoice_line_ids.price_unit = bill_price
            bill.action_post()
        return order, receipt

    def test_inventory_administrator_cannot_rewrite_gl_bookkeeping(self):
        """G/L bookkeeping (``GL_BOOKKEEPING_FIELDS``): an Inventory Administrator (write access to value entries) is
        refused, over RPC, every write of the G/L bookkeeping: re-queueing an automated entry already in the G/L, hiding
        a manual entry from the queue, moving a posted entry's date, creating links. Nothing changes and the next run
        posts exactly the queue."""
        stock_admin = new_test_user(self.env, login="stock_admin_rpc", company_id=self.company.id,
                                    groups="stock.group_stock_manager")
        real_time = self._make_product("RT", self.stock_account_product_categ, self.company)
        rt_layer = self._receive(real_time, 2, 6.0).stock_valuation_layer_ids
        queued = self._receive(self.product, 3, 5.0, date=date(2026, 2, 2)).stock_valuation_layer_ids
        posted = self._receive(self.product, 1, 4.0, date=date(2026, 2, 1)).stock_valuation_layer_ids
        self._post_inventory_cost(date_to=date(2026, 2, 1))
        self.assertEqual((rt_layer.gl_state, queued.gl_state, posted.gl_state), ("posted", "to_post", "posted"))

        SVL = "stock.valuation.layer"
        with self.assertRaisesRegex(AccessError, "Cost Posted to G/L, G/L Status"):
            self._rpc(stock_admin, SVL, "write", rt_layer.ids, {"gl_state": "to_post", "cost_posted_to_gl": 0})
        with self.assertRaisesRegex(AccessError, "G/L Status"):
            self._rpc(stock_admin, SVL, "write", queued.ids, {"gl_state": "posted"})
        with self.assertRaisesRegex(AccessError, "Posting Date"):
            self._rpc(stock_admin, SVL, "write", posted.ids, {"posting_date": "2026-03-01"})
        with self.assertRaisesRegex(AccessError, "Valuation at Creation"):
            self._rpc(stock_admin, SVL, "write", queued.ids, {"gl_valuation": "real_time"})
        with self.assertRaisesRegex(AccessError, "Cost Posted to G/L"):
            self._rpc(stock_admin, SVL, "create", {"product_id": self.product.id, "company_id": self.company.id,
                                                     "value": 9.0, "quantity": 0, "cost_posted_to_gl": 9.0})
        # an accounting administrator may read the links, not write them
        accountant = new_test_user(self.env, login="acc_admin_rpc", company_id=self.company.id,
                                   groups="account.group_account_manager,stock.group_stock_manager")
        line = posted.gl_link_ids[:1].move_line_id
        with self.assertRaises(AccessError):
            self._rpc(accountant, "stock.valuation.layer.gl.link", "create",
                      {"svl_id": queued.id, "move_line_id": line.id, "account_type": "inventory", "amount": 15.0,
                       "company_id": self.company.id})
        with self.assertRaisesRegex(AccessError, "G/L Status"):
            self._rpc(accountant, SVL, "write", queued.ids, {"gl_state": "posted"})
        # what is not bookkeeping stays writable: the posting date of an entry not posted yet
        self._rpc(stock_admin, SVL, "write", queued.ids, {"posting_date": "2026-02-03"})
        self.env.invalidate_all()
        self.assertEqual(queued.posting_date, date(2026, 2, 3))
        self.assertEqual((rt_layer.gl_state, rt_layer.cost_posted_to_gl), ("posted", 12.0))
        run = self._post_inventory_cost()
        self.assertEqual(run.svl_ids, queued)
        self.assertFalse(self._post_inventory_cost())

    def test_history_with_journal_entries_stays_out_of_the_queue(self):
        """On install over history, value entries before 'Post Inventory Cost From' that carry a
        journal entry Odoo did not post them to stock accounts with (a vendor bill's price difference, the
        manual share of a landed cost over an automated and a manual product) are 'not to post', like the
        rest of the history; moving the date back queues them, forward takes them out again."""
        real_time = self._make_product("RT", self.stock_account_product_categ, self.company)
        with freeze_time("2025-06-01"):
            _order, receipt = self._purchase(self.product, 10, 10.0, bill_price=11.0)
            rt_move = self._receive(real_time, 10, 5.0)
            rt_move.picking_id = receipt
            lc = self._landed_cost(receipt, 20.0)
        manual = self.product.stock_valuation_layer_ids
        price_diff = manual.filtered("account_move_line_id")
        manual_lc = manual.filtered(lambda layer: layer.stock_landed_cost_id)
        self.assertEqual((price_diff.value, price_diff.account_move_id.move_type), (10.0, "in_invoice"))
        self.assertEqual((manual_lc.value, manual_lc.account_move_id), (10.0, lc.account_move_id))
        # a database from before the install: the module's columns and links wiped
        self._forget_module_bookkeeping(manual | real_time.stock_valuation_layer_ids)
        self._install_on("2026-01-01")
        self.assertEqual(len(manual), 3)
        self.assertEqual(set(manual.mapped("gl_state")), {"not_to_post"})
        self.assertEqual(set(real_time.stock_valuation_layer_ids.mapped("gl_state")), {"posted"})
        self.assertFalse(self._post_inventory_cost())
        # the reconciliation says why that history differs from the general ledger, and lists it
        wizard = self.env["stock.inventory.gl.reconciliation"].create({"company_id": self.company.id,
                                                                       "date_to": date(2025, 12, 31)})
        wizard.action_compute()
        inventory = wizard.line_ids.filtered(lambda row: row.account_type == "inventory")
        self.assertEqual((inventory.inventory, inventory.difference, inventory.warning_code),
                         (180.0, -120.0, "history"))
        history = self.env["stock.inventory.gl.reconciliation.line.inventory"].search(
            inventory.action_open_warning()["domain"])
        # what the history explains: the whole difference
        self.assertEqual((set(history.svl_id.ids), sum(history.mapped("inventory_amount"))), (set(manual.ids), 120.0))
        wizard.write({"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)})
        self.assertFalse(self.env["stock.inventory.gl.reconciliation.engine"]._has_history_not_posted(wizard))
        self.company.gl_post_cost_from = date(2025, 1, 1)
        self.assertEqual(set(manual.mapped("gl_state")), {"to_post"})
        self.company.gl_post_cost_from = date(2026, 1, 1)
        self.assertEqual(set(manual.mapped("gl_state")), {"not_to_post"})
        self.assertEqual(set(real_time.stock_valuation_layer_ids.mapped("gl_state")), {"posted"})

    def test_entry_dated_9999_is_skipped_and_holds_nothing_back(self):
        """A value entry dated 9999-12-31 (an accounting date typed wrong): Odoo cannot number a journal entry
        in that year, so every run skips it with the reason and posts the rest; the scheduled posting does the
        same and leaves a run record saying so; Adjust Cost with a weekly average-cost period, and automatic
        adjustment "always" on an ordinary delivery, go through."""
        far = self._receive(self.product, 1, 5.0, date=date(9999, 12, 31)).stock_valuation_layer_ids
        near = self._receive(self.product, 2, 5.0, date=date(2026, 2, 1)).stock_valuation_layer_ids
        for method in ("per_posting_group", "per_entry"):
            with self.env.cr.savepoint(flush=True) as savepoint:
                run = self._post_inventory_cost(date_to=False, posting_method=method)
                self.assertEqual(run.svl_ids, near)
                self.assertEqual(run.skipped_line_ids.svl_id, far)
                self.assertEqual(run.skipped_line_ids.code, "posting_date_out_of_range")
                self.assertIn("12/31/9999", run.skipped_line_ids.reason)
                self.assertEqual(far.gl_state, "to_post")
                savepoint.rollback()
        self.company.write({"gl_automatic_cost_posting": "scheduled"})
        self.env["stock.inventory.cost.post.engine"]._cron_post_inventory_cost()
        self.env.invalidate_all()
        self.assertEqual((near.gl_state, far.gl_state), ("posted", "to_post"))
        runs = self.env["stock.inventory.cost.post.run"].search([("company_id", "=", self.company.id)])
        self.assertEqual(runs.skipped_line_ids.svl_id, far)
        # the average cost of a weekly period: the last week of the calendar ends on 9999-12-31
        self.company.gl_average_cost_period = "week"
        avco = self._make_category(self.company, self.company_data, "manual_periodic", "average", "Manual AVCO")
        product = self._make_product("Weekly", avco, self.company)
        self._receive(product, 2, 5.0, date=date(2026, 2, 2))
        self._receive(product, 2, 6.0, date=date(9999, 12, 31))
        delivery = self._deliver(product, 1, date=date(2026, 2, 3)).stock_valuation_layer_ids
        late = self._deliver(product, 1, date=date(9999, 12, 31)).stock_valuation_layer_ids
        self._adjust_cost(product_ids=product)

        def carried(layer):
            return round(layer.value + sum(layer.search([("applies_to_id", "=", layer.id)]).mapped("value")), 2)
        # week of 2 February 2026: 2 at 5.00; week of 27 December 9999: 1 left at 5.00 and 2 at 6.00
        self.assertEqual((carried(delivery), carried(late)), (-5.0, -5.67))
        # automatic adjustment at each commit: an ordinary delivery of that product goes through
        self.company.gl_automatic_cost_adjustment = "always"
        with self.env.cr.savepoint():
            self._deliver(product, 1, date=date(2026, 2, 4))
            self.env.cr.precommit.run()
        self.assertEqual(product.with_company(self.company).qty_available, 1)

    def test_scheduled_posting_skipped_by_the_lock_leaves_a_run(self):
        """A scheduled call that finds another run posting the company logs a warning and leaves a run record
        saying so (the cron's docstring: every call leaves a posting run record)."""
        self._receive(self.product, 2, 5.0, date=date(2026, 2, 1))
        self.company.write({"gl_automatic_cost_posting": "scheduled"})
        from odoo.addons.stock_account_gl_reconciliation.models.stock_inventory_cost_post_engine import LOCK_NAMESPACE
        with self.env.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, self.company.id))
            with self.assertLogs("odoo.addons.stock_account_gl_reconciliation", "WARNING"):
                self.env["stock.inventory.cost.post.engine"]._cron_post_inventory_cost()
            other_cr.rollback()
        run = self.env["stock.inventory.cost.post.run"].search([("company_id", "=", self.company.id)])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "nothing")
        self.assertIn("Another Post Inventory Cost to G/L run is in progress", run.note)

    def test_uninstall_then_install_again_posts_nothing_twice(self):
        """Uninstalling keeps the G/L bookkeeping (``uninstall_hook``) and installing again puts it
        back before the back-fill: the entries an earlier install posted stay posted, adjustment entries keep
        their origin, outbound entry and date, the runs and settings come back, and a run posts nothing."""
        receipt = self._receive(self.product, 10, 7.0, date=date(2026, 3, 2))
        delivery = self._deliver(self.product, 4, date=date(2026, 3, 3)).stock_valuation_layer_ids
        self._landed_cost(self._picking_for(receipt), 10.0, cost_date=date(2026, 3, 5))
        adjust = self._adjust_cost()
        self.assertEqual(adjust.entry_count, 1)
        adjustment = adjust.svl_ids
        run = self._post_inventory_cost(date_to=date(2026, 3, 31))
        queued = self._receive(self.product, 1, 8.0, date=date(2026, 4, 1)).stock_valuation_layer_ids
        self.company.write({"gl_post_cost_from": date(2026, 1, 1), "gl_average_cost_period": "month"})
        posted = self.product.stock_valuation_layer_ids - queued
        self.assertEqual(set(posted.mapped("gl_state")), {"posted"})
        before = {svl.id: (svl.cost_posted_to_gl, svl.gl_state, svl.posting_date, svl.gl_origin, svl.is_adjustment,
                           svl.applies_to_id.id, len(svl.gl_link_ids)) for svl in posted | queued}
        # a category the queued entry was created in, deleted while the module was uninstalled
        gone = self.env["product.category"].create({"name": "Deleted while uninstalled"})
        self.env.flush_all()
        self.env.cr.execute("UPDATE stock_valuation_layer SET gl_categ_id = %s WHERE id = %s", (gone.id, queued.id))
        uninstall_hook(self.env)
        # what Odoo's uninstall then does: the module's columns and tables are gone (emptied here)
        self._forget_module_bookkeeping()
        self.env.cr.execute("DELETE FROM stock_inventory_cost_post_run")
        self.env.cr.execute("DELETE FROM stock_cost_adjust_run")
        self.env.cr.execute("UPDATE res_company SET gl_average_cost_period = 'transaction'")
        self.env.cr.execute("DELETE FROM product_category WHERE id = %s", (gone.id,))
        self.env.invalidate_all()
        self._install_on("2026-04-01")  # installed again the day the last entries were posted and queued
        after = {svl.id: (svl.cost_posted_to_gl, svl.gl_state, svl.posting_date, svl.gl_origin, svl.is_adjustment,
                          svl.applies_to_id.id, len(svl.gl_link_ids)) for svl in posted | queued}
        self.assertEqual(after, before)
        # the reference to the deleted category was emptied, then back-filled from the product
        self.assertEqual(queued.gl_categ_id, self.manual_categ)
        self.assertEqual((adjustment.gl_origin, adjustment.applies_to_id, adjustment.posting_date),
                         ("cost_adjustment", delivery, date(2026, 3, 3)))
        self.assertEqual((self.company.gl_post_cost_from, self.company.gl_average_cost_period),
                         (date(2026, 1, 1), "month"))
        self.assertEqual(run.exists().svl_ids, posted)
        self.assertEqual(adjust.exists().svl_ids, adjustment)
        self.env.cr.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE %s", (KEEP_PREFIX + "%",))
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        again = self._post_inventory_cost(date_to=date(2026, 4, 30))
        self.assertEqual(again.svl_ids, queued)
        self.assertFalse(self._post_inventory_cost(date_to=False))

    def test_landed_cost_before_install_explained(self):
        """A landed cost of 10.00 validated before the install, after 4 of 10 units left (automated category):
        Odoo's value entry holds the 6.00 in stock and its journal entry moved 4.00 on to cost of goods sold.
        After the install the landed-cost and COGS rows differ by that 4.00 with the warning *Landed Cost
        Before Install*, whose remedy lists the landed cost; one validated since the install is not listed."""
        real_time = self._make_product("RT", self.stock_account_product_categ, self.company)
        with freeze_time("2025-06-01"):
            receipt = self._receive(real_time, 10, 7.0)
            self._deliver(real_time, 4)
            old_cost = self._landed_cost(self._picking_for(receipt), 10.0)
        # a database from before the install: no sold-share entries, no module columns or links
        layers = real_time.stock_valuation_layer_ids
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM stock_valuation_layer WHERE id = ANY(%s) AND stock_move_id IS NULL",
                            (layers.ids,))
        self._forget_module_bookkeeping(layers.exists())
        self._install_on("2026-01-01")
        self.assertEqual(sorted(real_time.stock_valuation_layer_ids.mapped("value")), [-28.0, 6.0, 70.0])
        wizard = self.env["stock.inventory.gl.reconciliation"].create({"company_id": self.company.id,
                                                                       "date_to": date(2026, 1, 1)})
        wizard.action_compute()
        rows = {row.account_type: row for row in wizard.line_ids}
        self.assertEqual((rows["overhead_applied"].inventory, rows["overhead_applied"].gl_total,
                          rows["overhead_applied"].difference), (-6.0, -10.0, -4.0))
        self.assertEqual((rows["cogs"].inventory, rows["cogs"].gl_total, rows["cogs"].difference), (0.0, 4.0, 4.0))
        for atype in ("overhead_applied", "cogs"):
            self.assertEqual(rows[atype].warning_code, "landed_cost_sold_share")
        self.assertEqual(rows["overhead_applied"].action_open_warning()["domain"], [("id", "in", old_cost.ids)])
        # since the install the sold share is recorded: a new landed cost after a sale leaves nothing to explain
        with freeze_time("2026-02-01"):
            receipt = self._receive(real_time, 10, 7.0)
            self._deliver(real_time, 14)
            self._landed_cost(self._picking_for(receipt), 5.0)
        wizard.date_to = date(2026, 12, 31)
        self.assertEqual(self.env["stock.inventory.gl.reconciliation.engine"]._landed_costs_without_sold_share(wizard),
                         old_cost)
