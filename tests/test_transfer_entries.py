"""Transfer value entries: value follows the goods between places (warehouse, inventory account)."""
from datetime import date

from freezegun import freeze_time

from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import GlReconciliationCommon


@tagged("post_install", "-at_install")
class TestTransferEntries(GlReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wh2 = cls.env["stock.warehouse"].create({"name": "Second", "code": "WH2", "company_id": cls.company.id})
        Account = cls.env["account.account"]
        cls.inv_wh1, cls.inv_wh2 = (Account.create({"name": "Inventory %s" % code, "code": code,
                                                    "account_type": "asset_current"}) for code in ("110191", "110192"))
        Setup = cls.env["stock.posting.setup"]
        Setup.create({"company_id": cls.company.id, "warehouse_id": cls.warehouse.id,
                      "inventory_account_id": cls.inv_wh1.id})
        Setup.create({"company_id": cls.company.id, "warehouse_id": cls.wh2.id, "inventory_account_id": cls.inv_wh2.id})

    def _located(self, product):
        """{warehouse code: value located there} from the value entries."""
        groups = self.env["stock.valuation.layer"]._read_group(
            [("product_id", "=", product.id)], ["warehouse_id"], ["value:sum"])
        return {warehouse.code: round(value, 2) for warehouse, value in groups}

    def test_value_follows_the_goods(self):
        """Receive 2 at 10.00 into WH1, move both to WH2, post: WH1 0.00, WH2 20.00 in the value entries and on
        the warehouses' inventory accounts; sell 1 from WH2, post: WH2 10.00. Odoo's own figures are untouched."""
        self._receive(self.product, 2, 10.0)
        move = self._move(self.product, self.warehouse.lot_stock_id, self.wh2.lot_stock_id, 2)
        self.assertFalse(move.stock_valuation_layer_ids)  # Odoo's internal moves keep no value entry of their own
        legs = self.env["stock.valuation.layer"].search([("gl_transfer_move_id", "=", move.id)], order="id")
        self.assertEqual(sorted(legs.mapped("value")), [-20.0, 20.0])
        self.assertEqual((set(legs.mapped("quantity")), sorted(legs.mapped("gl_location_quantity"))),
                         ({0.0}, [-2.0, 2.0]))
        self.assertEqual((legs.mapped("document_type"), set(legs.mapped("gl_state"))),
                         (["transfer", "transfer"], {"to_post"}))
        self.assertEqual(legs[0].gl_transfer_pair_id, legs[1])
        product = self.product.with_company(self.company)
        self.assertEqual((product.quantity_svl, product.value_svl, product.standard_price), (2.0, 20.0, 10.0))
        self.assertEqual(self._located(self.product), {self.warehouse.code: 0.0, "WH2": 20.0})
        run = self._post_inventory_cost()
        self.assertEqual(set(legs.mapped("gl_state")), {"posted"})
        # the receipt debited WH1's account 20.00 and the transfer credited it back: WH1 nets to 0.00
        self.assertEqual(self._balances(self.company, self.inv_wh1 | self.inv_wh2), {"110192": 20.0})
        wh1_items = self.env["account.move.line"].search([("account_id", "=", self.inv_wh1.id)])
        self.assertEqual((sum(wh1_items.mapped("debit")), sum(wh1_items.mapped("credit"))), (20.0, 20.0))
        self.assertEqual((run.total_inventory, len(run.move_ids)), (20.0, 1))  # one posting group
        delivery = self._move(self.product, self.wh2.lot_stock_id, self.env.ref("stock.stock_location_customers"), 1)
        self.assertEqual(delivery.stock_valuation_layer_ids.value, -10.0)
        self._post_inventory_cost()
        self.assertEqual(self._located(self.product), {self.warehouse.code: 0.0, "WH2": 10.0})
        self.assertEqual(self._balances(self.company, self.inv_wh1 | self.inv_wh2), {"110192": 10.0})
        self.assertFalse(self._post_inventory_cost())
        # Inventory Valuation by warehouse follows the goods; for the company the transfer nets out
        columns = ("increase_qty", "increase_value", "decrease_qty", "decrease_value", "end_qty", "end_value")
        for warehouses, expected in ((self.wh2, (2.0, 20.0, 1.0, 10.0, 1.0, 10.0)),
                                     (self.warehouse, (2.0, 20.0, 2.0, 20.0, 0.0, 0.0)),
                                     (self.env["stock.warehouse"], (2.0, 20.0, 1.0, 10.0, 1.0, 10.0))):
            report = self.env["stock.inventory.valuation.report"].create({
                "report_type": "valuation", "company_id": self.company.id, "date_from": False,
                "warehouse_ids": [(6, 0, warehouses.ids)], "product_ids": [(6, 0, self.product.ids)]})
            report._create_lines()
            self.assertEqual(tuple(round(report.line_ids[column], 2) for column in columns), expected,
                             warehouses.mapped("code"))

    def test_moves_within_a_place_post_nothing(self):
        """A 3-step delivery's internal steps (stock → packing zone → output) stay in one place: no transfer
        value entries; a move between two warehouses that post to the same inventory account records the
        pair (the warehouse report follows it) and posts nothing."""
        self._receive(self.product, 3, 10.0)
        Location, view = self.env["stock.location"], self.warehouse.view_location_id
        pack, output = (Location.create({"name": name, "location_id": view.id}) for name in ("Pack", "Output"))
        Layer = self.env["stock.valuation.layer"]
        for src, dst in ((self.warehouse.lot_stock_id, pack), (pack, output)):
            move = self._move(self.product, src, dst, 3)
            self.assertFalse(Layer.search([("gl_transfer_move_id", "=", move.id)]))
        wh3 = self.env["stock.warehouse"].create({"name": "Third", "code": "WH3", "company_id": self.company.id})
        self.env["stock.posting.setup"].create({"company_id": self.company.id, "warehouse_id": wh3.id,
                                                "inventory_account_id": self.inv_wh1.id})
        legs = Layer.search([("gl_transfer_move_id", "=", self._move(self.product, output, wh3.lot_stock_id, 1).id)])
        self.assertEqual((sorted(legs.mapped("value")), set(legs.mapped("gl_state"))), ([-10.0, 10.0], {"not_to_post"}))
        self.assertEqual(self._located(self.product), {self.warehouse.code: 20.0, "WH3": 10.0})

    def test_adjust_cost_keeps_each_place_at_the_company_cost(self):
        """Receipts of 1 at 10.00 into WH1 and 1 at 12.00 into WH2, a sale from WH2 that Odoo's company-wide FIFO
        values at 10.00: WH1 holds 10.00 for its unit and WH2 2.00 for none. Adjust Cost moves the 2.00 to WH1
        (Odoo's cost of the remaining unit is 12.00), posted WH2 → WH1; a second run creates nothing."""
        self._receive(self.product, 1, 10.0)
        self._move(self.product, self.env.ref("stock.stock_location_suppliers"), self.wh2.lot_stock_id, 1,
                   price_unit=12.0)
        sale = self._move(self.product, self.wh2.lot_stock_id, self.env.ref("stock.stock_location_customers"), 1)
        self.assertEqual(sale.stock_valuation_layer_ids.value, -10.0)
        self.assertEqual(self._located(self.product), {self.warehouse.code: 10.0, "WH2": 2.0})
        self.assertFalse(self.product.with_company(self.company).cost_is_adjusted)
        run = self._adjust_cost(product_ids=self.product)
        self.assertEqual(sorted(run.svl_ids.mapped("value")), [-2.0, 2.0])
        self.assertEqual(self._located(self.product), {self.warehouse.code: 12.0, "WH2": 0.0})
        product = self.product.with_company(self.company)
        self.assertEqual((product.quantity_svl, product.value_svl), (1.0, 12.0))  # Odoo's figures unchanged
        self.assertEqual(self._adjust_cost(product_ids=self.product).state, "nothing")
        self._post_inventory_cost()
        self.assertEqual(self._balances(self.company, self.inv_wh1 | self.inv_wh2), {"110191": 12.0})


    def _report(self, report_type, warehouses, product=None):
        report = self.env["stock.inventory.valuation.report"].create({
            "report_type": report_type, "company_id": self.company.id, "date_from": False,
            "warehouse_ids": [Command.set(warehouses.ids)],
            "product_ids": [Command.set((product or self.product).ids)]})
        report._create_lines()
        return report.line_ids

    def _matrix(self, warehouses):
        wizard = self.env["stock.inventory.gl.reconciliation"].create({
            "company_id": self.company.id, "date_from": False, "warehouse_ids": [Command.set(warehouses.ids)]})
        return {row["account_type"]: row for row in wizard.get_matrix()}

    def test_reports_by_warehouse_agree_with_the_warehouse_accounts(self):
        """2 received at 10.00 into WH1 with 4.00 of freight (company cost 12.00), moved to WH2, 1 sold from WH2,
        everything posted. By warehouse, Inventory Valuation and Cost Spec. hold WH2's 12.00 (10.00 direct cost,
        2.00 freight) and WH1's nothing; the reconciliation reads each warehouse's own inventory account in full
        and finds no difference on any row; the rows whose accounts are shared say their G/L is not split."""
        receipt = self._receive(self.product, 2, 10.0)
        self._landed_cost(self._picking_for(receipt), 4.0)
        self._move(self.product, self.warehouse.lot_stock_id, self.wh2.lot_stock_id, 2)
        self._move(self.product, self.wh2.lot_stock_id, self.env.ref("stock.stock_location_customers"), 1)
        self._post_inventory_cost()
        self.assertEqual(self._balances(self.company, self.inv_wh1 | self.inv_wh2), {"110192": 12.0})
        valuation = self._report("valuation", self.wh2)
        self.assertEqual((valuation.end_qty, valuation.end_value), (1.0, 12.0))
        self.assertFalse(self._report("valuation", self.warehouse).filtered("end_value"))
        spec = {line.entry_type: (line.end_qty, line.end_value) for line in self._report("cost_spec", self.wh2)}
        self.assertEqual(spec, {"direct_cost": (1.0, 10.0), "indirect_cost": (0.0, 2.0)})
        self.assertFalse(self._report("cost_spec", self.warehouse))
        company_spec = {line.entry_type: (line.end_qty, line.end_value)
                        for line in self._report("cost_spec", self.env["stock.warehouse"])}
        self.assertEqual(company_spec, spec)  # all of the company's stock is in WH2
        for warehouse, located in ((self.wh2, 12.0), (self.warehouse, 0.0)):
            matrix = self._matrix(warehouse)
            inventory = matrix["inventory"]
            self.assertEqual((inventory["inventory"], inventory["gl_total"], inventory["gl_split"]),
                             (located, located, True), warehouse.code)
            self.assertEqual({atype: row["difference"] for atype, row in matrix.items() if row["difference"]}, {},
                             "%s %s" % (warehouse.code, matrix))
            self.assertEqual((matrix["stock_output"]["gl_split"], matrix["stock_output"]["warning_code"]),
                             (False, "warehouse_not_split"))
        # WH1's account carries the receipt and its freight, and gave both to WH2
        wh1_items = self.env["account.move.line"].search([("account_id", "=", self.inv_wh1.id)])
        self.assertEqual((sum(wh1_items.mapped("debit")), sum(wh1_items.mapped("credit"))), (24.0, 24.0))
        # a warehouse without an account of its own: no G/L column is split, the posted share still agrees
        wh3 = self.env["stock.warehouse"].create({"name": "Third", "code": "WH3", "company_id": self.company.id})
        self._move(self.product, self.wh2.lot_stock_id, wh3.lot_stock_id, 1)
        self._post_inventory_cost()
        matrix = self._matrix(wh3)
        self.assertEqual((matrix["inventory"]["inventory"], matrix["inventory"]["posted"],
                          matrix["inventory"]["gl_split"], matrix["inventory"]["warning_code"]),
                         (12.0, 12.0, False, "warehouse_not_split"))

    def test_resupply_through_transit_location(self):
        """Inter-warehouse resupply (WH2 supplied from WH1): Odoo's route moves the goods WH1 → transit → WH2.
        The transit location is a place of its own (a posting setup row gives it account 110199, goods in
        transit): after the first step the 20.00 are in transit, after the second in WH2."""
        transit = self.company.internal_transit_location_id
        in_transit = self.env["account.account"].create({"name": "Goods in Transit", "code": "110199",
                                                         "account_type": "asset_current"})
        self.env["stock.posting.setup"].create({"company_id": self.company.id, "location_id": transit.id,
                                                "inventory_account_id": in_transit.id})
        self._receive(self.product, 2, 10.0)
        self.wh2.resupply_wh_ids = [Command.link(self.warehouse.id)]
        route = self.wh2.resupply_route_ids
        self.assertTrue(route)
        self.env["procurement.group"].run([self.env["procurement.group"].Procurement(
            self.product, 2, self.product.uom_id, self.wh2.lot_stock_id, "Resupply", "Resupply", self.company,
            {"warehouse_id": self.wh2, "route_ids": route})])
        moves = self.env["stock.move"].search([("product_id", "=", self.product.id),
                                               ("location_dest_id", "in", (transit | self.wh2.lot_stock_id).ids)])
        first, second = (moves.filtered(lambda move, loc=loc: move.location_dest_id == loc)
                         for loc in (transit, self.wh2.lot_stock_id))
        self.assertEqual((first.location_id, second.location_id), (self.warehouse.lot_stock_id, transit))
        for move, located, balances in (
                (first, {self.warehouse.code: 0.0, False: 20.0}, {"110199": 20.0}),
                (second, {self.warehouse.code: 0.0, False: 0.0, "WH2": 20.0}, {"110192": 20.0})):
            move.picking_id.action_assign()
            move.picking_id.move_ids.picked = True
            move.picking_id.button_validate()
            self.assertEqual(move.state, "done")
            self._post_inventory_cost()
            self.assertEqual(self._located(self.product), located)
            self.assertEqual(self._balances(self.company, self.inv_wh1 | self.inv_wh2 | in_transit), balances)
        product = self.product.with_company(self.company)
        self.assertEqual((product.quantity_svl, product.value_svl), (2.0, 20.0))

    def _move_lot(self, lot, src, dest, qty, price_unit=None):
        """A done move of ``qty`` of ``lot`` (its move line written by hand: no reservation picks another lot)."""
        product = lot.product_id
        move = self.env["stock.move"].create({
            "name": lot.name, "product_id": product.id, "product_uom_qty": qty, "product_uom": product.uom_id.id,
            "location_id": src.id, "location_dest_id": dest.id, "company_id": self.company.id,
            **({"price_unit": price_unit} if price_unit is not None else {})})
        move._action_confirm()
        move.move_line_ids.unlink()
        move.move_line_ids = [Command.create({
            "product_id": product.id, "lot_id": lot.id, "quantity": qty, "product_uom_id": product.uom_id.id,
            "location_id": src.id, "location_dest_id": dest.id})]
        move.picked = True
        move._action_done()
        return move

    def test_lot_valued_product_moved_between_warehouses(self):
        """A product valued by lot: lot A received at 10.00 and lot B at 14.00 into WH1 (company cost 12.00). Moving
        lot B to WH2 moves its own cost, 14.00; selling it from WH2 leaves WH2 empty and WH1 with lot A's 10.00,
        on the warehouses' accounts too, with nothing for Adjust Cost to move."""
        product = self._make_product("Lot valued", self.manual_categ, self.company)
        product.product_tmpl_id.write({"tracking": "lot", "lot_valuated": True})
        lot_a, lot_b = (self.env["stock.lot"].create({"name": name, "product_id": product.id,
                                                      "company_id": self.company.id}) for name in ("A", "B"))
        supplier = self.env.ref("stock.stock_location_suppliers")
        customers = self.env.ref("stock.stock_location_customers")
        self._move_lot(lot_a, supplier, self.warehouse.lot_stock_id, 1, price_unit=10.0)
        self._move_lot(lot_b, supplier, self.warehouse.lot_stock_id, 1, price_unit=14.0)
        move = self._move_lot(lot_b, self.warehouse.lot_stock_id, self.wh2.lot_stock_id, 1)
        legs = self.env["stock.valuation.layer"].search([("gl_transfer_move_id", "=", move.id)])
        self.assertEqual((sorted(legs.mapped("value")), legs.lot_id), ([-14.0, 14.0], lot_b))
        self.assertEqual(self._located(product), {self.warehouse.code: 10.0, "WH2": 14.0})
        sale = self._move_lot(lot_b, self.wh2.lot_stock_id, customers, 1)
        self.assertEqual(sale.stock_valuation_layer_ids.value, -14.0)
        self.assertEqual(self._adjust_cost(product_ids=product).entry_count, 0)
        self._post_inventory_cost()
        self.assertEqual(self._located(product), {self.warehouse.code: 10.0, "WH2": 0.0})
        self.assertEqual(self._balances(self.company, self.inv_wh1 | self.inv_wh2), {"110191": 10.0})
        self.assertEqual((lot_a.with_company(self.company).value_svl, lot_b.with_company(self.company).value_svl),
                         (10.0, 0.0))

    def test_install_on_history_records_opening_location_values(self):
        """Before the install, 2 received at 10.00 into WH1 and moved to WH2 (Odoo records no value for the move).
        Installing on 2026-01-01 records the opening location values from the quants: WH1 0.00, WH2 20.00, dated
        2025-12-31 and not posted (the history is in the general ledger as it was posted); installing again
        records nothing more, and the first delivery from WH2 after the install leaves WH2 10.00."""
        with freeze_time("2025-12-15"):
            receipt = self._receive(self.product, 2, 10.0)
            move = self._move(self.product, self.warehouse.lot_stock_id, self.wh2.lot_stock_id, 2)
        Layer = self.env["stock.valuation.layer"]
        self.env.flush_all()
        # the database as the module finds it: no transfer value entry, no bookkeeping
        self.env.cr.execute(SQL("DELETE FROM stock_valuation_layer WHERE gl_transfer_move_id = %s", move.id))
        self._forget_module_bookkeeping()
        self._install_on("2026-01-01")
        self.assertEqual(receipt.stock_valuation_layer_ids.gl_state, "not_to_post")
        opening = Layer.search([("product_id", "=", self.product.id), ("gl_origin", "=", "transfer")])
        self.assertEqual(sorted(opening.mapped("value")), [-20.0, 20.0])
        self.assertEqual((set(opening.mapped("posting_date")), set(opening.mapped("gl_state"))),
                         ({date(2025, 12, 31)}, {"not_to_post"}))
        self.assertEqual(self._located(self.product), {self.warehouse.code: 0.0, "WH2": 20.0})
        self._install_on("2026-01-01")
        self.assertEqual(Layer.search_count([("product_id", "=", self.product.id), ("gl_origin", "=", "transfer")]),
                         2)
        with freeze_time("2026-01-05"):
            self._move(self.product, self.wh2.lot_stock_id, self.env.ref("stock.stock_location_customers"), 1)
            self.assertEqual(self._post_inventory_cost().total_inventory, -10.0)
        self.assertEqual(self._located(self.product), {self.warehouse.code: 0.0, "WH2": 10.0})
        self.assertEqual(self._balances(self.company, self.inv_wh1 | self.inv_wh2), {"110192": -10.0})

    def test_location_with_its_own_account_is_a_place(self):
        """A location of WH1 with its own inventory account (110193, cold store) is a place of its own: a receipt of
        1 at 10.00 into WH1's stock and 1 at 12.00 into the cold store, a sale from the cold store that Odoo's FIFO
        values at 10.00; *Cost is Adjusted* is unchecked (one warehouse, two places) and Adjust Cost moves the
        2.00 left in the cold store to WH1's stock, where the remaining unit is."""
        cold = self.env["stock.location"].create({"name": "Cold", "location_id": self.warehouse.lot_stock_id.id})
        cold_account = self.env["account.account"].create({"name": "Inventory cold store", "code": "110193",
                                                           "account_type": "asset_current"})
        self.env["stock.posting.setup"].create({"company_id": self.company.id, "location_id": cold.id,
                                                "inventory_account_id": cold_account.id})
        self._receive(self.product, 1, 10.0)
        self._move(self.product, self.env.ref("stock.stock_location_suppliers"), cold, 1, price_unit=12.0)
        self._move(self.product, cold, self.env.ref("stock.stock_location_customers"), 1)
        self.assertFalse(self.product.with_company(self.company).cost_is_adjusted)
        run = self._adjust_cost(product_ids=self.product)
        self.assertEqual(sorted(run.svl_ids.mapped("value")), [-2.0, 2.0])
        self._post_inventory_cost()
        self.assertEqual(self._balances(self.company, self.inv_wh1 | cold_account), {"110191": 12.0})
