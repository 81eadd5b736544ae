from datetime import date

from freezegun import freeze_time

from odoo.tests import Form, tagged

from odoo.addons.stock_account_gl_reconciliation.hooks import post_init_hook

from .common import GlReconciliationCommon


@tagged("post_install", "-at_install")
class TestValueEntries(GlReconciliationCommon):

    def test_derivation_per_flow(self):
        wh = self.warehouse
        stock, customers, suppliers = (wh.lot_stock_id, self.env.ref("stock.stock_location_customers"),
                                       self.env.ref("stock.stock_location_suppliers"))
        inventory_loc = self.product.with_company(self.company).property_stock_inventory
        self.company.partner_id.tz = "Europe/Brussels"
        with freeze_time("2026-05-31 22:30:00"):  # 1 June 00:30 in Brussels
            receipt = self._receive(self.product, 10, 7.0)
        cases = [
            (receipt, "purchase", "direct_cost", date(2026, 6, 1)),
            (self._deliver(self.product, 2), "sale", "direct_cost", None),
            (self._move(self.product, customers, stock, 1), "sale", "direct_cost", None),
            (self._move(self.product, stock, suppliers, 1), "purchase", "direct_cost", None),
            (self._move(self.product, inventory_loc, stock, 2, price_unit=7.0), "positive_adjmt", "direct_cost", None),
            (self._move(self.product, stock, inventory_loc, 1), "negative_adjmt", "direct_cost", None),
        ]
        for move, document_type, entry_type, posting_date in cases:
            svl = move.stock_valuation_layer_ids
            self.assertRecordValues(svl, [{
                "document_type": document_type, "entry_type": entry_type, "location_id": stock.id,
                "warehouse_id": wh.id, "gl_state": "to_post", "cost_posted_to_gl": 0.0, "gl_origin": "move",
            }])
            if posting_date:
                self.assertEqual(svl.posting_date, posting_date)
        # dropship: two legs, purchase then sale, no internal location
        dropship = self._move(self.product, suppliers, customers, 1, price_unit=7.0)
        legs = dropship.stock_valuation_layer_ids.sorted("value")
        self.assertEqual(legs.mapped("document_type"), ["sale", "purchase"])
        self.assertFalse(legs.location_id)
        self.assertEqual(legs.mapped("gl_counterpart_type"), ["stock_output", "stock_input"])

    def test_scrap_revaluation_and_price_change(self):
        self._receive(self.product, 10, 7.0)
        scrap = self.env["stock.scrap"].create({
            "product_id": self.product.id, "scrap_qty": 1, "company_id": self.company.id,
            "location_id": self.warehouse.lot_stock_id.id})
        scrap.action_validate()
        self.assertEqual(scrap.move_ids.stock_valuation_layer_ids.document_type, "negative_adjmt")
        reval_account = self.company_data["default_account_expense"]
        form = Form(self.env["stock.valuation.layer.revaluation"].with_context(
            default_product_id=self.product.id, default_company_id=self.company.id))
        form.added_value = 9.0
        form.account_id = reval_account
        form.date = date(2026, 2, 2)
        form.save().action_validate_revaluation()
        reval = self.env["stock.valuation.layer"].search([("product_id", "=", self.product.id)], order="id desc",
                                                         limit=1)
        self.assertRecordValues(reval, [{
            "value": 9.0, "entry_type": "revaluation", "gl_origin": "revaluation",
            "gl_counterpart_account_id": reval_account.id, "posting_date": date(2026, 2, 2),
            "gl_counterpart_type": "inventory_adjustment"}])
        std_categ = self._make_category(self.company, self.company_data, "manual_periodic", "standard", "Std")
        std = self._make_product("Std", std_categ, self.company, standard_price=10.0)
        self._receive(std, 5, 10.0)
        std.with_company(self.company).standard_price = 12.0
        change = std.stock_valuation_layer_ids.filtered(lambda s: not s.stock_move_id)
        self.assertRecordValues(change, [{"value": 10.0, "entry_type": "revaluation", "gl_origin": "price_change",
                                          "document_type": "positive_adjmt"}])
        run = self._post_inventory_cost(product_ids=std)
        expense = self.company_data["default_account_expense"]
        line = run.move_ids.line_ids.filtered(lambda line: line.account_id == expense)
        self.assertEqual(line.balance, -10.0)

    def test_real_time_entries_are_linked_not_reposted(self):
        """Scenario 10, first half: Odoo's own journal entries count as posted."""
        rt_categ = self.stock_account_product_categ  # real_time FIFO from Odoo's test base
        product = self._make_product("RT", rt_categ, self.company)
        receipt = self._receive(product, 3, 5.0)
        svl = receipt.stock_valuation_layer_ids
        self.assertTrue(svl.account_move_id)
        self.assertEqual(svl.gl_state, "posted")
        self.assertEqual(svl.cost_posted_to_gl, 15.0)
        self.assertEqual(sorted(svl.gl_link_ids.mapped("account_type")), ["inventory", "stock_input"])
        self.assertEqual(sorted(svl.gl_link_ids.mapped("amount")), [-15.0, 15.0])
        run = self._post_inventory_cost()
        self.assertNotIn(svl, run.svl_ids)

    def test_install_hook_backfill(self):
        """Scenario 10: on a database with history in both modes, the hook fills every field with SQL,
        links real-time entries, marks old manual history 'not to post', and nothing is posted twice."""
        with freeze_time("2025-06-01"):
            manual_old = self._receive(self.product, 5, 4.0).stock_valuation_layer_ids
            rt_product = self._make_product("RT", self.stock_account_product_categ, self.company)
            rt = self._receive(rt_product, 2, 6.0).stock_valuation_layer_ids
        manual_new = self._receive(self.product, 1, 4.0).stock_valuation_layer_ids
        svls = manual_old | rt | manual_new
        # Simulate a database from before the install: wipe the module's columns and links.
        self._forget_module_bookkeeping(svls)
        self._install_on("2026-01-01")
        self.assertEqual(self.company.gl_post_cost_from, date(2026, 1, 1))
        self.assertRecordValues(manual_old | rt, [
            {"gl_state": "not_to_post", "document_type": "purchase", "posting_date": date(2025, 6, 1)},
            {"gl_state": "posted", "document_type": "purchase", "posting_date": date(2025, 6, 1)},
        ])
        self.assertEqual(rt.cost_posted_to_gl, 12.0)
        self.assertEqual(len(rt.gl_link_ids), 2)
        self.assertEqual(manual_new.gl_state, "to_post")
        run = self._post_inventory_cost()
        self.assertEqual(run.svl_ids, manual_new)
        # running the hook again changes nothing
        post_init_hook(self.env)
        self.assertEqual(len(rt.gl_link_ids), 2)
        self.assertEqual(manual_new.gl_state, "posted")

    def test_mixed_landed_cost_links_each_product_to_its_own_lines(self):
        """A landed cost over an automated and a manual product: Odoo's single journal entry lists every
        landed-cost layer; only the automated one is posted by it, the manual one stays in the queue."""
        rt_product = self._make_product("RT", self.stock_account_product_categ, self.company)
        manual_in, rt_in = self._receive(self.product, 10, 7.0), self._receive(rt_product, 10, 5.0)
        picking = self.env["stock.picking"].create({
            "picking_type_id": self.warehouse.in_type_id.id, "company_id": self.company.id,
            "location_id": manual_in.location_id.id, "location_dest_id": manual_in.location_dest_id.id})
        (manual_in | rt_in).picking_id = picking
        self._deliver(rt_product, 4)
        lc = self._landed_cost(picking, 20.0)  # split equally: 10 per receipt
        manual_lc = lc.stock_valuation_layer_ids.filtered(lambda s: s.product_id == self.product)
        rt_lc = lc.stock_valuation_layer_ids.filtered(lambda s: s.product_id == rt_product and s.account_move_id)
        # the sold share of the automated product is recorded too (Odoo's entry already posted it)
        rt_pair = lc.stock_valuation_layer_ids.filtered(lambda s: s.product_id == rt_product) - rt_lc
        self.assertEqual(sorted(rt_pair.mapped("value")), [-4.0, 4.0])
        self.assertEqual(set(rt_pair.mapped("gl_state")), {"not_to_post"})
        self.assertEqual((manual_lc.value, rt_lc.value), (10.0, 6.0))
        self.assertEqual((manual_lc.gl_state, rt_lc.gl_state), ("to_post", "posted"))
        self.assertFalse(manual_lc.gl_link_ids)
        self.assertEqual(sum(rt_lc.gl_link_ids.filtered(lambda link: link.account_type == "inventory")
                             .mapped("amount")), 6.0)
        self.assertTrue(all(line.product_id == rt_product for line in rt_lc.gl_link_ids.move_line_id))
        run = self._post_inventory_cost(product_ids=self.product)
        self.assertIn(manual_lc, run.svl_ids)
        self.assertEqual(run.total_overhead_applied, -10.0)
        self.assertEqual(manual_lc.gl_link_ids.filtered(lambda link: link.account_type == "overhead_applied")
                         .account_id, self.overhead_account)

    def test_category_on_chart_default_accounts(self):
        """Odoo 18 stores a company-dependent value only when it differs from the chart's default: a
        category that relies on the defaults must still resolve its valuation account in SQL."""
        categ = self.env["product.category"].create({"name": "Defaults"})
        categ.with_company(self.company).write({"property_valuation": "real_time", "property_cost_method": "fifo"})
        val_account = categ.with_company(self.company).property_stock_valuation_account_id
        self.assertTrue(val_account, "the chart provides a default stock valuation account")
        self.env.flush_all()
        self.env.cr.execute("SELECT property_stock_valuation_account_id FROM product_category WHERE id = %s",
                            (categ.id,))
        self.assertFalse((self.env.cr.fetchone()[0] or {}).get(str(self.company.id)))
        product = self._make_product("Default accounts", categ, self.company)
        svl = self._receive(product, 2, 4.0).stock_valuation_layer_ids
        inventory_link = svl.gl_link_ids.filtered(lambda link: link.account_type == "inventory")
        self.assertEqual((inventory_link.account_id, inventory_link.amount), (val_account, 8.0))
