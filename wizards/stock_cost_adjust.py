from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class StockCostAdjust(models.TransientModel):
    """Adjust Cost – Item Entries (BC report 795): forward late costs to the outbound entries.

    Processes the products whose "cost is adjusted" is false (within the product or category filter),
    and every product named in the product filter even when not flagged (a check on history). See
    ``stock.cost.adjust.engine._adjust`` for what is created.
    """

    _name = "stock.cost.adjust"
    _description = "Adjust Cost – Item Entries"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    product_ids = fields.Many2many("product.product", string="Products", check_company=True,
                                   domain="[('is_storable', '=', True)]")
    categ_ids = fields.Many2many("product.category", string="Product Categories")
    post_to_gl = fields.Boolean(
        "Post to G/L", default=lambda self: self.env.company.gl_automatic_cost_posting == "scheduled",
        help="Post the adjustment entries of manual-valuation categories to the general ledger at once (per "
             "entry). Those of automated categories are always posted at once.")
    pending_count = fields.Integer("Products Waiting", compute="_compute_pending_count")

    @api.depends("company_id")
    def _compute_pending_count(self):
        Engine = self.env["stock.cost.adjust.engine"].sudo()
        for wizard in self:
            wizard.pending_count = len(Engine._pending_products(wizard.company_id))

    def _get_products(self):
        self.ensure_one()
        if self.product_ids and self.categ_ids:
            raise UserError(_("Use either the product filter or the category filter, not both at the same time."))
        products = self.env["stock.cost.adjust.engine"].sudo()._pending_products(self.company_id)
        if self.categ_ids:
            products = products.filtered_domain([("categ_id", "child_of", self.categ_ids.ids)])
        if self.product_ids:
            products = self.product_ids.sudo()
        return products.filtered(lambda p: p.is_storable)

    def action_adjust(self):
        """Run the adjustment and open its result (products adjusted, entries created, total forwarded).

        :raise AccessError: for users outside Accounting ▸ Administrator
        :raise UserError: both filters used, or another adjustment run of the company in progress
        """
        self.ensure_one()
        if not self.env.user.has_group("account.group_account_manager"):
            raise AccessError(_("Only accounting administrators can adjust costs."))
        Engine = self.env["stock.cost.adjust.engine"].sudo()
        products = self._get_products()
        if not Engine._acquire_lock(self.company_id):
            raise UserError(_("Another Adjust Cost – Item Entries run is in progress for %s. Nothing was "
                              "adjusted: run it again when that run has finished.", self.company_id.display_name))
        run = Engine._adjust(self.company_id, products, post_to_gl=self.post_to_gl, trigger="manual")
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.cost.adjust.run",
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }
