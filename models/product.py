from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _change_standard_price(self, new_price):
        # Tag the value entries of a standard price change (SPEC §2: entry type revaluation).
        return super(ProductProduct, self.with_context(gl_svl_origin="price_change"))._change_standard_price(new_price)

    def _svl_empty_stock(self, description, product_category=None, product_template=None):
        # returns (svl vals list, original quantities, impacted products)
        res = super()._svl_empty_stock(description, product_category=product_category, product_template=product_template)
        for vals in res[0]:
            vals.setdefault("gl_origin", "category_switch")
        return res

    def _svl_replenish_stock(self, description, products_orig_quantity_svl):
        res = super()._svl_replenish_stock(description, products_orig_quantity_svl)
        for vals in res:
            vals.setdefault("gl_origin", "category_switch")
        return res
