"""18.0.1.1.0: the scheduled actions run on the engines (``stock.inventory.cost.post.engine``,
``stock.cost.adjust.engine``) instead of the Adjust Cost run model. Their records are ``noupdate``: point
the existing ones at the new models (their code, ``model._cron_...()``, is unchanged)."""
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid, model in (("ir_cron_post_inventory_cost", "stock.inventory.cost.post.engine"),
                         ("ir_cron_adjust_cost", "stock.cost.adjust.engine")):
        cron = env.ref("stock_account_gl_reconciliation.%s" % xmlid, raise_if_not_found=False)
        if cron:
            cron.model_id = env["ir.model"]._get(model)
