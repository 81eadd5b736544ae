from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import GlReconciliationCommon


@tagged("post_install", "-at_install")
class TestReconciliation(GlReconciliationCommon):
    """The matrix and one situation per warning, built through Odoo's flows."""

    def _matrix(self, **filters):
        wizard = self.env["stock.inventory.gl.reconciliation"].create(dict({"company_id": self.company.id}, **filters))
        return {row["account_type"]: row for row in wizard.get_matrix()}, wizard

    def _assert_clean(self, matrix):
        for atype, row in matrix.items():
            self.assertEqual((atype, row["difference"], row["warning_code"]), (atype, 0.0, False))

    def test_inverted_dates_are_refused(self):
        """Date From after Date To: no all-zero matrix (it reads as reconciled), the error every screen gives."""
        with self.assertRaisesRegex(ValidationError, "is after the ending date"):
            self._matrix(date_from=date(2026, 4, 1), date_to=date(2026, 3, 31))
        _matrix, wizard = self._matrix(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
        with self.assertRaisesRegex(ValidationError, "is after the ending date"):
            wizard.date_from = date(2026, 4, 1)

    def test_not_posted_then_clean(self):
        self._receive(self.product, 10, 10.0)
        matrix, _wizard = self._matrix()
        inv, stock_in = matrix["inventory"], matrix["stock_input"]
        self.assertEqual((inv["inventory"], inv["not_posted"], inv["gl_total"], inv["difference"], inv["warning_code"]),
                         (100.0, 100.0, 0.0, -100.0, "not_posted"))
        self.assertEqual((stock_in["inventory"], stock_in["difference"], stock_in["warning_code"]),
                         (-100.0, 100.0, "not_posted"))
        self.assertEqual(matrix["total"]["difference"], 0.0)
        _wizard.action_compute()
        self._post_inventory_cost()
        # back on the matrix after the remedy (the form loads it again): today's figures, not the old ones
        [shown] = _wizard.web_read({"line_ids": {"fields": {"account_type": {}, "not_posted": {}}}})
        self.assertEqual({row["account_type"]: row["not_posted"] for row in shown["line_ids"]}["inventory"], 0.0)
        matrix, wizard = self._matrix()
        self.assertEqual((matrix["inventory"]["posted"], matrix["inventory"]["gl_total"]), (100.0, 100.0))
        self._assert_clean(matrix)
        # the screen and the PDF show the same matrix; every amount drills down
        wizard.action_compute()
        inv_line = wizard.line_ids.filtered(lambda line: line.account_type == "inventory")
        self.assertEqual(inv_line.posted, 100.0)
        rows = self.env["stock.inventory.gl.reconciliation.line.inventory"].search(
            inv_line.action_open_inventory()["domain"])
        self.assertEqual((sum(rows.mapped("inventory_amount")), rows.svl_id.mapped("value")), (100.0, [100.0]))
        amls = self.env["account.move.line"].search(inv_line.action_open_posted()["domain"])
        self.assertEqual(sum(amls.mapped("balance")), 100.0)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "stock_account_gl_reconciliation.report_invt_gl_recon", wizard.ids)[0].decode()
        self.assertIn("Inventory - G/L Reconciliation", html)

    def test_direct_posting(self):
        """Reconciled purchase, then a manual journal entry of 50.00 on the inventory account."""
        self._receive(self.product, 10, 10.0)
        self._post_inventory_cost()
        manual = self.env["account.move"].create({
            "move_type": "entry", "journal_id": self.company_data["default_journal_misc"].id, "line_ids": [
                Command.create({"account_id": self.company_data["default_account_stock_valuation"].id,
                                "balance": 50.0}),
                Command.create({"account_id": self.company_data["default_account_revenue"].id, "balance": -50.0}),
            ]})
        manual.action_post()
        matrix, wizard = self._matrix()
        inv = matrix["inventory"]
        self.assertEqual((inv["inventory"], inv["other_gl"], inv["gl_total"], inv["difference"], inv["warning_code"]),
                         (100.0, 50.0, 150.0, 50.0, "direct_posting"))
        wizard.action_compute()
        line = wizard.line_ids.filtered(lambda line: line.account_type == "inventory")
        self.assertIn("bypassing the inventory ledger", line.warning_help)
        self.assertEqual(self.env["account.move.line"].search(line.action_open_warning()["domain"]).move_id, manual)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "stock_account_gl_reconciliation.report_invt_gl_recon", wizard.ids)[0].decode()
        self.assertIn("bypassing the inventory ledger", html)
        # show warnings off: no codes are computed
        matrix, _wizard = self._matrix(show_warnings=False)
        self.assertFalse(matrix["inventory"]["warning_code"])
        self.assertEqual(matrix["inventory"]["difference"], 50.0)

    def test_draft_entries(self):
        self.gl_user_reset_entries = True  # the user resets a posted entry to draft on purpose
        self._receive(self.product, 10, 10.0)
        run = self._post_inventory_cost(posting_method="per_entry")
        run.move_ids.button_draft()
        matrix, _wizard = self._matrix()
        self.assertEqual((matrix["inventory"]["difference"], matrix["inventory"]["warning_code"]),
                         (-100.0, "draft_entries"))
        self.assertEqual(matrix["inventory"]["not_posted"], 0.0)

    def _validate_pickings(self, order, quantity):
        """Validate the pickings of a confirmed purchase or sale ``order`` with ``quantity`` done."""
        order.picking_ids.move_ids.quantity = quantity
        order.picking_ids.move_ids.picked = True
        order.picking_ids.button_validate()

    def test_interim_accounts_explained_by_invoicing(self):
        """Goods received not billed, then billed; a bill for goods not received yet: no difference, the
        invoicing column explains the interim balance."""
        po = self.env["purchase.order"].create({
            "partner_id": self.partner_a.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_qty": 10, "price_unit": 10.0,
                                           "taxes_id": False})]})
        po.button_confirm()
        self._validate_pickings(po, 10)
        self._post_inventory_cost()
        matrix, _wizard = self._matrix()
        self.assertEqual((matrix["stock_input"]["gl_total"], matrix["stock_input"]["difference"]), (-100.0, 0.0))
        bill = self.env["account.move"].browse(po.action_create_invoice()["res_id"])
        bill.invoice_date = bill.date
        bill.action_post()
        # billed but not received: another product ordered and billed only
        other = self._make_product("Bolt", self.manual_categ, self.company)
        bill2 = self.env["account.move"].create({
            "move_type": "in_invoice", "partner_id": self.partner_a.id, "invoice_date": date.today(),
            "invoice_line_ids": [Command.create({"product_id": other.id, "quantity": 3, "price_unit": 5.0,
                                                 "tax_ids": False})]})
        bill2.action_post()
        matrix, _wizard = self._matrix()
        stock_in = matrix["stock_input"]
        self.assertEqual((stock_in["posted"], stock_in["invoicing"], stock_in["gl_total"], stock_in["difference"]),
                         (-100.0, 115.0, 15.0, 0.0))
        self._assert_clean(matrix)

    def test_invoicing_rule_domain_and_sql_agree(self):
        """The invoicing rule (the matrix's Invoicing column) as a domain (drill-downs, pivot) and as SQL (matrix,
        pivot) selects the same journal items: bills and invoices of storable products and COGS lines, nothing else."""
        self.test_interim_accounts_explained_by_invoicing()  # a purchase, its bill, a bill without receipt
        so = self.env["sale.order"].create({
            "partner_id": self.partner_a.id,
            "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 4, "price_unit": 30.0,
                                           "tax_id": False})]})
        so.action_confirm()
        self._validate_pickings(so, 4)
        self._post_inventory_cost()
        invoice = so._create_invoices()
        invoice.action_post()
        Engine = self.env["stock.inventory.gl.reconciliation.engine"]
        by_domain = self.env["account.move.line"].search([("company_id", "=", self.company.id)]
                                                         + Engine._invoicing_domain())
        by_sql = [row[0] for row in self.env.execute_query(SQL("""
            SELECT aml.id
              FROM account_move_line aml
              JOIN account_journal aj ON aj.id = aml.journal_id
              LEFT JOIN product_product pp ON pp.id = aml.product_id
              LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE aml.company_id = %s AND %s""", self.company.id, Engine._invoicing_sql()))]
        self.assertTrue(by_domain.filtered(lambda line: line.move_id == invoice and line.display_type == "cogs"))
        self.assertTrue(by_domain.filtered(lambda line: line.move_id.move_type == "in_invoice"))
        self.assertFalse(by_domain.filtered(
            lambda line: line.account_id.account_type in ("asset_receivable", "liability_payable")))
        self.assertEqual(sorted(by_domain.ids), sorted(by_sql))

    def test_lock_date(self):
        with freeze_time("2026-03-10"):
            self._receive(self.product, 2, 10.0)
        self.company.sudo().fiscalyear_lock_date = date(2026, 3, 31)
        self._post_inventory_cost()
        matrix, _wizard = self._matrix(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
        self.assertEqual((matrix["inventory"]["difference"], matrix["inventory"]["warning_code"]), (-20.0, "lock_date"))
        matrix, _wizard = self._matrix(date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
        self.assertEqual((matrix["inventory"]["difference"], matrix["inventory"]["warning_code"]), (20.0, "lock_date"))
        self._assert_clean(self._matrix(date_to=date(2026, 4, 30))[0])

    def test_posting_date(self):
        """A real-time receipt validated at 23:30 UTC on 31 March: the value entry is dated 1 April in the
        company's time zone, Odoo's journal entry 31 March."""
        self.company.partner_id.tz = "Europe/Brussels"
        product = self._make_product("RT", self.stock_account_product_categ, self.company)
        with freeze_time("2026-03-31 23:30:00"):
            svl = self._receive(product, 1, 40.0).stock_valuation_layer_ids
        self.assertEqual((svl.posting_date, svl.account_move_id.date), (date(2026, 4, 1), date(2026, 3, 31)))
        matrix, _wizard = self._matrix(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31))
        self.assertEqual((matrix["inventory"]["difference"], matrix["inventory"]["warning_code"]),
                         (40.0, "posting_date"))
        self._assert_clean(self._matrix(date_to=date(2026, 4, 30))[0])

    def test_similar_accounts(self):
        """Odoo posts an inventory loss on stock output when the loss location has no account: the output
        account then serves two account types."""
        self._receive(self.product, 10, 10.0)
        self._deliver(self.product, 2)
        scrap = self.env["stock.scrap"].create({"product_id": self.product.id, "scrap_qty": 1,
                                                "company_id": self.company.id,
                                                "location_id": self.warehouse.lot_stock_id.id})
        scrap.action_validate()
        self._post_inventory_cost()
        matrix, _wizard = self._matrix()
        out, adj = matrix["stock_output"], matrix["inventory_adjustment"]
        self.assertEqual((out["inventory"], out["gl_total"], out["difference"], out["warning_code"]),
                         (20.0, 30.0, 10.0, "similar_accounts"))
        self.assertEqual((adj["inventory"], adj["gl_total"], adj["difference"], adj["warning_code"]),
                         (10.0, 30.0, 20.0, "similar_accounts"))
        self.assertEqual(matrix["inventory"]["difference"], 0.0)
        # the remedy opens what the explanation says to fix: the posting setup
        _wizard.action_compute()
        row = _wizard.line_ids.filtered(lambda line: line.account_type == "stock_output")
        self.assertEqual(row.action_open_warning()["res_model"], "stock.posting.setup")
        self.assertIn("Similar Accounts", _wizard.warnings_html)

    def test_setup_changed(self):
        Account = self.env["account.account"].with_company(self.company)
        old, new = (Account.create({"name": n, "code": n, "account_type": "asset_current"})
                    for n in ("INVOLD", "INVNEW"))
        setup = self.env["stock.posting.setup"].create({
            "company_id": self.company.id, "categ_id": self.manual_categ.id, "inventory_account_id": old.id})
        self._receive(self.product, 3, 10.0)
        self._post_inventory_cost()
        self._assert_clean(self._matrix()[0])
        setup.inventory_account_id = new
        matrix, _wizard = self._matrix()
        self.assertEqual((matrix["inventory"]["gl_total"], matrix["inventory"]["difference"],
                          matrix["inventory"]["warning_code"]), (0.0, -30.0, "setup_changed"))

    def test_product_filter_uses_product_journal_items(self):
        other = self._make_product("Bolt", self.manual_categ, self.company)
        self._receive(self.product, 10, 10.0)
        self._receive(other, 5, 2.0)
        self._post_inventory_cost()  # per posting group: one inventory line fed by both products
        matrix, wizard = self._matrix(product_ids=[Command.set(other.ids)])
        self.assertEqual((matrix["inventory"]["inventory"], matrix["inventory"]["posted"],
                          matrix["inventory"]["difference"]), (10.0, 10.0, 0.0))
        self.assertTrue(wizard.has_filter)

    def test_pivot_model(self):
        self._receive(self.product, 10, 10.0)
        self._post_inventory_cost()
        Line = self.env["stock.inventory.gl.reconciliation.line"]
        groups = Line._read_group([("company_id", "=", self.company.id), ("account_type", "=", "inventory")],
                                  ["source"], ["inventory_amount:sum", "gl_amount:sum", "difference:sum"])
        self.assertEqual(sorted((src, inv, gl, diff) for src, inv, gl, diff in groups),
                         [("gl", 0.0, 100.0, 100.0), ("inventory", 100.0, 0.0, -100.0)])

    def test_real_time_landed_cost_after_sale_reconciles(self):
        """Odoo's landed-cost entry for an automated product already partly sold: each row reconciles."""
        product = self._make_product("RT", self.stock_account_product_categ, self.company)
        move = self._receive(product, 10, 5.0)
        picking = self.env["stock.picking"].create({
            "picking_type_id": self.warehouse.in_type_id.id, "company_id": self.company.id,
            "location_id": move.location_id.id, "location_dest_id": move.location_dest_id.id})
        move.picking_id = picking
        self._deliver(product, 4)
        self._landed_cost(picking, 10.0)
        matrix, _wizard = self._matrix()
        self.assertEqual((matrix["overhead_applied"]["inventory"], matrix["overhead_applied"]["gl_total"]),
                         (-10.0, -10.0))
        self.assertEqual((matrix["cogs"]["inventory"], matrix["cogs"]["gl_total"]), (4.0, 4.0))
        self._assert_clean(matrix)

    def test_real_time_landed_cost_rounding_explained(self):
        """Odoo rounds a landed cost's share already out apart from its share in stock: 7.33 on a receipt of 2
        of which 1 left gives a value entry of 3.67 and a journal entry moving 3.67 to cost of goods sold, so
        the valuation account holds 0.01 less than the stock value. The rows it leaves carry the warning
        *Landed Cost Rounding*, whose remedy opens that journal entry."""
        product = self._make_product("RT", self.stock_account_product_categ, self.company)
        move = self._receive(product, 2, 12.0)
        picking = self._picking_for(move)
        self._deliver(product, 1)
        lc = self._landed_cost(picking, 7.33)
        matrix, wizard = self._matrix()
        self.assertEqual((matrix["inventory"]["inventory"], matrix["inventory"]["gl_total"]), (15.67, 15.66))
        self.assertEqual((matrix["cogs"]["inventory"], matrix["cogs"]["gl_total"]), (3.66, 3.67))
        for atype in ("inventory", "cogs"):
            self.assertEqual(matrix[atype]["warning_code"], "odoo_landed_cost_rounding")
        self.assertEqual(matrix["total"]["difference"], 0.0)
        Engine = self.env["stock.inventory.gl.reconciliation.engine"]
        self.assertEqual(Engine._odoo_landed_cost_rounding_entries(wizard), lc.account_move_id)
        # 6.00 on the same quantities splits evenly: nothing to explain
        move2 = self._receive(product, 2, 12.0)
        self._deliver(product, 2)
        self._landed_cost(self._picking_for(move2), 6.0)
        self.assertEqual(Engine._odoo_landed_cost_rounding_entries(self._matrix()[1]), lc.account_move_id)

    def test_pivot_grouped_reads_match_the_union(self):
        """The per-branch fast path of grouped reads gives what the plain UNION view gives."""
        self._receive(self.product, 10, 10.0)
        self._deliver(self.product, 3)
        self._post_inventory_cost()
        self._receive(self.product, 1, 12.0)
        # an expense transfer (a correction of a delivery already invoiced goes on from stock output to COGS)
        self._deliver(self.product, 1).stock_valuation_layer_ids.sudo().gl_expense_amount = 0.35
        Line = self.env["stock.inventory.gl.reconciliation.line"]
        domain = [("company_id", "=", self.company.id)]
        aggregates = ["inventory_amount:sum", "gl_amount:sum", "difference:sum", "__count"]
        cases = [
            (domain, ["account_type"]), (domain, ["account_type", "source"]), (domain, ["product_id", "date:month"]),
            (domain, []), (domain, ["account_id", "source"]), (domain, ["warehouse_id"]),
            (domain + [("source", "=", "inventory")], ["account_type"]),
            (domain + [("account_type", "in", ["inventory", "stock_input"])], ["source", "company_id"]),
            (domain + [("date", ">=", date.today()), ("product_id", "=", self.product.id)], ["account_type", "source"]),
            (domain + [("categ_id", "=", self.manual_categ.id)], ["account_type"]),  # per-branch path
        ]
        for dom, groupby in cases:
            fast = Line._read_group(dom, groupby, aggregates, order=",".join(groupby) or None)
            slow = Line._read_group(dom, groupby, aggregates, limit=10000)
            self.assertEqual(sorted(map(repr, fast)), sorted(map(repr, slow)), (dom, groupby))
        self.assertIsNotNone(Line._read_group_pushdown(domain, ["account_type", "source"], aggregates))
        inv = dict((atype, diff) for atype, diff in Line._read_group(domain, ["account_type"], ["difference:sum"]))
        self.assertEqual(inv["inventory"], -2.0)
        # the pivot's account types carry what the matrix carries, the expense transfer included
        _matrix_rows, wizard = self._matrix()
        pivot = dict(Line._read_group(domain, ["account_type"], ["inventory_amount:sum"]))
        self.assertEqual({atype: round(pivot.get(atype, 0.0), 2) for atype in ("cogs", "stock_output")},
                         {atype: _matrix_rows[atype]["inventory"] for atype in ("cogs", "stock_output")})
        self.assertEqual(round(pivot["cogs"], 2), 0.35)

    def test_drill_downs_add_up(self):
        """Each column's drill-down lists exactly the journal items or value entries behind its amount, signed as
        the cell (a delivery's value entry is -35.00 of inventory and +35.00 on Stock Output)."""
        self.test_interim_accounts_explained_by_invoicing()
        self._deliver(self.product, 1)  # one entry more, queued: the Not Posted column is not all zero
        _matrix, wizard = self._matrix()
        wizard.action_compute()
        AML = self.env["account.move.line"]
        Rows = self.env["stock.inventory.gl.reconciliation.line.inventory"]
        for line in wizard.line_ids:
            for column, action in (("posted", line.action_open_posted), ("invoicing", line.action_open_invoicing),
                                   ("other_gl", line.action_open_other_gl), ("gl_total", line.action_open_gl_total)):
                total = sum(AML.search(action()["domain"]).mapped("balance"))
                self.assertAlmostEqual(total, line[column], 2, "%s %s" % (line.account_type, column))
            for column, action, field in (("inventory", line.action_open_inventory, "inventory_amount"),
                                          ("not_posted", line.action_open_not_posted, "not_posted_amount"),
                                          ("difference", line.action_open_difference, "difference")):
                rows = self.env[action()["res_model"]].search(action()["domain"])
                self.assertEqual(rows._name, "stock.inventory.gl.reconciliation.line" if column == "difference"
                                 else Rows._name)
                total = sum(rows.mapped(field))
                self.assertAlmostEqual(total, line[column], 2, "%s %s" % (line.account_type, column))
        output = wizard.line_ids.filtered(lambda line: line.account_type == "stock_output")
        self.assertGreater(output.not_posted, 0.0)
        [row] = Rows.search(output.action_open_not_posted()["domain"])
        self.assertEqual((row.not_posted_amount, row.svl_id.value, row.document),
                         (output.not_posted, -output.not_posted, row.svl_id.gl_document))
        self.assertEqual(row.action_open_value_entry()["res_id"], row.svl_id.id)
        # the journal items open in a list with their account and a balance column that totals to the cell
        list_view = self.env.ref("stock_account_gl_reconciliation.account_move_line_view_list_drilldown")
        self.assertEqual(wizard.line_ids[0].action_open_posted()["views"][0], (list_view.id, "list"))
        arch = AML.get_views([(list_view.id, "list")])["views"]["list"]["arch"]
        self.assertIn('name="account_id"', arch)
        self.assertIn('sum="Total Balance"', arch)
