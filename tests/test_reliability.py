"""Reliability: idempotent jobs, a crash between chunks, bad input. Every test of the suite
also checks the invariants in ``GlReconciliationCommon.tearDown`` (watermark = linked amounts, posted and
balanced journal entries)."""
from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.stock_account_gl_reconciliation import hooks
from odoo.addons.stock_account_gl_reconciliation.models import stock_inventory_cost_post_engine

from .common import GlReconciliationCommon


@tagged("post_install", "-at_install")
class TestReliability(GlReconciliationCommon):

    def _snapshot(self):
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT svl.id, svl.posting_date, svl.document_type, svl.entry_type, svl.gl_state, svl.cost_posted_to_gl,
                   svl.gl_counterpart_type,
                   (SELECT count(*) FROM stock_valuation_layer_gl_link l WHERE l.svl_id = svl.id)
              FROM stock_valuation_layer svl ORDER BY svl.id""")
        layers = self.env.cr.fetchall()
        self.env.cr.execute("""SELECT inbound_svl_id, outbound_svl_id, quantity FROM stock_valuation_layer_application
                               ORDER BY 1, 2, 3""")
        return layers, self.env.cr.fetchall(), self.env["account.move"].search_count([])

    def test_every_job_twice_changes_nothing(self):
        """Post, adjust and the install back-fill, each run a second time, change nothing."""
        receipt = self._receive(self.product, 4, 10.0, date=date(2026, 2, 1))
        self._deliver(self.product, 3, date=date(2026, 2, 2))
        self._landed_cost(self._picking_for(receipt), 4.0, cost_date=date(2026, 2, 5))
        self.assertEqual(self._adjust_cost().entry_count, 1)
        self._post_inventory_cost()
        # a database where the module is installed has its "post inventory cost from" dates set
        self.env["res.company"].search([("gl_post_cost_from", "=", False)]).gl_post_cost_from = date(2000, 1, 1)
        before = self._snapshot()
        self.assertEqual(self._adjust_cost().state, "nothing")
        self.assertFalse(self._post_inventory_cost())
        hooks.post_init_hook(self.env)
        self.assertEqual(self._snapshot(), before)

    def test_crash_between_chunks_of_the_scheduled_posting(self):
        """The scheduled posting works in chunks of whole posting dates; an exception in the second chunk
        leaves the first one complete (watermark = links, entries posted) and the rest queued; the next
        run completes it without posting anything twice."""
        self.company.write({"gl_automatic_cost_posting": "scheduled", "gl_scheduled_posting_method": "per_entry"})
        svls = self.env["stock.valuation.layer"]
        for day in (1, 2, 3, 4):
            svls |= self._receive(self.product, 1, 10.0 + day, date=date(2026, 3, day)).stock_valuation_layer_ids
        Engine = self.env["stock.inventory.cost.post.engine"]
        original = type(Engine)._post_plan
        calls = []

        def crash_on_second_chunk(engine, request, plan, **kwargs):
            calls.append(len(plan.moves))
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return original(engine, request, plan, **kwargs)

        with patch.object(stock_inventory_cost_post_engine, "CRON_POST_CHUNK", 2), \
                patch.object(type(Engine), "_post_plan", crash_on_second_chunk):
            Engine._cron_post_inventory_cost()  # chunk 1: 1 and 2 March (the cron runner commits here)
            with self.assertRaises(RuntimeError), self.env.cr.savepoint():
                Engine._cron_post_inventory_cost()  # chunk 2 crashes: its transaction is rolled back
        self.env.invalidate_all()
        self.assertEqual(svls.sorted("posting_date").mapped("gl_state"), ["posted", "posted", "to_post", "to_post"])
        self._assert_gl_invariants()
        with patch.object(stock_inventory_cost_post_engine, "CRON_POST_CHUNK", 2):
            Engine._cron_post_inventory_cost()
        self.env.invalidate_all()
        self.assertEqual(set(svls.mapped("gl_state")), {"posted"})
        self.assertEqual([round(sum(s.gl_link_ids.filtered(lambda link: link.account_type == "inventory")
                                    .mapped("amount")), 2)
                          for s in svls.sorted("posting_date")], [11.0, 12.0, 13.0, 14.0])

    def test_large_run_goes_to_the_background(self):
        """From the background threshold on, the wizard shows what waits, queues the run and triggers the scheduled
        action, which posts it chunk by chunk (whole posting dates, each chunk in its own transaction) with progress,
        then marks it done and notifies the user who started it."""
        self.env["ir.config_parameter"].set_param(stock_inventory_cost_post_engine.BACKGROUND_THRESHOLD_PARAM, "3")
        svls = self.env["stock.valuation.layer"]
        for day in (1, 2, 3, 4):
            svls |= self._receive(self.product, 1, 10.0 + day, date=date(2026, 3, day)).stock_valuation_layer_ids
        cron = self.env.ref("stock_account_gl_reconciliation.ir_cron_post_queued_runs")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        wizard = self.env["stock.inventory.cost.post"].create({"company_id": self.company.id,
                                                                "posting_method": "per_entry"})
        self.assertEqual((wizard.waiting_count, wizard.waiting_amount, wizard.waiting_oldest, wizard.background),
                         (4, 50.0, date(2026, 3, 1), True))
        run = self.env["stock.inventory.cost.post.run"].browse(wizard.action_run()["res_id"])
        self.assertEqual((run.state, run.to_post_count, run.svl_count, run.progress), ("queued", 4, 0, 0.0))
        self.assertEqual(set(svls.mapped("gl_state")), {"to_post"})
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
        Engine = self.env["stock.inventory.cost.post.engine"]

        def notifications():
            self.env.cr.precommit.run()  # the bus writes its messages when the cron runner commits
            return self.env["bus.bus"].sudo().search([("message", "like", "simple_notification"),
                                               ("message", "like", run.name)]).mapped("message")

        with patch.object(stock_inventory_cost_post_engine, "CRON_POST_CHUNK", 2):
            Engine._cron_post_queued_runs()  # 1 and 2 March
            self.assertEqual((run.state, run.svl_count, run.progress), ("running", 2, 50.0))
            self.assertFalse(notifications())
            Engine._cron_post_queued_runs()  # 3 and 4 March
        self.env.invalidate_all()
        self.assertEqual((run.state, run.svl_count, len(run.move_ids)), ("done", 4, 4))
        self.assertEqual(set(svls.mapped("gl_state")), {"posted"})
        [message] = notifications()
        self.assertIn("4 value entries posted", message)
        Engine._cron_post_queued_runs()  # nothing queued any more: nothing happens
        self.assertEqual(run.svl_count, 4)

    def test_bad_input(self):
        """Each bad input gives a clear error or a listed skip, never a traceback or a half-posted run."""
        self._receive(self.product, 2, 10.0, date=date(2026, 4, 1))
        Wizard = self.env["stock.inventory.cost.post"]
        # reversed date range
        with self.assertRaisesRegex(UserError, "is after the ending date"):
            Wizard.create({"date_from": date(2026, 5, 1), "date_to": date(2026, 4, 1)}).action_run()
        # empty date range: nothing to post, said so without a run record
        runs = self.env["stock.inventory.cost.post.run"].search_count([])
        action = Wizard.create({"date_from": date(2025, 1, 1), "date_to": date(2025, 1, 31)}).action_run()
        self.assertEqual((action["tag"], action["params"]["title"]), ("display_notification", "Nothing to post"))
        self.assertEqual(self.env["stock.inventory.cost.post.run"].search_count([]), runs)
        # a journal of the wrong type
        sale_journal = self.company_data["default_journal_sale"]
        with self.assertRaisesRegex(UserError, "miscellaneous"):
            Wizard.create({"journal_id": sale_journal.id}).action_run()
        # another company's products or journal
        other = self.setup_other_company()
        other_product = self._make_product("Elsewhere", self.manual_categ, other["company"])
        with self.assertRaises(UserError):
            Wizard.create({"product_ids": [(6, 0, other_product.ids)]})
        with self.assertRaises(UserError):
            Wizard.create({"journal_id": other["default_journal_misc"].id})
        # nothing was posted by any of these
        self.assertEqual(set(self.product.stock_valuation_layer_ids.mapped("gl_state")), {"to_post"})

    def test_missing_chart_of_accounts(self):
        """A company without chart of accounts: its value entries are listed as skipped with the missing
        journal named, nothing is posted, nothing raises."""
        bare = self.env["res.company"].create({"name": "No chart", "gl_post_cost_from": False})
        self.env.user.company_ids |= bare
        categ = self.env["product.category"].create({"name": "Bare manual"})
        categ.with_company(bare).write({"property_valuation": "manual_periodic", "property_cost_method": "fifo"})
        product = self._make_product("Bare", categ, bare)
        layer = self._receive(product, 1, 5.0, company=bare).stock_valuation_layer_ids
        self.assertEqual(layer.gl_state, "to_post")
        run = self._post_inventory_cost(company=bare)
        self.assertEqual(run.state, "nothing")
        self.assertEqual(run.skipped_line_ids.svl_id, layer)
        self.assertIn("Bare manual", run.skipped_line_ids.reason)
        self.assertEqual(layer.gl_state, "to_post")

    def test_bulk_journal_items_equal_odoo_orm(self):
        """Journal items written in bulk by the posting run carry exactly the stored values Odoo's own
        ``account.move.create`` computes for the same entry (per entry and per posting group)."""
        self._receive(self.product, 3, 10.0, date=date(2026, 6, 1))
        self._deliver(self.product, 2, date=date(2026, 6, 2))
        svls = self.product.stock_valuation_layer_ids
        AccountMove = self.env["account.move"].sudo().with_context(tracking_disable=True, check_move_validity=False)
        skip = {"id", "move_id", "move_name", "create_date", "write_date", "create_uid", "write_uid", "sequence",
                "matched_debit_ids", "matched_credit_ids", "analytic_line_ids", "gl_link_ids"}
        for method in ("per_entry", "per_posting_group"):
            request = self.env["stock.inventory.cost.post"].create({"posting_method": method})._posting_request()
            Engine = self.env["stock.inventory.cost.post.engine"]
            vals_list = [Engine._prepare_move_vals(request, m, "REF") for m in Engine._plan(request, svls).moves]
            by_orm = AccountMove.create(vals_list)
            by_bulk = AccountMove._gl_create_bulk(vals_list)
            (by_orm | by_bulk)._post(soft=False)
            fields = [name for name, field in self.env["account.move.line"]._fields.items()
                      if field.store and field.column_type and name not in skip]
            for orm_move, bulk_move in zip(by_orm, by_bulk, strict=False):
                self.assertEqual((orm_move.amount_total, orm_move.state), (bulk_move.amount_total, bulk_move.state))
                key = lambda line: (line.account_id.id, line.balance)  # noqa: E731
                for orm_line, bulk_line in zip(orm_move.line_ids.sorted(key), bulk_move.line_ids.sorted(key),
                                               strict=False):
                    orm_values = orm_line.read(fields)[0]
                    bulk_values = bulk_line.read(fields)[0]
                    self.assertEqual({k: v for k, v in orm_values.items() if k != "id"},
                                     {k: v for k, v in bulk_values.items() if k != "id"}, method)

    def test_sequence_numbers_as_odoo_gives_them(self):
        """Journal entries posted in bulk are numbered as Odoo's ``_post`` numbers them one by one: per
        journal and month, in date order, continuing the journal's last number of each month."""
        for day in (5, 5, 7):
            self._receive(self.product, 1, 10.0, date=date(2026, 1, day))
        for day in (10, 12):
            self._receive(self.product, 1, 10.0, date=date(2026, 2, day))
        journal = self.manual_categ.property_stock_journal
        accounts = self._accounts(self.company)
        existing = self.env["account.move"].create({
            "journal_id": journal.id, "date": date(2026, 1, 2), "line_ids": [
                (0, 0, {"name": "opening", "account_id": accounts["default_account_stock_valuation"].id,
                        "balance": 1.0}),
                (0, 0, {"name": "opening", "account_id": accounts["default_account_stock_in"].id, "balance": -1.0})]})
        existing.action_post()
        self.assertEqual(existing.name, "%s/2026/01/0001" % journal.code)
        run = self._post_inventory_cost(posting_method="per_entry")
        names = [(m.date.isoformat(), m.name) for m in run.move_ids.sorted(lambda m: (m.date, m.id))]
        self.assertEqual(names, [
            ("2026-01-05", "%s/2026/01/0002" % journal.code), ("2026-01-05", "%s/2026/01/0003" % journal.code),
            ("2026-01-07", "%s/2026/01/0004" % journal.code),
            ("2026-02-10", "%s/2026/02/0001" % journal.code), ("2026-02-12", "%s/2026/02/0002" % journal.code)])
        self.assertEqual(run.move_ids.sorted(lambda m: (m.date, m.id)).mapped("sequence_number"), [2, 3, 4, 1, 2])
        self.assertFalse(any(run.move_ids.mapped("made_sequence_gap")))

    def test_posting_in_chunks_is_one_run(self):
        """The posting plans and posts its queue in chunks of whole posting dates (bounded memory): with a
        chunk of 2 entries, 5 posting dates still give one run with every entry, one journal entry per
        posting date, and the dates in a locked period stay in one chunk: one posting group on the first open date."""
        svls = self.env["stock.valuation.layer"]
        for day in (2, 3, 20, 21, 22):
            svls |= self._receive(self.product, 1, 10.0 + day, date=date(2026, 3, day)).stock_valuation_layer_ids
        self.company.sudo().fiscalyear_lock_date = date(2026, 3, 10)
        planned = []
        Engine = type(self.env["stock.inventory.cost.post.engine"])
        original = Engine._plan

        def spy(engine, request, chunk, cache=None):
            planned.append(sorted(chunk.mapped("posting_date")))
            return original(engine, request, chunk, cache)

        with patch.object(stock_inventory_cost_post_engine, "POST_CHUNK", 2), patch.object(Engine, "_plan", spy):
            run = self._post_inventory_cost()
        self.assertEqual(planned, [[date(2026, 3, 2), date(2026, 3, 3)], [date(2026, 3, 20), date(2026, 3, 21)],
                                   [date(2026, 3, 22)]])
        self.assertEqual((run.state, run.svl_ids, len(run.move_ids)), ("done", svls, 4))
        # the count is summed over the chunks; the value entries are found through the run's G/L links
        self.assertEqual(run.svl_count, 5)
        self.assertEqual(self.env["stock.valuation.layer"].search(run.action_open_svls()["domain"]), svls)
        self.assertEqual(sorted((m.date.isoformat(), m.amount_total) for m in run.move_ids), [
            ("2026-03-11", 25.0), ("2026-03-20", 30.0), ("2026-03-21", 31.0), ("2026-03-22", 32.0)])
        self.assertEqual(len(self.env["stock.inventory.cost.post.run"].search([("company_id", "=", self.company.id)])),
                         1)
        self.assertEqual((run.total_inventory, run.total_stock_input), (118.0, -118.0))
        self.assertIn("2026-03-11", run.note)
