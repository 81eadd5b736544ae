"""Benchmark: Adjust Cost – Item Entries and the install-time application replay.

Seeds once, in bulk SQL, a manual-valuation company with
  - 1,000 "adjust" products (500 FIFO, 500 AVCO), 100 value entries each over one year (receipts of 10,
    deliveries of 8), plus a late cost (landed cost after the goods left) on 10 % of the receipts, all
    products flagged "cost is not adjusted": about 105,000 value entries;
  - 9,000 more FIFO products with 100 entries each, so the replay runs over 1,000,000 value entries.
Then times, each in its own transaction rolled back afterwards (repeatable):
  - the application replay of ``stock.valuation.layer.application._gl_rebuild`` over all entries
    (target: < 300 s for 1,000,000),
  - a full Adjust Cost run over the 1,000 flagged products (target: < 120 s on 2 cores), with peak RSS,
  - the multi-level case (``mrp_account``, which bench/run installs for this benchmark): 500 chains, each a
    component received (10), a manufacturing order making 10 sub-assemblies of it, 2 of them sold, a second
    order making 8 finished products of the other 8, 6 of them sold, then a landed cost on the component's
    receipt: 1,000 orders over 3 levels, seeded once through Odoo's own flows (batched); an Adjust Cost run
    started from the 500 flagged components carries the cost to both levels' outbound entries,
  - for reference, Odoo's native real-time posting: deliveries of an automated FIFO product validated
    through ``stock.move._action_done`` (value entry + journal entry each), per entry,
and prints the figures and the ratio per entry against Odoo's native posting. Run: bench/run adjustment
"""
import resource
import time

from common import ensure_chart, native_real_time, open_database, scaled, stock_accounts

from odoo import SUPERUSER_ID, Command, api

# modules bench/run installs in this benchmark's database besides the module
BENCH_MODULES = "mrp_account"
ADJUST_PRODUCTS = 2 * scaled(500)
FILLER_PRODUCTS = scaled(9000)
ENTRIES = 100
CHAINS = scaled(500)  # multi-level case: two manufacturing orders per chain


def seed(env):
    cr = env.cr
    company = ensure_chart(env)
    company.write({"gl_post_cost_from": False, "gl_average_cost_period": "day"})
    accounts = stock_accounts(env, company)
    categs = {}
    for key, method in (("fifo", "fifo"), ("avco", "average"), ("filler", "fifo")):
        categs[key] = env["product.category"].create({"name": "Bench adjust %s" % key})
        categs[key].write(dict(accounts, property_valuation="manual_periodic", property_cost_method=method))
    products = {
        "fifo": env["product.product"].create([{"name": "Adj FIFO %04d" % i, "is_storable": True,
                                                "categ_id": categs["fifo"].id} for i in range(ADJUST_PRODUCTS // 2)]),
        "avco": env["product.product"].create([{"name": "Adj AVCO %04d" % i, "is_storable": True,
                                                "categ_id": categs["avco"].id} for i in range(ADJUST_PRODUCTS // 2)]),
        "filler": env["product.product"].create([{"name": "Filler %05d" % i, "is_storable": True,
                                                  "categ_id": categs["filler"].id} for i in range(FILLER_PRODUCTS)]),
    }
    wh = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    env.flush_all()
    t0 = time.time()
    for key, prods in products.items():
        # entry k of a product: even = receipt of 10 @ (10 + p % 7 + k % 5), odd = delivery of 8 valued at the
        # previous receipt's cost; one entry every 3 days, created in that order
        cr.execute("""
            INSERT INTO stock_valuation_layer (company_id, product_id, categ_id, quantity, unit_cost, value,
                   remaining_qty, remaining_value, description, create_date, write_date, create_uid, write_uid,
                   posting_date, document_type, entry_type, gl_origin, gl_counterpart_type, gl_state, gl_excluded,
                   cost_posted_to_gl, warehouse_id, location_id)
            SELECT %(company)s, p.id, %(categ)s,
                   CASE WHEN k %% 2 = 0 THEN 10 ELSE -8 END, c.cost,
                   CASE WHEN k %% 2 = 0 THEN 10 * c.cost ELSE -8 * c.cost END, 0, 0, 'bench adjust',
                   timestamp '2025-01-01' + k * interval '1 minute', now(), %(uid)s, %(uid)s,
                   date '2025-01-01' + (k * 3 %% 365),
                   CASE WHEN k %% 2 = 0 THEN 'purchase' ELSE 'sale' END, 'direct_cost', 'move',
                   CASE WHEN k %% 2 = 0 THEN 'stock_input' ELSE 'stock_output' END, 'not_to_post', FALSE, 0,
                   %(wh)s, %(loc)s
              FROM unnest(%(products)s::int[]) AS p(id), generate_series(0, %(entries)s - 1) AS k,
                   LATERAL (SELECT 10 + p.id %% 7 + ((k / 2) * 2) %% 5 AS cost) c
        """, dict(company=company.id, categ=categs[key].id, products=prods.ids, entries=ENTRIES, uid=SUPERUSER_ID,
                  wh=wh.id, loc=wh.lot_stock_id.id))
    # late costs: 5.00 on every tenth receipt, after its goods left (value-only child, quantity to forward)
    cr.execute("""
        INSERT INTO stock_valuation_layer (company_id, product_id, categ_id, quantity, unit_cost, value,
               remaining_qty, remaining_value, description, create_date, write_date, create_uid, write_uid,
               posting_date, document_type, entry_type, gl_origin, gl_counterpart_type, gl_state, gl_excluded,
               cost_posted_to_gl, stock_valuation_layer_id, gl_forward_quantity, warehouse_id, location_id)
        SELECT r.company_id, r.product_id, r.categ_id, 0, 0, 5.0, 0, 0, 'bench adjust late cost',
               r.create_date + interval '1 year', now(), r.create_uid, r.write_uid, r.posting_date + 60,
               'purchase', 'indirect_cost', 'landed_cost', 'overhead_applied', 'not_to_post', FALSE, 0, r.id, 10,
               r.warehouse_id, r.location_id
          FROM stock_valuation_layer r
         WHERE r.description = 'bench adjust' AND r.quantity > 0 AND r.categ_id IN %(categs)s
           AND (r.posting_date - date '2025-01-01') %% 60 = 0  -- receipts k = 0, 20, 40, 60, 80
    """, dict(categs=(categs["fifo"].id, categs["avco"].id)))
    adjust_products = products["fifo"] | products["avco"]
    adjust_products.with_company(company).write({"gl_cost_adjustment_pending": True})
    cr.execute("ANALYZE stock_valuation_layer")
    env["stock.valuation.layer.application"]._gl_rebuild(company.ids)
    cr.execute("ANALYZE stock_valuation_layer_application")
    cr.execute("SELECT count(*) FROM stock_valuation_layer WHERE description LIKE 'bench adjust%%'")
    print("seeded %d value entries in %.0f s" % (cr.fetchone()[0], time.time() - t0))


def seed_multi_level(env):
    """The multi-level case (see the module doc), through Odoo's own documents in batches."""
    company = ensure_chart(env)
    categ = env["product.category"].create({"name": "Bench multi-level"})
    production_account = env["account.chart.template"].with_company(company).ref("cost_of_production")
    categ.write(dict(stock_accounts(env, company), property_valuation="manual_periodic", property_cost_method="fifo",
                     property_stock_account_production_cost_id=production_account.id))
    Product = env["product.product"]
    levels = [Product.create([{"name": "ML %s %04d" % (level, i), "is_storable": True, "categ_id": categ.id}
                              for i in range(CHAINS)]) for level in ("Component", "Sub", "Finished")]
    wh = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    t0 = time.time()

    def transfer(picking_type, src, dest, products, qty, price=None):
        picking = env["stock.picking"].create({
            "picking_type_id": picking_type.id, "location_id": src.id, "location_dest_id": dest.id,
            "move_ids": [Command.create({"name": p.name, "product_id": p.id, "product_uom_qty": qty,
                                         "product_uom": p.uom_id.id, "location_id": src.id,
                                         "location_dest_id": dest.id, **({"price_unit": price(i)} if price else {})})
                         for i, p in enumerate(products)]})
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.quantity = qty
        picking.move_ids.picked = True
        picking._action_done()
        return picking

    def manufacture(finished, components, qty):
        productions = env["mrp.production"].create([{
            "product_id": f.id, "product_qty": qty, "company_id": company.id, "picking_type_id": wh.manu_type_id.id,
            "bom_id": env["mrp.bom"].create({
                "product_tmpl_id": f.product_tmpl_id.id, "product_qty": 1, "company_id": company.id,
                "bom_line_ids": [Command.create({"product_id": c.id, "product_qty": 1})]}).id}
            for f, c in zip(finished, components, strict=True)])
        productions.action_confirm()
        productions.action_assign()
        for production in productions:
            production.qty_producing = qty
            production._set_qty_producing()
        productions.move_raw_ids.picked = True
        productions.with_context(skip_backorder=True, skip_consumption=True).button_mark_done()
        return productions

    customers = env.ref("stock.stock_location_customers")
    receipt = transfer(wh.in_type_id, env.ref("stock.stock_location_suppliers"), wh.lot_stock_id, levels[0], 10,
                       price=lambda i: 10.0 + i % 7)
    manufacture(levels[1], levels[0], 10)
    transfer(wh.out_type_id, wh.lot_stock_id, customers, levels[1], 2)
    manufacture(levels[2], levels[1], 8)
    transfer(wh.out_type_id, wh.lot_stock_id, customers, levels[2], 6)
    service = Product.create({"name": "ML Freight", "type": "service", "landed_cost_ok": True})
    cost = env["stock.landed.cost"].create({
        "picking_ids": [Command.set(receipt.ids)],
        "account_journal_id": env["account.journal"].search([("type", "=", "general"),
                                                             ("company_id", "=", company.id)], limit=1).id,
        "cost_lines": [Command.create({"name": "Freight", "product_id": service.id, "price_unit": 5.0 * CHAINS,
                                       "split_method": "equal", "account_id": production_account.id})]})
    cost.compute_landed_cost()
    cost.button_validate()
    env.flush_all()
    print("seeded the multi-level case (%d orders) in %.0f s" % (2 * CHAINS, time.time() - t0))


def main():
    args, registry = open_database(
        (("--native",), dict(type=int, default=200, help="deliveries posted natively for the reference")))
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT count(*) FROM stock_valuation_layer WHERE description LIKE 'bench adjust%%'")
        if not cr.fetchone()[0]:
            seed(env)
            cr.commit()
        if not env["product.product"].search_count([("name", "=like", "ML Component %")]):
            seed_multi_level(env)
            cr.commit()
        company_id = env.ref("base.main_company").id
        cr.execute("SELECT count(*) FROM stock_valuation_layer")
        n_svl = cr.fetchone()[0]

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        company = env["res.company"].browse(company_id)
        t0 = time.perf_counter()
        n_apps = env["stock.valuation.layer.application"]._gl_rebuild(company.ids)
        t_replay = time.perf_counter() - t0
        cr.rollback()

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        company = env["res.company"].browse(company_id)
        Engine = env["stock.cost.adjust.engine"]
        products = Engine._pending_products(company).filtered(lambda p: p.name.startswith("Adj "))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        run = Engine._adjust(company, products, post_to_gl=False, trigger="manual")
        t_adjust = time.perf_counter() - t0
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        entries, forwarded, n_products = run.entry_count, run.total_forwarded, run.product_count
        # a second run over the same products must create nothing
        again = Engine._adjust(company, env["product.product"].browse(products.ids), trigger="manual").entry_count
        cr.rollback()

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        company = env["res.company"].browse(company_id)
        Engine = env["stock.cost.adjust.engine"]
        components = Engine._pending_products(company).filtered(lambda p: p.name.startswith("ML Component"))
        t0 = time.perf_counter()
        multi = Engine._adjust(company, components, post_to_gl=False, trigger="manual")
        t_multi = time.perf_counter() - t0
        multi_entries, multi_products, multi_forwarded = multi.entry_count, multi.product_count, multi.total_forwarded
        multi_again = Engine._adjust(company, env["product.product"].browse(components.ids)).entry_count
        still_pending = len(Engine._pending_products(company).filtered(lambda p: p.name.startswith("ML ")))
        cr.rollback()

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"allowed_company_ids": [company_id]})
        company = env["res.company"].browse(company_id)
        t_native = native_real_time(env, args.native)
        cr.rollback()

    print("Adjust Cost – Item Entries benchmark: %d value entries in the database, 2 cores" % n_svl)
    print("  %-58s %10s  %s" % ("measure", "value", "target"))
    print("  %-58s %9.1fs  %s" % ("application replay over all entries (%d applications)" % n_apps, t_replay,
                                  "< 300 s for 1,000,000"))
    print("  %-58s %9.1fs  %s" % ("full adjustment run, %d flagged products" % len(products), t_adjust, "< 120 s"))
    print("  %-58s %10d" % ("  adjustment entries created", entries))
    print("  %-58s %10d" % ("  products adjusted", n_products))
    print("  %-58s %10.2f" % ("  total forwarded", forwarded))
    print("  %-58s %10d" % ("  entries created by a second run", again))
    print("  %-58s %8.0fMB" % ("peak memory (RSS) during the run", rss_peak / 1024))
    print("  %-58s %8.0fMB" % ("  RSS growth during the run", (rss_peak - rss_before) / 1024))
    print("  %-58s %9.1fs" % ("multi-level run from %d components (%d orders, 3 levels)" % (len(components),
                                                                                      2 * CHAINS), t_multi))
    print("  %-58s %10d" % ("  adjustment entries created", multi_entries))
    print("  %-58s %10d" % ("  products adjusted (all levels)", multi_products))
    print("  %-58s %10.2f" % ("  total of the entries (consumption, output, sales)", multi_forwarded))
    print("  %-58s %10d" % ("  entries created by a second run", multi_again))
    print("  %-58s %10d" % ("  products left with cost not adjusted", still_pending))
    print("  %-58s %8.2fms" % ("  multi-level, per entry created", t_multi / max(multi_entries, 1) * 1000))
    per_entry = t_adjust / max(entries, 1)
    print("  %-58s %8.2fms" % ("adjustment, per entry created", per_entry * 1000))
    print("  %-58s %8.2fms" % ("Odoo native real-time posting, per delivery (reference)", t_native * 1000))
    print("  ratio per entry, adjustment / Odoo's native real-time posting: %.2f" % (per_entry / t_native))
    ok = (t_adjust < 120 and (n_svl < 1_000_000 or t_replay < 300) and again == 0 and multi_again == 0
          and not still_pending)
    print("  targets met" if ok else "  TARGETS MISSED")


if __name__ == "__main__":
    main()
