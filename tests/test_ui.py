"""The module clicked in a real browser (Chromium headless) through Odoo's tour framework.

Runs in the second step of ``dev/test`` (Odoo's own test runner, which serves HTTP); pytest-odoo's
``--odoo-http`` does not keep a server up on 18.0, so under pytest this class is skipped unless
``GL_UI_TESTS`` is set."""
import os
import unittest
from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import http
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "gl_ui")
@unittest.skipUnless(os.environ.get("GL_UI_TESTS"), "browser tours run in dev/test's second step (GL_UI_TESTS=1)")
class TestUiTour(HttpCase):

    def _category(self, name, input_account):
        categ = self.env["product.category"].create({"name": name})
        categ.write({"property_valuation": "manual_periodic", "property_cost_method": "fifo",
                     "property_stock_account_input_categ_id": input_account.id})
        return categ

    def _receive(self, product, qty, price, day):
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        move = self.env["stock.move"].with_context(force_period_date=day).create({
            "name": product.name, "product_id": product.id, "product_uom_qty": qty, "price_unit": price,
            "product_uom": product.uom_id.id, "location_id": self.env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": warehouse.lot_stock_id.id})
        move._action_confirm()
        move.quantity = qty
        move.picked = True
        move._action_done()
        return move.stock_valuation_layer_ids

    def test_post_and_reconcile_tour(self):
        self._post_and_reconcile("stock_account_gl_reconciliation_tour")

    def test_post_and_reconcile_tour_es(self):
        """The same month-end in Spanish: the module's terms (warnings, explanations, menus) and numbers as a
        Spanish controller reads them."""
        self.env["res.lang"]._activate_lang("es_ES")
        self.env["ir.module.module"]._load_module_terms(["stock_account_gl_reconciliation"], ["es_ES"])
        self.env.ref("base.user_admin").lang = "es_ES"
        self._post_and_reconcile("stock_account_gl_reconciliation_tour_es")

    def _post_and_reconcile(self, tour):
        admin = self.env.ref("base.user_admin")
        admin.groups_id |= (self.env.ref("account.group_account_manager") | self.env.ref("account.group_account_user")
                            | self.env.ref("stock.group_stock_manager"))
        company = self.env.company
        company.gl_post_cost_from = False
        base_categ = self.env.ref("product.product_category_all")
        input_account = base_categ.property_stock_account_input_categ_id
        self.assertTrue(input_account, "the main company needs a chart of accounts with stock accounts")
        good = self._category("Tour Manual FIFO", input_account)
        deprecated = self.env["account.account"].create({"name": "Old Stock Interim", "code": "TOUR99",
                                                         "account_type": "asset_current", "deprecated": True})
        broken = self._category("Tour Deprecated Account", deprecated)
        product = self.env["product.product"].create({"name": "Tour Posted", "is_storable": True, "categ_id": good.id})
        skipped = self.env["product.product"].create({"name": "Tour Skipped", "is_storable": True,
                                                      "categ_id": broken.id})
        # received last month: the reconciliation opens on it
        last_month = date.today() + relativedelta(months=-1, day=1)
        posted_svl = self._receive(product, 10, 7.0, last_month)
        skipped_svl = self._receive(skipped, 3, 10.0, last_month)
        self.assertEqual(posted_svl.posting_date, last_month)

        # CPython 3.11's AST constructor is not thread-safe (python/cpython#106905): the web client's first
        # requests make Odoo parse every module's manifest in parallel HTTP threads (``http.root.statics``),
        # which can fail with "AST constructor recursion depth mismatch" (a 500 on the translations); parse
        # them here, once, before the browser starts
        self.assertTrue(http.root.statics)
        self.start_tour("/odoo", tour, login="admin")

        run = self.env["stock.inventory.cost.post.run"].search([("company_id", "=", company.id)], order="id desc",
                                                               limit=1)
        self.assertEqual((run.state, run.posting_method), ("done", "per_posting_group"))
        self.assertIn(posted_svl, run.svl_ids)
        self.assertIn(skipped_svl, run.skipped_line_ids.svl_id)
        self.assertEqual((posted_svl.gl_state, posted_svl.cost_posted_to_gl), ("posted", 70.0))
        self.assertEqual(skipped_svl.gl_state, "to_post")
