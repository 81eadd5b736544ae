from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import GlReconciliationCommon


@tagged("post_install", "-at_install")
class TestSecurity(GlReconciliationCommon):

    def test_scenario_9_other_company_user(self):
        """A user of company B can neither read nor post company A's value entries."""
        svl = self._receive(self.product, 3, 5.0).stock_valuation_layer_ids
        self._post_inventory_cost()
        company_b = self.setup_other_company()["company"]
        user_b = new_test_user(self.env, login="acc_b", company_id=company_b.id, company_ids=[(6, 0, company_b.ids)],
                               groups="account.group_account_manager,stock.group_stock_manager")
        SVL_b = self.env["stock.valuation.layer"].with_user(user_b)
        self.assertFalse(SVL_b.search([("id", "=", svl.id)]))
        with self.assertRaises(AccessError):
            SVL_b.browse(svl.id).read(["value"])
        Link_b = self.env["stock.valuation.layer.gl.link"].with_user(user_b)
        self.assertFalse(Link_b.search([("svl_id", "=", svl.id)]))
        Run_b = self.env["stock.inventory.cost.post.run"].with_user(user_b)
        self.assertFalse(Run_b.search([]))
        # posting for company A is refused: company A is not among the user's companies
        with self.assertRaises(AccessError):
            self.env["stock.inventory.cost.post"].with_user(user_b).create({"company_id": self.company.id}).action_run()

    def test_only_accounting_administrators_post(self):
        self._receive(self.product, 1, 5.0)
        stock_user = new_test_user(self.env, login="stock_mgr", company_id=self.company.id,
                                   groups="stock.group_stock_manager,account.group_account_user")
        with self.assertRaises(AccessError):
            self.env["stock.inventory.cost.post"].with_user(stock_user).create(
                {"company_id": self.company.id}).action_run()

    def test_billing_administrator_finds_the_posting_in_invoicing(self):
        """Community's Billing Administrator (Accounting Administrator without the full accounting features) does not
        see Accounting > Accounting: Invoicing > Inventory Costing holds the posting, the adjustment and their runs;
        the Accounting > Reporting entries stay where they were."""
        billing_admin = new_test_user(self.env, login="billing_admin", company_id=self.company.id,
                                      groups="account.group_account_manager")
        self.assertFalse(billing_admin.has_group("account.group_account_readonly"))
        visible = self.env["ir.ui.menu"].with_user(billing_admin)._visible_menu_ids()
        for xmlid in ("menu_account_inventory_cost", "menu_stock_inventory_cost_post",
                      "menu_stock_inventory_cost_post_run", "menu_stock_cost_adjust", "menu_stock_cost_adjust_run",
                      "menu_inventory_gl_reconciliation_account"):
            menu = self.env.ref("stock_account_gl_reconciliation.%s" % xmlid)
            self.assertIn(menu.id, visible, xmlid)
        self.assertEqual(self.env.ref("stock_account_gl_reconciliation.menu_account_inventory_cost").parent_id,
                         self.env.ref("account.menu_finance"))
        self.assertNotIn(self.env.ref("account.menu_finance_entries").id, visible)

    def test_concurrent_run_is_refused(self):
        """Two runs at once never double-post: a second cursor holding the company's posting lock makes
        this run stop with a clear message, posting nothing; once released, the run posts."""
        svl = self._receive(self.product, 2, 5.0).stock_valuation_layer_ids
        wizard = self.env["stock.inventory.cost.post"].create({"company_id": self.company.id})
        from odoo.addons.stock_account_gl_reconciliation.models.stock_inventory_cost_post_engine import LOCK_NAMESPACE
        with self.env.registry.cursor() as other_cr:
            other_cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_NAMESPACE, self.company.id))
            self.assertTrue(other_cr.fetchone()[0])
            with self.assertRaisesRegex(UserError, "Another Post Inventory Cost to G/L run is in progress"):
                wizard.action_run()
            self.assertEqual(svl.gl_state, "to_post")
            other_cr.rollback()
        wizard.action_run()
        self.assertEqual(svl.gl_state, "posted")

    def test_reconciliation_for_inventory_administrator_and_other_company(self):
        """Inventory administrators read the reconciliation; another company's data never shows in it."""
        self._receive(self.product, 3, 5.0)
        self._post_inventory_cost()
        stock_admin = new_test_user(self.env, login="stock_admin", company_id=self.company.id,
                                    groups="stock.group_stock_manager")
        wizard = self.env["stock.inventory.gl.reconciliation"].with_user(stock_admin).create(
            {"company_id": self.company.id})
        matrix = {row["account_type"]: row for row in wizard.get_matrix()}
        self.assertEqual((matrix["inventory"]["inventory"], matrix["inventory"]["difference"]), (15.0, 0.0))
        Line = self.env["stock.inventory.gl.reconciliation.line"].with_user(stock_admin)
        self.assertTrue(Line._read_group([], ["account_type"], ["inventory_amount:sum"]))
        company_b = self.setup_other_company()["company"]
        user_b = new_test_user(self.env, login="acc_b2", company_id=company_b.id, company_ids=[(6, 0, company_b.ids)],
                               groups="account.group_account_manager,stock.group_stock_manager")
        groups = self.env["stock.inventory.gl.reconciliation.line"].with_user(user_b)._read_group(
            [], ["company_id"], ["inventory_amount:sum"])
        self.assertNotIn(self.company, [company for company, _amount in groups])
        with self.assertRaises(AccessError):
            self.env["stock.inventory.gl.reconciliation"].with_user(user_b).create(
                {"company_id": self.company.id}).get_matrix()
