"""Transfer value entries: value follows the goods between places (warehouse, inventory account)."""
from odoo.tests import tagged

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
        self.assertEqual(self._post_inventory_cost().state, "nothing")
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

