"""Benchmark: Post Inventory Cost to G/L at 10k, 100k and 1M value entries against Odoo's native posting.

Seeds once, in bulk SQL consistent with Odoo's models, one company per size (10k, 100k, 1M value entries,
each with 1,000 products in 5 manual-valuation categories and 3 warehouses): done stock moves (receipts
from suppliers, deliveries to customers, inventory losses) and their value entries, spread over 2025.
Then measures, each in a child process (own peak RSS) whose transaction is rolled back (repeatable; the
back-fill commits, restoring the state it found):
  - Odoo's native real-time posting: ``stock.valuation.layer._validate_accounting_entries`` on a sample
    of value entries of an automated category (one journal entry per layer), per layer;
  - our per entry posting (10k; 100k with --full), per posting group (10k, 100k, 1M), the test report,
    the reconciliation matrix, and the install back-fill (value-entry fields, links, status) and the
    application replay;
and prints one table with each ratio and target. Run: bench/run posting [--sizes 10000,100000,1000000]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

from common import scaled

import odoo
from odoo import SUPERUSER_ID, api

PRODUCTS = scaled(1000)
WAREHOUSES = 3
CATEGORIES = [("fifo", "Bench FIFO A"), ("fifo", "Bench FIFO B"), ("average", "Bench AVCO A"),
              ("average", "Bench AVCO B"), ("standard", "Bench Standard")]
NATIVE_SAMPLE = scaled(300)


def company_name(size):
    return "Bench posting %d" % size


def seed_company(env, size):
    """One company holding ``size`` value entries (bulk SQL), the derived fields filled by the module."""
    cr = env.cr
    company = env["res.company"].create({"name": company_name(size), "country_id": env.ref("base.us").id,
                                         "currency_id": env.ref("base.USD").id})
    env.user.company_ids |= company
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    company.write({"gl_post_cost_from": False, "anglo_saxon_accounting": True})
    chart = env["account.chart.template"].with_company(company)
    accounts = {"property_stock_valuation_account_id": chart.ref("stock_valuation").id,
                "property_stock_account_input_categ_id": chart.ref("stock_in").id,
                "property_stock_account_output_categ_id": chart.ref("stock_out").id}
    journal = env["account.journal"].search([("type", "=", "general"), ("company_id", "=", company.id)], limit=1)
    categs = env["product.category"]
    for method, name in CATEGORIES + [("fifo", "Bench native real-time")]:
        categ = env["product.category"].create({"name": "%s (%d)" % (name, size)})
        categ.with_company(company).write(dict(
            accounts, property_cost_method=method, property_stock_journal=journal.id,
            property_valuation="real_time" if "native" in name else "manual_periodic"))
        categs |= categ
    products = env["product.product"].create([
        {"name": "P%d-%04d" % (size, i), "is_storable": True, "categ_id": categs[i % len(CATEGORIES)].id,
         "company_id": company.id} for i in range(PRODUCTS)])
    native_products = env["product.product"].create([
        {"name": "Native %d-%d" % (size, i), "is_storable": True, "categ_id": categs[-1].id, "company_id": company.id}
        for i in range(10)])
    warehouses = env["stock.warehouse"].search([("company_id", "=", company.id)])
    for i in range(len(warehouses), WAREHOUSES):
        warehouses |= env["stock.warehouse"].create({"name": "WH %d" % i, "code": "W%d%d" % (i, size % 97),
                                                     "company_id": company.id})
    env.flush_all()
    suppliers = env.ref("stock.stock_location_suppliers").id
    customers = env.ref("stock.stock_location_customers").id
    loss = env["stock.location"].search([("usage", "=", "inventory"), ("company_id", "in", (company.id, False))],
                                        limit=1).id
    params = dict(company=company.id, products=products.ids, n=size, stocks=warehouses.lot_stock_id.ids,
                  whs=warehouses.ids, suppliers=suppliers, customers=customers, loss=loss, uid=SUPERUSER_ID,
                  uom=products[0].uom_id.id, natives=native_products.ids)
    for label, prods, count in (("bench", "products", size), ("native", "natives", NATIVE_SAMPLE)):
        cr.execute(f"""
            WITH g AS (
                SELECT g, (%({prods})s::int[])[1 + g %% cardinality(%({prods})s::int[])] AS product_id,
                       (%(stocks)s::int[])[1 + g %% {WAREHOUSES}] AS stock,
                       CASE WHEN k < 4 THEN 'in' WHEN k < 9 THEN 'out' ELSE 'loss' END AS kind,
                       timestamp '2025-01-01 10:00' + (g %% 365) * interval '1 day' + g * interval '1 ms' AS at
                  FROM generate_series(1, %(count)s) g,
                       LATERAL (SELECT (g / cardinality(%({prods})s::int[])) %% 10 AS k) kk
            ), moves AS (
                INSERT INTO stock_move (company_id, product_id, product_uom, product_uom_qty, quantity, location_id,
                       location_dest_id, name, procure_method, state, date, price_unit, create_date, write_date,
                       create_uid, write_uid, reference)
                SELECT %(company)s, product_id, %(uom)s, CASE kind WHEN 'in' THEN 10 WHEN 'out' THEN 7 ELSE 1 END,
                       CASE kind WHEN 'in' THEN 10 WHEN 'out' THEN 7 ELSE 1 END,
                       CASE kind WHEN 'in' THEN %(suppliers)s ELSE stock END,
                       CASE kind WHEN 'in' THEN stock WHEN 'out' THEN %(customers)s ELSE %(loss)s END,
                       '{label} ' || g, 'make_to_stock', 'done', at, 10, at, at, %(uid)s, %(uid)s, '{label}/' || g
                  FROM g ORDER BY g
                RETURNING id, product_id, product_uom_qty, location_id, location_dest_id, create_date
            ), lines AS (
                INSERT INTO stock_move_line (company_id, move_id, product_id, product_uom_id, quantity,
                       quantity_product_uom, location_id, location_dest_id, date, state, picked, create_date,
                       write_date, create_uid, write_uid)
                SELECT %(company)s, m.id, m.product_id, %(uom)s, m.product_uom_qty, m.product_uom_qty, m.location_id,
                       m.location_dest_id, m.create_date, 'done', TRUE, m.create_date, m.create_date, %(uid)s,
                       %(uid)s
                  FROM moves m
            )
            INSERT INTO stock_valuation_layer (company_id, product_id, stock_move_id, quantity, unit_cost, value,
                   remaining_qty, remaining_value, description, create_date, write_date, create_uid, write_uid)
            SELECT %(company)s, m.product_id, m.id,
                   CASE WHEN m.location_id = %(suppliers)s THEN m.product_uom_qty ELSE -m.product_uom_qty END, 10,
                   CASE WHEN m.location_id = %(suppliers)s THEN 10 ELSE -10 END * m.product_uom_qty,
                   0, 0, '{label}', m.create_date, m.create_date, %(uid)s, %(uid)s
              FROM moves m ORDER BY m.id
        """, dict(params, count=count))
    cr.execute("UPDATE stock_valuation_layer svl SET categ_id = pt.categ_id FROM product_product pp "
               "JOIN product_template pt ON pt.id = pp.product_tmpl_id "
               "WHERE pp.id = svl.product_id AND svl.company_id = %s", (company.id,))
    cr.execute("ANALYZE stock_move; ANALYZE stock_valuation_layer")
    t0 = time.perf_counter()
    backfill(env, company)
    return company, time.perf_counter() - t0


def backfill(env, company):
    """The install hook's work for one company: derived fields, links to native entries, status."""
    SVL = env["stock.valuation.layer"]
    SVL._gl_fill_value_entry_fields_company(company, True)  # fields and status in one UPDATE
    SVL._gl_sync_native_postings(company_ids=company.ids)


# ---------------------------------------------------------------------------------------------------------
# measures (each runs in a child process, rolled back)
# ---------------------------------------------------------------------------------------------------------
def measure(env, company, name):
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    company = company.with_env(env)
    SVL = env["stock.valuation.layer"]
    if name == "native":
        layers = SVL.search([("company_id", "=", company.id), ("description", "=", "native")])
        layers.write({"account_move_id": False})
        env.flush_all()
        t0 = time.perf_counter()
        layers._validate_accounting_entries()
        env.flush_all()
        return time.perf_counter() - t0, len(layers)
    if name in ("per_entry", "per_posting_group"):
        wizard = env["stock.inventory.cost.post"].create({"company_id": company.id, "posting_method": name,
                                                          "date_to": False})
        t0 = time.perf_counter()
        run = env["stock.inventory.cost.post.engine"]._post(wizard._posting_request())
        env.flush_all()
        elapsed = time.perf_counter() - t0
        posted = run.svl_count
        check_invariants(env, company, run)
        return elapsed, posted
    if name == "test_report":
        wizard = env["stock.inventory.cost.post"].create({"company_id": company.id, "date_to": False})
        t0 = time.perf_counter()
        data = wizard._get_test_report_data()
        return time.perf_counter() - t0, len(data["lines"])
    if name == "matrix":
        wizard = env["stock.inventory.gl.reconciliation"].create({"company_id": company.id,
                                                                  "date_from": "2025-01-01", "date_to": "2025-12-31"})
        t0 = time.perf_counter()
        rows = wizard.get_matrix()
        return time.perf_counter() - t0, len(rows)
    if name == "backfill":
        # The install hook fills value entries created long before it runs. Emptying their fields in the
        # measured transaction would make PostgreSQL re-check every foreign key of every row (rows changed by
        # the current transaction are re-checked even when the key is unchanged), so the fields are emptied
        # and committed first, the table vacuumed (as autovacuum keeps it), and the measured back-fill is
        # committed: it restores the state it found.
        env.cr.execute("""UPDATE stock_valuation_layer SET posting_date = NULL, document_type = NULL,
                          entry_type = NULL, gl_origin = NULL, location_id = NULL, warehouse_id = NULL,
                          gl_state = NULL, gl_counterpart_type = NULL WHERE company_id = %s""", (company.id,))
        env.cr.commit()
        subprocess.run(["vacuumdb", "-q", "-z", "-t", "stock_valuation_layer", env.cr.dbname], check=True)
        env.invalidate_all()
        SVL._gl_set_session("batch")  # as the install hook
        t0 = time.perf_counter()
        backfill(env, company)
        env.flush_all()
        elapsed = time.perf_counter() - t0
        env.cr.commit()
        return elapsed, SVL.search_count([("company_id", "=", company.id)])
    if name == "replay":
        t0 = time.perf_counter()
        count = env["stock.valuation.layer.application"]._gl_rebuild(company.ids)
        return time.perf_counter() - t0, count
    raise ValueError(name)


def check_invariants(env, company, run):
    """Every posted value entry: cost posted = sum of its inventory links; every journal entry balanced."""
    env.cr.execute("""
        SELECT count(*) FROM stock_valuation_layer svl
          LEFT JOIN (SELECT svl_id, SUM(amount) AS amount FROM stock_valuation_layer_gl_link
                      WHERE account_type = 'inventory' GROUP BY svl_id) l ON l.svl_id = svl.id
         WHERE svl.company_id = %s AND ROUND(COALESCE(svl.cost_posted_to_gl, 0) - COALESCE(l.amount, 0), 2) != 0
    """, (company.id,))
    bad = env.cr.fetchone()[0]
    env.cr.execute("""SELECT count(*) FROM account_move am WHERE am.id = ANY(%s) AND (am.state != 'posted' OR
                      (SELECT ROUND(SUM(balance), 2) FROM account_move_line WHERE move_id = am.id) != 0)""",
                   (run.move_ids.ids,))
    unbalanced = env.cr.fetchone()[0]
    if bad or unbalanced:
        raise AssertionError("invariants broken: %d watermarks, %d journal entries" % (bad, unbalanced))


def child(args):
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env["res.company"].search([("name", "=", company_name(args.size))])
        elapsed, count = measure(env, company, args.measure)
        cr.rollback()
    print(json.dumps({"seconds": elapsed, "count": count,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def run_child(args, size, name):
    out = subprocess.run([sys.executable, __file__, "-c", args.config, "-d", args.database, "--child",
                          "--size", str(size), "--measure", name], capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stderr[-3000:])
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def seed_companies(args, sizes):
    """Seed (and analyse) the company of each size that the database does not hold yet."""
    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    for size in sizes:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            if not env["res.company"].search_count([("name", "=", company_name(size))]):
                _company, seconds = seed_company(env, size)
                cr.commit()
                subprocess.run(["vacuumdb", "--analyze", "-q", args.database], check=True)
                print("seeded %d value entries (back-fill %.1f s)" % (size, seconds), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--full", action="store_true", help="also post 100k entries per entry")
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--size", type=int)
    parser.add_argument("--measure")
    parser.add_argument("--only", help="comma-separated measures to run (default: all)")
    parser.add_argument("--seed-only", action="store_true")
    args = parser.parse_args()
    if args.child:
        return child(args)
    sizes = [int(s) for s in args.sizes.split(",")]
    seed_companies(args, sizes)
    if args.seed_only:
        return
    results = {}
    native = run_child(args, sizes[0], "native")
    native_per = native["seconds"] / native["count"]
    for size in sizes:
        names = ["per_posting_group", "test_report", "matrix", "backfill", "replay"]
        if size <= 10000 or (args.full and size <= 100000):
            names.insert(0, "per_entry")
        if args.only:
            names = [n for n in names if n in args.only.split(",")]
        for name in names:
            results[(size, name)] = run_child(args, size, name)
            print("  measured %-18s %8d: %s" % (name, size, results[(size, name)]), flush=True)

    print("\nPost Inventory Cost to G/L benchmark, 2 cores (each measure in its own process, rolled back)")
    print("  Odoo native real-time posting (_validate_accounting_entries), %d layers: %.2f ms per layer, "
          "peak RSS %.0f MB" % (native["count"], native_per * 1000, native["rss_mb"]))
    print("  %-20s %9s %10s %12s %10s %9s  %s" % ("measure", "entries", "seconds", "ms per entry",
                                                  "vs native", "RSS MB", "target"))
    verdicts = []
    for (size, name), res in results.items():
        if not res:
            print("  %-20s %9d  FAILED" % (name, size))
            verdicts.append(False)
            continue
        per = res["seconds"] / size
        ratio = native_per / per if name in ("per_entry", "per_posting_group") else None
        target, ok = "", True
        if name == "per_posting_group" and size >= 100000:
            # the target is set at 100k entries (bench/README.md); below, the fixed cost of one journal entry per
            # posting group and day (Odoo's create and _post, about what native spends per layer) dominates:
            # 10k entries over 365 days give ~27 value entries per journal entry, which bounds the ratio
            ok = ratio >= 50 and (size != 100000 or res["seconds"] <= 60)
            target = ">= 50x native" + (", <= 60 s" if size == 100000 else "")
        elif name == "per_entry":
            ok, target = ratio >= 2, ">= 2x native"
        elif name == "matrix" and size >= 1000000:
            ok, target = res["seconds"] <= 2, "<= 2 s"
        elif name == "backfill" and size >= 1000000:
            ok, target = res["seconds"] <= 120, "<= 120 s"
        elif name == "replay" and size >= 1000000:
            ok, target = res["seconds"] <= 300, "<= 300 s"
        if size >= 1000000:
            ok = ok and res["rss_mb"] <= 1536
            target += (", " if target else "") + "RSS <= 1.5 GB"
        verdicts.append(ok)
        print("  %-20s %9d %10.2f %12.3f %10s %9.0f  %s%s" % (
            name, size, res["seconds"], per * 1000, ("%.1fx" % ratio) if ratio else "", res["rss_mb"],
            target, ("  met" if ok else "  MISSED") if target else ""))
    print("  all targets met" if all(verdicts) else "  TARGETS MISSED")
    if not all(results.values()):
        raise SystemExit("a measure failed (above)")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
