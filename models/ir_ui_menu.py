from odoo import api, models

# menus of the manufacturing part (``mrp_account``), hidden where manufacturing is not installed
MRP_MENUS = ("stock_account_gl_reconciliation.menu_inventory_valuation_wip_stock",
             "stock_account_gl_reconciliation.menu_inventory_valuation_wip_account")


class IrUiMenu(models.Model):
    _inherit = "ir.ui.menu"

    @api.model
    def _load_menus_blacklist(self):
        """Hide Inventory Valuation - WIP without manufacturing orders to value (``mrp`` not installed)."""
        res = super()._load_menus_blacklist()
        if "mrp.production" not in self.env:
            res += [menu.id for xmlid in MRP_MENUS if (menu := self.env.ref(xmlid, raise_if_not_found=False))]
        return res
