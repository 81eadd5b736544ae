"""Benchmark: transfer value entries of internal moves between warehouses, and their posting.

Seeds once a company with two warehouses, each with its own inventory account (posting setup rows), a manual
FIFO category and 1,000 products received into the first warehouse through Odoo (one receipt of 1,000 lines).
Then, in one transaction rolled back afterwards (repeatable), validates internal pickings of ``--lines`` lines
(one unit of each product per line) from the first warehouse to the second through Odoo's own
``stock.picking._action_done`` until ``--moves`` moves are done, and measures:
  - Odoo's validation of the pickings, and inside it the module's transfer value entries
    (``stock.move._gl_create_transfer_entries``): seconds, statements per picking, INSERT statements into
    the value entries per picking (target: one per picking, whatever its size);
  - posting every pair per posting group (``stock.inventory.cost.post.engine._post``);
  - the location invariant afterwards: the value per warehouse against on-hand quantity × company cost;
  - for reference, Odoo's native real-time posting of a delivery (value entry + journal entry), per entry.
Run: bench/run transfers [--moves 100000] [--lines 1000] [--no-post]
"""
import re
import resource
import time

from common import ensure_chart, native_real_time, open_database, scaled, stock_accounts

from odoo import SUPERUSER_ID, api

PRODUCTS = scaled(1000)
RECEIVED = 200  # units of each product received into the first warehouse
INSERT_SVL = re.compile(r'\s*INSERT\s+INTO\s+"?stock_valuation_layer"?\s', re.IGNORECASE)


def seed(env):
    """The company's chart, two warehouses with their own inventory accounts, 1,000 products with 200 units each in
    the first warehouse (one receipt validated through Odoo)."""
    company = ensure_chart(env)
    company.write({"gl_post_cost_from": False, "gl_automatic_cost_adjustment": "never"})
    categ = env["product.category"].create({"name": "Bench transfers"})
    categ.write(dict(stock_accounts(env, company), property_valuation="manual_periodic", property_cost_method="fifo"))
    wh1 = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    wh2 = env["stock.warehouse"].create({"name": "Bench second", "code": "BWH2", "company_id": company.id})
    for warehouse, code in ((wh1, "110191"), (wh2, "110192")):
        account = env["account.account"].create({"name": "Inventory %s" % warehouse.code, "code": code,
                                                 "account_type": "asset_current"})
        env["stock.posting.setup"].create({"company_id": company.id, "warehouse_id": warehouse.id,
                                           "inventory_account_id": account.id})
    products = env["product.product"].create([{"name": "Transfer %04d" % i, "is_storable": True,
                                               "categ_id": categ.id} for i in range(PRODUCTS)])
    receipt = env["stock.picking"].create({
        "picking_type_id": wh1.in_type_id.id, "location_id": env.ref("stock.stock_location_suppliers").id,
        "location_dest_id": wh1.lot_stock_id.id, "move_ids": [(0, 0, {
            "name": p.name, "product_id": p.id, "product_uom_qty": RECEIVED, "product_uom": p.uom_id.id,
            "price_unit": 10.0 + i % 7, "location_id": env.ref("stock.stock_location_suppliers").id,
            "location_dest_id": wh1.lot_stock_id.id}) for i, p in enumerate(products)]})
    receipt.action_confirm()
    receipt.move_ids.quantity = RECEIVED
    receipt.move_ids.picked = True
    receipt._action_done()
    return company


def internal_picking(env, wh1, wh2, products):
    picking = env["stock.picking"].create({
        "picking_type_id": wh1.int_type_id.id, "location_id": wh1.lot_stock_id.id,
        "location_dest_id": wh2.lot_stock_id.id, "move_ids": [(0, 0, {
            "name": p.name, "product_id": p.id, "product_uom_qty": 1, "product_uom": p.uom_id.id,
            "location_id": wh1.lot_stock_id.id, "location_dest_id": wh2.lot_stock_id.id}) for p in products]})
    picking.action_confirm()
    picking.action_assign()
    picking.move_ids.picked = True
    return picking


def main():
    args, registry = open_database(
        (("--moves",), dict(type=int, default=100_000, help="internal moves validated")),
        (("--lines",), dict(type=int, default=1000, help="moves per internal picking")),
        (("--no-post",), dict(action="store_true", help="skip the posting of the pairs")),
        (("--native",), dict(type=int, default=200, help="deliveries posted natively for the reference")))
    # the addons path is known once the configuration is read
    from odoo.addons.stock_account_gl_reconciliation.models.stock_inventory_cost_post_engine import (  # noqa: PLC0415
        PostingRequest,
    )
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if not env["stock.warehouse"].search_count([("code", "=", "BWH2")]):
            t0 = time.perf_counter()
            seed(env)
            cr.commit()
            print("seeded in %.0f s" % (time.perf_counter() - t0))
        company_id = env.ref("base.main_company").id

    stats = {"seconds": 0.0, "statements": 0, "inserts": 0, "calls": 0}
    Move = registry["stock.move"]
    original = Move._gl_create_transfer_entries

    def timed(self):
        cr = self.env.cr
        # Odoo's own pending writes of the validation (quants, moves) are flushed first: they are Odoo's work
        self.env.flush_all()
        execute = cr.execute

        def counting(query, params=None, log_exceptions=True):
            if INSERT_SVL.match(str(getattr(query, "code", query))):
                stats["inserts"] += 1
            return execute(query, params, log_exceptions)
        cr.execute = counting
        start, count = time.perf_counter(), cr.sql_log_count
        try:
            return original(self)
        finally:
            stats["seconds"] += time.perf_counter() - start
            stats["statements"] += cr.sql_log_count - count
            stats["calls"] += 1
            del cr.execute
    Move._gl_create_transfer_entries = timed

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        company = env["res.company"].browse(company_id)
        wh1 = env["stock.warehouse"].search([("company_id", "=", company.id)], order="id", limit=1)
        wh2 = env["stock.warehouse"].search([("code", "=", "BWH2")])
        products = env["product.product"].search([("categ_id.name", "=", "Bench transfers")], order="id")
        lines = min(args.lines, len(products))
        pickings = max(1, args.moves // lines)
        if pickings > RECEIVED:
            raise SystemExit("at most %d pickings of one unit per product: raise RECEIVED" % RECEIVED)
        t_validate = 0.0
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for _i in range(pickings):
            picking = internal_picking(env, wh1, wh2, products[:lines])
            env.flush_all()
            start = time.perf_counter()
            picking._action_done()
            env.flush_all()
            t_validate += time.perf_counter() - start
            env.invalidate_all()
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        moves = pickings * lines
        cr.execute("SELECT count(*) FROM stock_valuation_layer WHERE gl_origin = 'transfer' AND company_id = %s",
                   (company.id,))
        legs = cr.fetchone()[0]
        t_post, posted = None, 0
        if not args.no_post:
            start = time.perf_counter()
            run = env["stock.inventory.cost.post.engine"]._post(PostingRequest(company=company))
            t_post = time.perf_counter() - start
            posted = len(run.svl_ids)
        # the location invariant: each warehouse holds its on-hand quantity at the company's cost
        cr.execute("""
            WITH located AS (
                SELECT product_id, warehouse_id, SUM(value) AS value FROM stock_valuation_layer
                 WHERE company_id = %(company)s GROUP BY 1, 2
            ), cost AS (
                SELECT product_id, SUM(value) / NULLIF(SUM(quantity), 0) AS unit FROM stock_valuation_layer
                 WHERE company_id = %(company)s GROUP BY 1
            ), onhand AS (
                SELECT q.product_id, l.warehouse_id, SUM(q.quantity) AS qty FROM stock_quant q
                  JOIN stock_location l ON l.id = q.location_id AND l.usage = 'internal'
                 WHERE l.company_id = %(company)s GROUP BY 1, 2
            )
            SELECT count(*) FROM onhand o JOIN cost c ON c.product_id = o.product_id
              LEFT JOIN located v ON v.product_id = o.product_id AND v.warehouse_id = o.warehouse_id
             WHERE ABS(COALESCE(v.value, 0) - ROUND((o.qty * c.unit)::numeric, 2)) > 0.01
        """, {"company": company.id})
        off_invariant = cr.fetchone()[0]
        cr.rollback()

    Move._gl_create_transfer_entries = original
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        t_native = native_real_time(env, args.native)
        cr.rollback()

    per_move = stats["seconds"] / moves
    print("Transfer value entries benchmark: %d internal moves in %d pickings of %d lines, 2 cores"
          % (moves, pickings, lines))
    print("  %-62s %12s" % ("measure", "value"))
    print("  %-62s %11.1fs" % ("Odoo's validation of the pickings (_action_done), module included", t_validate))
    print("  %-62s %11.1fs" % ("  of which the transfer value entries", stats["seconds"]))
    print("  %-62s %11.1f%%" % ("  share of the validation", 100 * stats["seconds"] / t_validate))
    print("  %-62s %12d" % ("transfer value entries created (two per move)", legs))
    print("  %-62s %12.1f" % ("statements per picking (reads, INSERT, pairing, derived fields)",
                              stats["statements"] / max(stats["calls"], 1)))
    print("  %-62s %12.1f" % ("INSERT statements into the value entries per picking", stats["inserts"] / pickings))
    print("  %-62s %10.3fms" % ("transfer value entries, per move", per_move * 1000))
    if t_post is not None:
        print("  %-62s %11.1fs" % ("posting per posting group, %d entries" % posted, t_post))
        print("  %-62s %10.3fms" % ("  per entry", t_post / max(posted, 1) * 1000))
    print("  %-62s %12d" % ("(product, warehouse) off the location invariant", off_invariant))
    print("  %-62s %10.0fMB" % ("peak memory (RSS) during the validation", rss_peak / 1024))
    print("  %-62s %10.0fMB" % ("  RSS growth during the validation", (rss_peak - rss_before) / 1024))
    print("  %-62s %10.2fms" % ("Odoo native real-time posting, per delivery (reference)", t_native * 1000))
    print("  ratio per move, transfer value entries / Odoo's native real-time posting: %.3f" % (per_move / t_native))
    ok = stats["inserts"] == pickings and off_invariant == 0
    print("  targets met" if ok else "  TARGETS MISSED")


if __name__ == "__main__":
    main()
