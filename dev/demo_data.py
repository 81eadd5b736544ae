"""Build a realistic month of stock activity in database ``gl_demo`` through Odoo's own flows, then run
the test report and Post Inventory Cost to G/L per posting group, and print a summary.

The month is last month (the period a controller closes, where the reconciliation opens); the amounts do not
depend on it. A scrap on day 28, after the posting run, stays to post: the reconciliation shows that difference
and its warning, as at a real month-end.

Called by ``dev/demo`` (``python dev/demo_data.py -c .odoo.conf -d gl_demo``); not a test.
"""
import argparse
import sys
from datetime import date, datetime, timedelta

from freezegun import freeze_time

import odoo
from odoo import Command, api

MONTH_END = date.today().replace(day=1) - timedelta(days=1)
MONTH = (MONTH_END.year, MONTH_END.month)


def day(d, hour=10):
    return datetime(MONTH[0], MONTH[1], d, hour, 0, 0)


class Demo:
    def __init__(self, env):
        self.env = env
        self.company = env.company

    # --- set-up ---------------------------------------------------------------------------------------
    def setup_company(self):
        env, company = self.env, self.company
        if not env["account.account"].search_count([("company_ids", "in", company.id)]):
            company.country_id = env.ref("base.us")
            env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        company.anglo_saxon_accounting = True
        company.partner_id.tz = "Europe/Brussels"
        company.gl_post_cost_from = date(*MONTH, 1)
        admin = env.ref("base.user_admin")
        admin.tz = "Europe/Brussels"
        admin.groups_id |= (env.ref("stock_account.group_stock_accounting_automatic")
                            | env.ref("account.group_account_manager") | env.ref("stock.group_stock_manager")
                            | env.ref("purchase.group_purchase_manager") | env.ref("sales_team.group_sale_manager"))

        def acc(xmlid):
            account = env["account.chart.template"].with_company(company).ref(xmlid, raise_if_not_found=False)
            if not account:
                sys.exit("demo: account %s not found in the company's chart of accounts" % xmlid)
            return account

        self.val, self.stock_in, self.stock_out = acc("stock_valuation"), acc("stock_in"), acc("stock_out")
        self.expense = env["account.account"].search([("account_type", "=", "expense_direct_cost"),
                                                      ("company_ids", "in", company.id)], limit=1) \
            or env["account.account"].search([("account_type", "=", "expense"),
                                              ("company_ids", "in", company.id)], limit=1)
        self.freight_account = env["account.account"].create({
            "name": "Freight and Duties Applied", "code": "591000", "account_type": "expense_direct_cost"})
        # a controller's setup: inventory differences and scrap on their own account (Odoo's default would
        # post them on the stock input/output interim accounts)
        self.adjustment_account = env["account.account"].create({
            "name": "Inventory Differences", "code": "512000", "account_type": "expense_direct_cost"})
        for loc in env["stock.location"].search([("usage", "=", "inventory"),
                                                 ("company_id", "in", (company.id, False))]):
            loc.write({"valuation_in_account_id": self.adjustment_account.id,
                       "valuation_out_account_id": self.adjustment_account.id})
        self.journal = env["account.journal"].search([("code", "=", "STJ"), ("company_id", "=", company.id)], limit=1) \
            or env["account.journal"].create({"name": "Inventory Valuation", "code": "STJ", "type": "general"})
        self.wh = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        self.vendor = env["res.partner"].create({"name": "Shimano Europe B.V.", "is_company": True})
        self.customer = env["res.partner"].create({"name": "Velo Shop Antwerpen", "is_company": True})

        def categ(name, valuation, cost_method):
            record = env["product.category"].create({"name": name})
            record.write({
                "property_valuation": valuation, "property_cost_method": cost_method,
                "property_stock_valuation_account_id": self.val.id,
                "property_stock_account_input_categ_id": self.stock_in.id,
                "property_stock_account_output_categ_id": self.stock_out.id,
                "property_stock_journal": self.journal.id,
            })
            return record

        self.fifo = categ("Bike Parts (manual, FIFO)", "manual_periodic", "fifo")
        self.avco = categ("Consumables (manual, AVCO)", "manual_periodic", "average")
        self.rt = categ("Frames (automated, FIFO)", "real_time", "fifo")

        def product(name, categ_, price, cost):
            return env["product.product"].create({
                "name": name, "is_storable": True, "categ_id": categ_.id, "list_price": price,
                "standard_price": cost, "taxes_id": False, "supplier_taxes_id": False})

        self.chain = product("Bike Chain 11s", self.fifo, 24.0, 7.0)
        self.cassette = product("Cassette 11-34", self.fifo, 60.0, 25.0)
        self.pads = product("Brake Pads (pair)", self.avco, 9.0, 3.0)
        self.frame = product("Aluminium Frame M", self.rt, 420.0, 180.0)
        self.freight = env["product.product"].create({
            "name": "Freight", "type": "service", "landed_cost_ok": True,
            "property_account_expense_id": self.freight_account.id})

    # --- flows ---------------------------------------------------------------------------------------
    def _validate(self, picking, quantities=None):
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
            move.picked = True
        picking.with_context(skip_backorder=True, picking_ids_not_to_backorder=picking.ids).button_validate()

    def purchase(self, when, lines, bill_prices=None):
        with freeze_time(day(when)):
            po = self.env["purchase.order"].create({
                "partner_id": self.vendor.id,
                "order_line": [Command.create({"product_id": p.id, "product_qty": q, "price_unit": u,
                                               "taxes_id": False})
                               for p, q, u in lines]})
            po.button_confirm()
            self._validate(po.picking_ids)
        with freeze_time(day(when + 2)):
            bill = self.env["account.move"].browse(po.action_create_invoice()["res_id"])
            bill.invoice_date = day(when + 2).date()
            for line in bill.invoice_line_ids:
                if bill_prices and line.product_id in bill_prices:
                    line.price_unit = bill_prices[line.product_id]
            bill.action_post()
        return po

    def sale(self, when, lines):
        with freeze_time(day(when)):
            so = self.env["sale.order"].create({
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": p.id, "product_uom_qty": q, "tax_id": False})
                               for p, q in lines]})
            so.action_confirm()
            self._validate(so.picking_ids)
        with freeze_time(day(when + 1)):
            invoice = so._create_invoices()
            invoice.action_post()
        return so

    def return_picking(self, when, picking, quantities):
        with freeze_time(day(when)):
            wizard = self.env["stock.return.picking"].with_context(
                active_id=picking.id, active_ids=picking.ids, active_model="stock.picking").create({})
            for line in wizard.product_return_moves:
                line.quantity = quantities.get(line.product_id, 0)
            new_picking = wizard._create_return()
            self._validate(new_picking)
        return new_picking

    def landed_cost(self, when, picking, amount):
        with freeze_time(day(when)):
            lc = self.env["stock.landed.cost"].create({
                "date": day(when).date(), "picking_ids": [Command.set(picking.ids)],
                "account_journal_id": self.journal.id,
                "cost_lines": [Command.create({"name": "Freight DHL", "product_id": self.freight.id,
                                               "price_unit": amount, "split_method": "by_quantity",
                                               "account_id": self.freight_account.id})]})
            lc.compute_landed_cost()
            lc.button_validate()
        return lc

    def count(self, when, product, delta):
        with freeze_time(day(when)):
            quant = self.env["stock.quant"].with_context(inventory_mode=True).search(
                [("product_id", "=", product.id), ("location_id", "=", self.wh.lot_stock_id.id)], limit=1)
            quant.inventory_quantity = quant.quantity + delta
            quant.action_apply_inventory()

    def scrap(self, when, product, qty):
        with freeze_time(day(when)):
            scrap = self.env["stock.scrap"].create({"product_id": product.id, "scrap_qty": qty,
                                                    "location_id": self.wh.lot_stock_id.id})
            scrap.action_validate()
        return scrap

    def run_month(self):
        po1 = self.purchase(1, [(self.chain, 100, 7.0), (self.cassette, 20, 25.0), (self.pads, 60, 3.0),
                                (self.frame, 10, 180.0)], bill_prices={self.chain: 7.2})
        self.sale(4, [(self.chain, 30), (self.cassette, 6), (self.pads, 20), (self.frame, 3)])
        self.landed_cost(6, po1.picking_ids, 120.0)
        po2 = self.purchase(9, [(self.chain, 50, 7.5), (self.pads, 40, 3.5)])
        so2 = self.sale(12, [(self.chain, 70), (self.pads, 45), (self.cassette, 8), (self.frame, 4)])
        self.return_picking(15, so2.picking_ids, {self.chain: 5})
        self.return_picking(16, po2.picking_ids, {self.pads: 5})
        self.count(20, self.chain, 3)
        self.count(20, self.pads, -2)
        self.scrap(22, self.cassette, 1)
        self.sale(27, [(self.chain, 20), (self.pads, 10)])

    # --- the main job ---------------------------------------------------------------------------------
    def adjust(self):
        """Adjust Cost – Item Entries: the landed cost of day 6 arrived after the sale of day 4."""
        wizard = self.env["stock.cost.adjust"].create({"company_id": self.company.id, "post_to_gl": False})
        return self.env["stock.cost.adjust.run"].browse(wizard.action_adjust()["res_id"])

    def post(self):
        env = self.env
        wizard = env["stock.inventory.cost.post"].create({
            "company_id": self.company.id, "date_from": date(*MONTH, 1), "date_to": MONTH_END,
            "posting_method": "per_posting_group", "post": True})
        test = wizard._get_test_report_data()
        action = wizard.action_run()
        return test, env["stock.inventory.cost.post.run"].browse(action["res_id"])


def money(amount):
    return f"{amount:>12,.2f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        env = api.Environment(cr, admin.id, {"tz": "Europe/Brussels"})
        demo = Demo(env)
        demo.setup_company()
        cr.commit()
        demo.run_month()
        SVL = env["stock.valuation.layer"]
        waiting = env["product.product"].with_company(demo.company).search_count([("cost_is_adjusted", "=", False)])
        adjust_run = demo.adjust()
        svls = SVL.search([("company_id", "=", demo.company.id)])
        test, run = demo.post()
        cr.commit()

        print("\n=== Inventory cost posted to the general ledger — %s, %04d-%02d ===" % (
            demo.company.name, *MONTH))
        print("Value entries created this month : %d (%d in automated categories, posted by Odoo itself)" % (
            len(svls), len(svls.filtered(lambda s: s.categ_id == demo.rt))))
        print("Adjust Cost – Item Entries       : %d products waiting; %d adjusted, %d adjustment entries, "
              "%s forwarded" % (
            waiting, adjust_run.product_count, adjust_run.entry_count, money(adjust_run.total_forwarded).strip()))
        for adj in adjust_run.svl_ids.sorted("posting_date"):
            print("   %s  %-28s %s  (of %s)" % (adj.posting_date, adj.product_id.display_name[:28], money(adj.value),
                                                adj.applies_to_id.reference or adj.applies_to_id.description))
        print("Test report                      : %d planned journal items, %d warnings, %d would be skipped" % (
            len(test["lines"]), len([p for p in test["problems"] if not p["skipped"]]),
            len([p for p in test["problems"] if p["skipped"]])))
        print("Run %s (per posting group)  : %d value entries posted in %d journal entries" % (
            run.name, len(run.svl_ids), len(run.move_ids)))
        for move in run.move_ids.sorted("date"):
            print("   %s  %s  %d lines  %s"
                  % (move.date, move.name, len(move.line_ids), money(move.amount_total_signed)))
        print("Totals per account type (debit +, credit -):")
        for _key, label, amount in run._totals():
            if amount:
                print("   %-38s %s" % (label, money(amount)))
        print("Skipped entries: %s" % (len(run.skipped_line_ids) or "none"))
        for skip in run.skipped_line_ids:
            print("   #%d %s %s: %s" % (skip.svl_id.id, skip.posting_date, skip.product_id.display_name, skip.reason))
        states = dict((state, count) for state, count in env["stock.valuation.layer"]._read_group(
            [("company_id", "=", demo.company.id)], ["gl_state"], ["__count"]))
        print("Value entries by G/L status      : %s" % ", ".join("%s %d" % (k, v) for k, v in sorted(states.items())))
        again = env["stock.inventory.cost.post"].create({"company_id": demo.company.id, "date_to": MONTH_END})
        second = again.action_run()
        cr.commit()
        print("Second run                       : %s (idempotent)" % (
            second["params"]["message"] if second.get("tag") == "display_notification" else second))
        # the controller's first cross-check, once everything is posted: Cost Spec. = Inventory Valuation = value
        # entries = G/L at the month's end
        inv = sum(SVL.search([("company_id", "=", demo.company.id)]).mapped("value"))
        gl = sum(env["account.move.line"].search([("account_id", "=", demo.val.id),
                                                  ("parent_state", "=", "posted")]).mapped("balance"))
        totals = {}
        for report_type in ("cost_spec", "valuation"):
            report = env["stock.inventory.valuation.report"].create({
                "company_id": demo.company.id, "report_type": report_type, "date_to": MONTH_END})
            totals[report_type] = sum(report._create_lines().mapped("end_value"))
        print("Cost Spec. / Inventory Valuation : %s / %s at %s" % (
            money(totals["cost_spec"]), money(totals["valuation"]), MONTH_END))
        print("Inventory value (value entries)  : %s   G/L balance of %s: %s" % (money(inv), demo.val.code, money(gl)))
        late = demo.scrap(28, demo.chain, 2)
        cr.commit()
        print("After the runs                   : scrap %s of 2 %s on day 28, %s, not posted yet (the reconciliation "
              "shows it)" % (late.name, demo.chain.display_name, money(sum(late.move_ids.stock_valuation_layer_ids
                                                                             .mapped("value"))).strip()))
        recon = env["stock.inventory.gl.reconciliation"].create({
            "company_id": demo.company.id, "date_from": date(*MONTH, 1), "date_to": MONTH_END})
        labels = dict(env["stock.valuation.layer.gl.link"]._account_type_labels(), total="Total")
        print("\n=== Inventory - G/L Reconciliation, %04d-%02d ===" % MONTH)
        head = ("Account type", "Inventory", "Not posted", "Posted", "Invoicing", "Other G/L", "G/L total",
                "Difference")
        print("%-36s" % head[0] + "".join("%13s" % h for h in head[1:]) + "  Warning")
        for row in recon.get_matrix():
            print("%-36s" % labels[row["account_type"]][:36] + "".join(money(row[k]).rjust(13) for k in (
                "inventory", "not_posted", "posted", "invoicing", "other_gl", "gl_total", "difference"))
                + "  " + (row["warning"] or ""))


if __name__ == "__main__":
    main()
