from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GlReconciliationCommon


@tagged("post_install", "-at_install")
class TestPostInventoryCost(GlReconciliationCommon):

    def _scenario_1(self):
        """Purchase 10 @ 7, landed cost 10, sale 10 (FIFO, manual)."""
        receipt = self._receive(self.product, 10, 7.0)
        self._landed_cost(receipt.picking_id or self._picking_for(receipt), 10.0)
        delivery = self._deliver(self.product, 10)
        return receipt, delivery

    def test_scenario_1_per_entry(self):
        receipt, delivery = self._scenario_1()
        svls = ((receipt | delivery).stock_valuation_layer_ids
                | receipt.stock_valuation_layer_ids.stock_valuation_layer_ids)
        self.assertEqual(sorted(svls.mapped("value")), [-80.0, 10.0, 70.0])
        self.assertEqual(set(svls.mapped("gl_state")), {"to_post"})
        self.assertEqual(sorted(svls.mapped("document_type")), ["purchase", "purchase", "sale"])
        self.assertEqual(sorted(svls.mapped("entry_type")), ["direct_cost", "direct_cost", "indirect_cost"])

        run = self._post_inventory_cost(posting_method="per_entry")
        self.assertEqual(len(run.move_ids), 3)
        self.assertEqual(run.svl_ids, svls)
        acc = self.company_data
        self.assertEqual(self._balances(self.company), {
            acc["default_account_stock_in"].code: -70.0,
            self.overhead_account.code: -10.0,
            acc["default_account_stock_out"].code: 80.0,
        })
        self.assertEqual((run.total_inventory, run.total_stock_input, run.total_overhead_applied,
                          run.total_stock_output), (0.0, -70.0, -10.0, 80.0))
        inv_lines = run.move_ids.line_ids.filtered(
            lambda line: line.account_id == acc["default_account_stock_valuation"])
        self.assertEqual(sorted(inv_lines.mapped("balance")), [-80.0, 10.0, 70.0])
        self.assertEqual(set(svls.mapped("gl_state")), {"posted"})
        for svl in svls:
            self.assertEqual(svl.cost_posted_to_gl, svl.value)
            inventory_links = svl.gl_link_ids.filtered(lambda link: link.account_type == "inventory")
            self.assertEqual(sum(inventory_links.mapped("amount")), svl.value)
        self.assertEqual(delivery.stock_valuation_layer_ids.gl_link_ids.move_line_id.move_id.ref,
                         delivery.stock_valuation_layer_ids.reference or delivery.stock_valuation_layer_ids.description)
        # Idempotent: a second run posts nothing.
        self.assertFalse(self._post_inventory_cost(posting_method="per_entry"))
        self.assertEqual(self.env["account.move.line"].search_count([
            ("company_id", "=", self.company.id), ("account_id", "=", acc["default_account_stock_valuation"].id)]), 3)

    def test_scenario_2_per_posting_group(self):
        receipt, delivery = self._scenario_1()
        second = self._receive(self.product, 2, 8.0)
        returned = self._move(self.product, self.env.ref("stock.stock_location_customers"),
                              self.warehouse.lot_stock_id, 1)
        run = self._post_inventory_cost(posting_method="per_posting_group", reference="INVT-0001")
        self.assertEqual(len(run.move_ids), 1, "one journal entry per posting date")
        move = run.move_ids
        self.assertEqual(move.ref, "INVT-0001")
        acc = self.company_data
        val = acc["default_account_stock_valuation"]
        by_key = {(line.account_id.code, line.balance) for line in move.line_ids}
        customer_return_value = returned.stock_valuation_layer_ids.value
        self.assertEqual(customer_return_value, 8.0)
        # debits and credits never netted: inventory has +70 +10 +16 +8 (one debit line) and -80 (credit); the
        # receipts are bare stock moves (no purchase order line a bill could match), so their stock input
        # credits share one line per posting group: -70 - 16
        self.assertEqual(by_key, {
            (val.code, 104.0), (val.code, -80.0),
            (acc["default_account_stock_in"].code, -86.0),
            (self.overhead_account.code, -10.0),
            (acc["default_account_stock_out"].code, 80.0),
            (acc["default_account_stock_out"].code, -8.0),
        })
        interim = move.line_ids.filtered(lambda line: line.account_id == acc["default_account_stock_in"])
        self.assertEqual(len(interim), 1)
        self.assertFalse(interim.product_id, "a posting group's line sums value entries, with no product")
        debit_inv = move.line_ids.filtered(lambda line: line.account_id == val and line.balance > 0)
        fed = debit_inv.gl_link_ids.svl_id
        self.assertEqual(len(fed), 4)
        self.assertEqual(sorted(debit_inv.gl_link_ids.mapped("amount")), [8.0, 10.0, 16.0, 70.0])
        self.assertEqual(debit_inv.action_open_value_entries()["domain"], [("id", "in", fed.ids)])
        # every SVL is linked to both sides
        for svl in run.svl_ids:
            self.assertEqual(len(svl.gl_link_ids), 2)
        self.assertIn(second.stock_valuation_layer_ids, run.svl_ids)

    def test_scenario_6_missing_account_is_skipped_then_posted(self):
        other = self._make_category(self.company, self.company_data, "manual_periodic", "fifo", "No Output")
        other.with_company(self.company).property_stock_account_output_categ_id = False
        product = self._make_product("Bolt", other, self.company)
        receipt = self._receive(product, 5, 2.0)
        delivery = self._deliver(product, 2)
        out_svl = delivery.stock_valuation_layer_ids
        wizard = self.env["stock.inventory.cost.post"].create({"company_id": self.company.id, "post": False})
        data = wizard._get_test_report_data()
        skipped = [p for p in data["problems"] if p["skipped"]]
        self.assertEqual([p["svl_id"] for p in skipped], out_svl.ids)
        self.assertIn("stock output (cogs interim) account is missing for category no output",
                      skipped[0]["reason"].lower())
        self.assertIn("Bolt", skipped[0]["reason"])
        html = self.env["ir.actions.report"]._render_qweb_html(
            "stock_account_gl_reconciliation.report_cost_post_test", wizard.ids)[0].decode()
        self.assertIn("Bolt", html)
        # problems name the document of the value entry, not its id
        self.assertIn(out_svl.gl_document, html)
        # the company, the print date and every date in the language's format (en_US: MM/DD/YYYY), never ISO
        self.assertIn(self.company.name, html)
        self.assertIn("Printed on", html)
        self.assertIn(out_svl.posting_date.strftime("%m/%d/%Y"), html)
        self.assertNotIn(str(out_svl.posting_date), html)
        self.assertIn('class="topage"', html)  # page numbers in the header (wkhtmltopdf with patched Qt)

        run = self._post_inventory_cost()
        self.assertEqual(run.skipped_line_ids.svl_id, out_svl)
        # only the entry needing the missing account is skipped; the receipt is posted
        self.assertEqual(run.svl_ids, receipt.stock_valuation_layer_ids)
        self.assertEqual(out_svl.gl_state, "to_post")
        # Fix the setup through the posting setup, not the category, then run again.
        self.env["stock.posting.setup"].create({
            "company_id": self.company.id, "categ_id": other.id,
            "stock_output_account_id": self.company_data["default_account_stock_out"].id})
        run2 = self._post_inventory_cost()
        self.assertEqual(run2.svl_ids, out_svl)
        self.assertFalse(run2.skipped_line_ids)
        self.assertEqual(set(out_svl.mapped("gl_state")), {"posted"})
        self.assertEqual((run2.total_stock_input, run2.total_stock_output), (0.0, 4.0))
        setup = self.env["stock.posting.setup"].search([("categ_id", "=", other.id)])
        self.assertEqual(setup.used_count, 1)
        with self.assertRaises(UserError):
            setup.unlink()
        setup.action_archive()

    def test_scenario_8_lock_date_moves_to_first_open_date(self):
        with freeze_time("2026-03-10"):
            receipt = self._receive(self.product, 4, 5.0)
        svl = receipt.stock_valuation_layer_ids
        self.assertEqual(svl.posting_date, date(2026, 3, 10))
        self.company.sudo().fiscalyear_lock_date = date(2026, 3, 31)
        wizard = self.env["stock.inventory.cost.post"].create({"company_id": self.company.id})
        problems = wizard._get_test_report_data()["problems"]
        self.assertEqual([p["code"] for p in problems], ["lock_date"])
        run = self._post_inventory_cost()
        self.assertEqual(run.move_ids.date, date(2026, 4, 1))
        self.assertIn("2026-03-10", run.note)
        self.assertIn("2026-04-01", run.note)
        self.assertEqual(svl.gl_state, "posted")

    def test_lock_date_error_policy_posts_nothing(self):
        with freeze_time("2026-03-10"):
            receipt = self._receive(self.product, 4, 5.0)
        self.company.sudo().fiscalyear_lock_date = date(2026, 3, 31)
        self.company.gl_lock_date_policy = "error"
        with self.assertRaisesRegex(UserError, "2026-03-10"):
            self._post_inventory_cost()
        self.assertEqual(receipt.stock_valuation_layer_ids.gl_state, "to_post")
        self.assertFalse(self.env["stock.inventory.cost.post.run"].search([("company_id", "=", self.company.id)]))

    def test_reference_rules_and_preview(self):
        self._receive(self.product, 1, 3.0)
        with self.assertRaisesRegex(UserError, "per entry"):
            self.env["stock.inventory.cost.post"].create({
                "company_id": self.company.id, "posting_method": "per_entry", "reference": "X"}).action_run()
        action = self.env["stock.inventory.cost.post"].create({"company_id": self.company.id,
                                                               "post": False}).action_run()
        self.assertEqual(action["report_name"], "stock_account_gl_reconciliation.report_cost_post_test")
        self.assertFalse(self.env["stock.inventory.cost.post.run"].search([("company_id", "=", self.company.id)]))
        run = self._post_inventory_cost()
        self.assertTrue(run.name.startswith("INVT/"))
        pdf = self.env["ir.actions.report"]._render_qweb_html(
            "stock_account_gl_reconciliation.report_cost_post_run", run.ids)[0].decode()
        self.assertIn(run.name, pdf)

    def test_date_filter_and_post_from(self):
        with freeze_time("2026-01-05"):
            old = self._receive(self.product, 1, 3.0)
        with freeze_time("2026-02-05"):
            new = self._receive(self.product, 1, 4.0)
        run = self._post_inventory_cost(date_to=date(2026, 1, 31))
        self.assertEqual(run.svl_ids, old.stock_valuation_layer_ids)
        self.assertEqual(new.stock_valuation_layer_ids.gl_state, "to_post")
        # "Post inventory cost from" after the entry: it becomes not to post
        settings = self.env["res.config.settings"].create({"gl_post_cost_from": date(2026, 3, 1)})
        settings.execute()
        self.assertEqual(new.stock_valuation_layer_ids.gl_state, "not_to_post")
        self.assertEqual(old.stock_valuation_layer_ids.gl_state, "posted")

    def test_test_report_lists_zero_cost_layers(self):
        free = self._make_product("Sample", self.manual_categ, self.company, standard_price=0.0)
        svl = self._receive(free, 4, 0.0).stock_valuation_layer_ids
        self.assertEqual((svl.value, svl.quantity, svl.gl_state), (0.0, 4.0, "not_to_post"))
        self._receive(self.product, 1, 3.0)
        wizard = self.env["stock.inventory.cost.post"].create({"company_id": self.company.id,
                                                               "show_only_warnings": True})
        data = wizard._get_test_report_data()
        zero = [p for p in data["problems"] if p["code"] == "zero_cost"]
        self.assertEqual([p["svl_id"] for p in zero], svl.ids)
        self.assertFalse(zero[0]["skipped"])
        self.assertEqual(len(data["lines"]), 2)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "stock_account_gl_reconciliation.report_cost_post_test", wizard.ids)[0].decode()
        self.assertIn("Zero-cost entry", html)
        self.assertNotIn("Account Type</th>", html, "show only warnings hides the planned lines")


@tagged("post_install", "-at_install")
class TestPostingSetup(GlReconciliationCommon):

    def test_most_specific_row_wins(self):
        """Location > warehouse > company-wide; category-specific > any category; a row that leaves the
        account empty does not win for that account type."""
        Account = self.env["account.account"].with_company(self.company)
        acc = {name: Account.create({"name": name, "code": name, "account_type": "asset_current"})
               for name in ("INVCOMP", "INVWH", "INVLOC", "INVCAT", "OUTCOMP")}
        stock = self.warehouse.lot_stock_id
        shelf = self.env["stock.location"].create({"name": "Shelf 1", "location_id": stock.id, "usage": "internal"})
        Setup = self.env["stock.posting.setup"]
        Setup.create({"company_id": self.company.id, "inventory_account_id": acc["INVCOMP"].id,
                      "stock_output_account_id": acc["OUTCOMP"].id})
        Setup.create({"company_id": self.company.id, "warehouse_id": self.warehouse.id,
                      "inventory_account_id": acc["INVWH"].id})
        Setup.create({"company_id": self.company.id, "location_id": shelf.id, "inventory_account_id": acc["INVLOC"].id})
        Setup.create({"company_id": self.company.id, "warehouse_id": self.warehouse.id,
                      "categ_id": self.manual_categ.id,
                      "inventory_account_id": acc["INVCAT"].id})
        on_stock = self._receive(self.product, 2, 5.0).stock_valuation_layer_ids
        on_shelf = self._move(self.product, self.env.ref("stock.stock_location_suppliers"), shelf, 1,
                              price_unit=5.0).stock_valuation_layer_ids
        other_categ = self._make_category(self.company, self.company_data, "manual_periodic", "fifo", "Other")
        other = self._make_product("Other", other_categ, self.company)
        other_svl = self._receive(other, 1, 5.0).stock_valuation_layer_ids
        sold = self._deliver(other, 1).stock_valuation_layer_ids
        planner = self.env["stock.inventory.cost.planner"]
        entries, problems = planner._plan_entries(on_stock | on_shelf | other_svl | sold)
        by_svl = {e.svl_id: e.accounts for e in entries}
        self.assertEqual(by_svl[on_stock.id]["inventory"], acc["INVCAT"].id)   # warehouse + category
        self.assertEqual(by_svl[on_shelf.id]["inventory"], acc["INVLOC"].id)   # location beats the rest
        self.assertEqual(by_svl[other_svl.id]["inventory"], acc["INVWH"].id)   # warehouse, any category
        self.assertEqual(by_svl[sold.id]["stock_output"], acc["OUTCOMP"].id)   # only the company row sets it
        # the receipts' stock input account comes from Odoo (no row sets it): reported, not skipped
        bypassed = [p for p in problems if p.code == "setup_bypassed"]
        self.assertTrue(bypassed and not any(p.skip for p in bypassed))
        self.assertEqual(by_svl[on_stock.id]["stock_input"], self.company_data["default_account_stock_in"].id)

    def test_value_entry_to_its_journal_items_in_one_click(self):
        """From the Valuation list (whose row opens the transfer) each row opens its value entry and its journal
        items."""
        layer = self._receive(self.product, 3, 5.0).stock_valuation_layer_ids
        run = self._post_inventory_cost(posting_method="per_entry")
        # the run's journal entries open in Odoo's journal entry list, not the invoices'
        self.assertEqual(run.action_open_moves()["views"][0], (self.env.ref("account.view_move_tree").id, "list"))
        arch = self.env["stock.valuation.layer"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="action_open_value_entry"', arch)
        self.assertIn('name="action_open_gl_items"', arch)
        self.assertEqual({k: layer.action_open_value_entry()[k] for k in ("res_model", "res_id")},
                         {"res_model": "stock.valuation.layer", "res_id": layer.id})
        items = self.env["account.move.line"].search(layer.action_open_gl_items()["domain"])
        self.assertEqual(sorted(items.mapped("balance")), [-15.0, 15.0])
        self.assertEqual(items.move_id.ref, layer.reference or layer.description)

    def test_suggest_accounts(self):
        """Suggest Accounts fills what Odoo posts to today, and leaves empty (saying why) what no row can hold:
        landed costs post on each cost line's account, adjustments on stock input or output by direction."""
        row = self.env["stock.posting.setup"].create({"company_id": self.company.id, "categ_id": self.manual_categ.id})
        action = row.action_suggest_accounts()
        self.assertRecordValues(row, [{
            "inventory_account_id": self.company_data["default_account_stock_valuation"].id,
            "stock_input_account_id": self.company_data["default_account_stock_in"].id,
            "stock_output_account_id": self.company_data["default_account_stock_out"].id,
            "cogs_account_id": self.company_data["default_account_expense"].id,
            "overhead_applied_account_id": False,
            "inventory_adjustment_account_id": False,
        }])
        self.assertIn("Overhead Applied (landed costs post on the account of each of their cost lines)",
                      action["params"]["message"])
        # Odoo posts consumption to production on the production location's account, else stock output (no mrp)
        production = self.env["stock.location"].search([("usage", "=", "production"),
                                                        ("company_id", "in", [self.company.id, False])],
                                                       order="company_id", limit=1)
        self.assertEqual(row.wip_account_id, production.valuation_in_account_id
                         or self.company_data["default_account_stock_out"])
        # with a posting setup saved from the suggestion, a landed cost still posts on its cost line's account
        receipt = self._receive(self.product, 2, 10.0)
        self._deliver(self.product, 1)
        self._landed_cost(self._picking_for(receipt), 4.0)
        self._adjust_cost()
        self._post_inventory_cost()
        self.assertEqual(self._balances(self.company, self.overhead_account), {"OVHAPPL": -4.0})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["stock.posting.setup"].create({"company_id": self.company.id, "categ_id": self.manual_categ.id})
            self.env.flush_all()
