"""Uninstall, then install again, for real (run by dev/reinstall-check through ``odoo-bin shell``).

GL_PHASE=post: a manual FIFO product with a receipt, a delivery and a landed cost after it, Adjust Cost, Post
Inventory Cost to G/L (everything dated today, the day of the later install), committed; then the module is
uninstalled through Odoo (``button_immediate_uninstall``).
GL_PHASE=check (after ``-i`` again): the module's columns came back filled, nothing is to post, a run posts
nothing, the adjustment entry is still one, and the kept tables are gone. Prints CHECK OK or raises.
"""
import os

from odoo import fields

MODULE = "stock_account_gl_reconciliation"
env = env  # noqa: F821 (odoo-bin shell provides it)
phase = os.environ["GL_PHASE"]
company = env.company
Product = env["product.product"]

if phase == "post":
    env.user.groups_id += env.ref("account.group_account_manager") + env.ref("stock.group_stock_manager")
    categ = env["product.category"].create({"name": "Reinstall check"})
    categ.write({"property_valuation": "manual_periodic", "property_cost_method": "fifo"})
    product = Product.create({"name": "Reinstall check", "is_storable": True, "categ_id": categ.id})
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)

    def move(src, dest, qty, price=None):
        vals = {"name": "check", "product_id": product.id, "product_uom_qty": qty, "product_uom": product.uom_id.id,
                "location_id": src.id, "location_dest_id": dest.id, "company_id": company.id}
        if price:
            vals["price_unit"] = price
        record = env["stock.move"].create(vals)
        record._action_confirm()
        record._action_assign()
        record.quantity = qty
        record.picked = True
        record._action_done()
        return record

    receipt = move(env.ref("stock.stock_location_suppliers"), warehouse.lot_stock_id, 10, 7.0)
    receipt.picking_id = env["stock.picking"].create({
        "picking_type_id": warehouse.in_type_id.id, "location_id": receipt.location_id.id,
        "location_dest_id": receipt.location_dest_id.id, "company_id": company.id})
    move(warehouse.lot_stock_id, env.ref("stock.stock_location_customers"), 4)
    freight = Product.create({"name": "Freight (check)", "type": "service", "landed_cost_ok": True})
    journal = env["account.journal"].search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
    cost = env["stock.landed.cost"].create({
        "picking_ids": [(6, 0, receipt.picking_id.ids)], "account_journal_id": journal.id,
        "cost_lines": [(0, 0, {"name": "Freight", "product_id": freight.id, "price_unit": 10.0,
                               "split_method": "equal"})]})
    cost.compute_landed_cost()
    cost.button_validate()
    env["stock.cost.adjust.engine"]._adjust(company, product)
    post = env["stock.inventory.cost.post"].create({"company_id": company.id, "date_to": fields.Date.today()})
    run = env["stock.inventory.cost.post.run"].browse(post.action_run()["res_id"])
    layers = product.stock_valuation_layer_ids
    assert set(layers.mapped("gl_state")) == {"posted"}, layers.mapped("gl_state")
    print("POSTED %d value entries in %d journal entries" % (len(layers), len(run.move_ids)))
    env.cr.commit()
    env["ir.module.module"].search([("name", "=", MODULE)]).button_immediate_uninstall()
    env.cr.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'stock_valuation_layer' "
                   "AND column_name = 'cost_posted_to_gl'")
    assert env.cr.fetchone()[0] == 0, "the module's columns are still there"
    env.cr.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'gl_kept_%'")
    print("UNINSTALLED, %d kept tables" % env.cr.fetchone()[0])

elif phase == "check":
    product = Product.search([("name", "=", "Reinstall check")])
    layers = product.stock_valuation_layer_ids
    assert set(layers.mapped("gl_state")) == {"posted"}, layers.mapped("gl_state")
    adjustments = layers.filtered("is_adjustment")
    assert len(adjustments) == 1 and adjustments.applies_to_id, adjustments
    assert round(sum(layers.mapped("cost_posted_to_gl")), 2) == round(sum(layers.mapped("value")), 2)
    env.user.groups_id += env.ref("account.group_account_manager")
    post = env["stock.inventory.cost.post"].create({"company_id": company.id, "date_to": False})
    action = post.action_run()  # nothing waits: a notification, no run
    assert action.get("tag") == "display_notification" and "res_id" not in action, action
    env.cr.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'gl_kept_%'")
    assert env.cr.fetchone()[0] == 0
    env.cr.rollback()
    print("CHECK OK: %d value entries still posted, the adjustment kept, nothing posted again" % len(layers))
